"""Reasoning for local models: a planning pass for models that cannot think, <think> splitting
for models that do."""

from __future__ import annotations

from provider.engines.base import ChatMessage

# Token budget of the planning pass per `reasoning.effort` (engine notes §11).
EFFORT_TOKENS = {"minimal": 32, "low": 32, "medium": 64, "high": 128, "xhigh": 128}

# Appended to the last user message, so the planning prompt shares the conversation's prefix
# (and its KV cache) with the answer pass and with the previous and next turns.
# No example inside: the 135M model copies an example plan verbatim.
PLAN_REQUEST = (
    "(Before answering, list 2-4 short key points your answer should cover, as bullets "
    "starting with '- '. Do not write the answer itself.)"
)
# Bounds the 135M model to 2-4 short bullets; free-form it drafts the answer instead.
PLAN_GRAMMAR = 'root ::= line line line? line?\nline ::= "- " [^\\n]{3,90} "\\n"'

THINK_OPEN, THINK_CLOSE = "<think>", "</think>"


def plan_messages(messages: list[ChatMessage]) -> list[ChatMessage]:
    """The conversation with the planning request appended to the last user message."""
    return _with_last_user_suffix(messages, PLAN_REQUEST)


def answer_messages(messages: list[ChatMessage], notes: str) -> list[ChatMessage]:
    """The conversation with the plan's useful bullets appended to the last user message."""
    # Only newline-terminated lines: a plan cut by its token budget ends in a partial bullet.
    lines = notes.split("\n")[:-1]
    bullets = list(
        dict.fromkeys(
            line[2:].strip()
            for line in lines
            if line.startswith("- ") and not line[2:].startswith("User wants")
        )
    )
    if not bullets:
        return messages
    return _with_last_user_suffix(messages, f"(Key points to cover: {'; '.join(bullets)})")


def _with_last_user_suffix(messages: list[ChatMessage], suffix: str) -> list[ChatMessage]:
    """A copy of messages whose last user message ends with a blank line and suffix.

    Per-turn text goes only at the end, so earlier messages stay byte-identical across passes
    and turns and the engine reuses their KV cache.
    """
    result = list(messages)
    for index in range(len(result) - 1, -1, -1):
        if result[index]["role"] == "user":
            content = f"{result[index]['content']}\n\n{suffix}"
            result[index] = {"role": "user", "content": content}
            break
    return result


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
