"""A conversation as a readable Markdown file, or as JSON holding everything we store of it."""

from __future__ import annotations

from typing import Any

from conversations.models import Conversation, Turn

FORMAT = "chatsite.conversation"
VERSION = 1
# Every stored field of a turn but our own bookkeeping (ids, worker, stream positions).
TURN_FIELDS = [
    "position",
    "user_text",
    "output_text",
    "reasoning_text",
    "status",
    "error",
    "retryable",
    "model",
    "response_id",
    "previous_response_id",
    "tool_calls",
    "compacted",
]
USAGE_FIELDS = ["input_tokens", "output_tokens", "reasoning_tokens", "cached_tokens"]
TIME_FIELDS = ["created_at", "started_at", "reasoning_ended_at", "finished_at"]


def conversation_settings(conversation: Conversation) -> dict[str, Any]:
    """The generation settings of a conversation, as exported and imported."""
    return {
        "instructions": conversation.instructions,
        "model": conversation.model,
        "temperature": conversation.temperature,
        "max_output_tokens": conversation.max_output_tokens,
        "reasoning_effort": conversation.reasoning_effort,
        "tools": conversation.tools,
    }


def conversation_json(*, conversation: Conversation, turns: list[Turn]) -> dict[str, Any]:
    """The chatsite JSON export: settings, and every turn with reasoning, usage and ids."""
    return {
        "format": FORMAT,
        "version": VERSION,
        "id": str(conversation.pk),
        "title": conversation.title,
        "created_at": conversation.created_at.isoformat(),
        "updated_at": conversation.updated_at.isoformat(),
        "settings": conversation_settings(conversation),
        "turns": [_turn_json(turn) for turn in turns],
    }


def _turn_json(turn: Turn) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(turn, name) for name in TURN_FIELDS}
    data["usage"] = {name: getattr(turn, name) for name in USAGE_FIELDS}
    # Names and kinds only: the files stay here (an import brings in the text).
    data["attachments"] = [
        {"name": a.name, "kind": a.kind, "content_type": a.content_type, "size": a.size}
        for a in _attachments(turn)
    ]
    for name in TIME_FIELDS:
        value = getattr(turn, name)
        data[name] = value.isoformat() if value else None
    return data


def conversation_markdown(*, conversation: Conversation, turns: list[Turn]) -> str:
    """A readable export: title, settings, then each message and answer (reasoning folded)."""
    lines = [f"# {conversation.title}", "", *_settings_lines(conversation), ""]
    for turn in turns:
        lines += ["---", "", "**You**", "", turn.user_text, ""]
        if names := [attachment.name for attachment in _attachments(turn)]:
            lines += ["*Attached: " + ", ".join(names) + "*", ""]
        lines += ["**Assistant**", ""]
        if turn.reasoning_text:
            lines += ["<details>", "<summary>Thinking</summary>", "", turn.reasoning_text]
            lines += ["", "</details>", ""]
        lines += [line for call in turn.tool_calls for line in _tool_call_lines(call)]
        lines += [turn.output_text or "*(no answer)*", "", _turn_note(turn), ""]
    return "\n".join(lines)


def _tool_call_lines(call: dict[str, Any]) -> list[str]:
    """A function call, folded as in the chat: its name, then arguments and result as code."""
    return [
        "<details>",
        f"<summary>Tool: {call.get('name', '')}</summary>",
        "",
        "```json",
        str(call.get("arguments") or "{}"),
        "```",
        "",
        "```text",
        str(call.get("output") or ""),
        "```",
        "",
        "</details>",
        "",
    ]


def _attachments(turn: Turn) -> list:
    """The turn's files as loaded by selectors.turn_list (none when not loaded)."""
    return getattr(turn, "attachment_list", [])


def _settings_lines(conversation: Conversation) -> list[str]:
    temperature = conversation.temperature
    limit = conversation.max_output_tokens
    lines = [
        f"- Model: {conversation.model or 'provider default'}",
        f"- Reasoning effort: {conversation.get_reasoning_effort_display().lower()}",
        f"- Temperature: {'default' if temperature is None else temperature}",
        f"- Max output tokens: {'default' if limit is None else limit}",
    ]
    if conversation.instructions:
        quoted = "\n".join(f"  > {line}" for line in conversation.instructions.splitlines())
        lines += ["- Instructions:", "", quoted]
    return lines


def _turn_note(turn: Turn) -> str:
    """One italic line: the status (and error), the model, the tokens."""
    parts = [turn.get_status_display()]
    if turn.error:
        parts.append(turn.error)
    if turn.model:
        parts.append(turn.model)
    if turn.input_tokens is not None or turn.output_tokens is not None:
        parts.append(f"{turn.input_tokens or 0} in / {turn.output_tokens or 0} out tokens")
    return "*" + " · ".join(parts) + "*"
