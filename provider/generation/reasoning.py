"""Reasoning of a response: the planning pass's budget for models that cannot think, <think>
splitting for models that do (the planning prompts are the engine's: engines.planning)."""

from __future__ import annotations

# Token budget of the planning pass per `reasoning.effort` (engine notes §11).
EFFORT_TOKENS = {"minimal": 32, "low": 32, "medium": 64, "high": 128, "xhigh": 128}

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"


class ThinkSplitter:
    """Split streamed text at <think>...</think> into ("reasoning" | "text", piece) parts."""

    def __init__(self) -> None:
        self._buffer = ""
        self._thinking = False

    def feed(self, piece: str) -> list[tuple[str, str]]:
        """Route a piece; a tag cut across pieces is held back until it is complete."""
        self._buffer += piece
        parts: list[tuple[str, str]] = []
        while True:
            tag = THINK_CLOSE if self._thinking else THINK_OPEN
            at = self._buffer.find(tag)
            if at < 0:
                break
            self._add(parts, self._buffer[:at])
            self._buffer = self._buffer[at + len(tag) :]
            self._thinking = not self._thinking
        keep = _partial_tag_length(self._buffer, tag)
        self._add(parts, self._buffer[: len(self._buffer) - keep])
        self._buffer = self._buffer[len(self._buffer) - keep :]
        return parts

    def flush(self) -> list[tuple[str, str]]:
        """Whatever is still held back."""
        parts: list[tuple[str, str]] = []
        self._add(parts, self._buffer)
        self._buffer = ""
        return parts

    def _add(self, parts: list[tuple[str, str]], text: str) -> None:
        """Append text under the current kind, skipping empty text."""
        if text:
            parts.append(("reasoning" if self._thinking else "text", text))


def _partial_tag_length(text: str, tag: str) -> int:
    """Length of the longest suffix of text that starts `tag`."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0
