"""The planning pass's prompts: the plan request and a plan's key points in the answer (pure)."""

from __future__ import annotations

from provider.engines.planning import PLAN_REQUEST, answer_messages, plan_messages


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
