"""Reasoning: <think> splitting of a natively thinking model's text (pure)."""

from __future__ import annotations

from provider.generation.reasoning import ThinkSplitter


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
