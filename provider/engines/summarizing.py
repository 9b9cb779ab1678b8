"""The summary pass's prompt for compaction: the conversation as a transcript to summarise."""

from __future__ import annotations

from provider.engines.base import ChatMessage

SUMMARY_INSTRUCTIONS = (
    "Summarise the conversation below in 2-4 short sentences, so that it can be continued "
    "from the summary alone. Keep every name, number, date, decision and fact stated in it. "
    "Write only the summary."
)


def summary_messages(messages: list[ChatMessage]) -> list[ChatMessage]:
    """A request to summarise these messages (system text is not the conversation's)."""
    lines = [f"{m['role']}: {m['content']}" for m in messages if m["role"] != "system"]
    return [
        {"role": "system", "content": SUMMARY_INSTRUCTIONS},
        {"role": "user", "content": "\n".join(lines)},
    ]
