"""Reasoning helpers: <think> splitting and the planning prompts (pure)."""

from __future__ import annotations

from provider.reasoning import PLAN_REQUEST, ThinkSplitter, answer_messages, plan_messages


def split_all(pieces: list[str]) -> list[tuple[str, str]]:
    """Feed pieces and merge the routed text by kind, in order."""
    splitter = ThinkSplitter()
    parts = [part for piece in pieces for part in splitter.feed(piece)] + splitter.flush()
    merged: list[tuple[str, str]] = []
    for kind, text in parts:
        if merged and merged[-1][0] == kind:
            merged[-1] = (kind, merged[-1][1] + text)
        else:
            merged.append((kind, text))
    return merged


def test_think_block_becomes_reasoning() -> None:
    assert split_all(["<think>plan it</think>Answer."]) == [
        ("reasoning", "plan it"),
        ("text", "Answer."),
    ]


def test_tags_cut_across_pieces() -> None:
    pieces = ["<th", "ink>a", "b</th", "in", "k>c", "d"]

    assert split_all(pieces) == [("reasoning", "ab"), ("text", "cd")]


def test_text_without_tags_is_text() -> None:
    assert split_all(["a <", "b"]) == [("text", "a <b")]


def test_plan_prompt_extends_the_conversation() -> None:
    messages = [
        {"role": "system", "content": "s"},
        {"role": "user", "content": "q1"},
        {"role": "assistant", "content": "a1"},
        {"role": "user", "content": "q2"},
    ]

    prompt = plan_messages(messages)

    assert prompt[:3] == messages[:3]
    assert prompt[3]["content"] == f"q2\n\n{PLAN_REQUEST}"
    assert messages[3]["content"] == "q2"


def test_answer_gets_key_points_without_user_wants() -> None:
    messages = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    notes = "- User wants a fact.\n- Answer: Tokyo.\n- Keep it short.\n"

    result = answer_messages(messages, notes)

    assert result[0]["content"] == "q\n\n(Key points to cover: Answer: Tokyo.; Keep it short.)"
    assert result[1] == messages[1]
    assert messages[0]["content"] == "q"


def test_answer_drops_cut_and_repeated_bullets() -> None:
    notes = "- Boil water.\n- Boil water.\n- Wait 9 min"

    result = answer_messages([{"role": "user", "content": "q"}], notes)

    assert result[0]["content"] == "q\n\n(Key points to cover: Boil water.)"


def test_answer_without_notes_is_unchanged() -> None:
    messages = [{"role": "user", "content": "q"}]

    assert answer_messages(messages, "") == messages
