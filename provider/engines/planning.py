"""The planning pass's prompts for models that cannot think: the plan request and its grammar,
and a plan's key points added to the answer's prompt."""

from __future__ import annotations

from provider.engines.base import ChatMessage

# Appended to the last user message, so the planning prompt shares the conversation's prefix
# (and its KV cache) with the answer pass and with the previous and next turns.
# No example inside: the 135M model copies an example plan verbatim.
PLAN_REQUEST = (
    "(Before answering, list 2-4 short key points your answer should cover, as bullets "
    "starting with '- '. Do not write the answer itself.)"
)
# Bounds the 135M model to 2-4 short bullets; free-form it drafts the answer instead.
PLAN_GRAMMAR = 'root ::= line line line? line?\nline ::= "- " [^\\n]{3,90} "\\n"'


def plan_messages(messages: list[ChatMessage]) -> list[ChatMessage]:
    """The conversation with the planning request appended to the last user message."""
    return with_last_user_suffix(messages, PLAN_REQUEST)


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
    return with_last_user_suffix(messages, f"(Key points to cover: {'; '.join(bullets)})")


def with_last_user_suffix(messages: list[ChatMessage], suffix: str) -> list[ChatMessage]:
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
