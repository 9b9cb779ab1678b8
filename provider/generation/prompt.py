"""The chat messages a model sees for a request: system text, tools, then the items.

Everything per-request lives in the system message at the start or in the items themselves,
so a chained turn's prompt starts with the previous turn's prompt and reuses its KV cache.
"""

from __future__ import annotations

import json
from typing import Any

from provider.engines.base import ChatMessage
from provider.sealing import unseal

# A compaction item is read as a user turn, as function results are: the small model (and the
# scripted engine's [recall]) take earlier context from user turns.
SUMMARY_NOTE = "Summary of our earlier conversation: "
# The local model reads text only; telling it keeps it from pretending to see the image.
IMAGE_NOTE = "[An image is attached here, but you cannot see images; say so if asked about it.]"


def tools_text(tools: list[dict[str, Any]]) -> str:
    """A description of the function tools for the system message."""
    lines = ["You can call these functions:"]
    for tool in tools:
        parameters = json.dumps(tool["parameters"] or {}, separators=(",", ":"))
        description = f": {tool['description']}" if tool["description"] else ""
        lines.append(f"- {tool['name']}{description} Parameters: {parameters}")
    return "\n".join(lines)


def system_text(instructions: str | None, tools: list[dict[str, Any]], choice: Any) -> str | None:
    """Instructions, then the tools unless `tool_choice` is `none`."""
    parts = [instructions] if instructions else []
    if tools and choice != "none":
        parts.append(tools_text(tools))
    return "\n\n".join(parts) or None


def prompt_messages(
    items: list[dict[str, Any]],
    *,
    instructions: str | None,
    tools: list[dict[str, Any]],
    tool_choice: Any,
) -> list[ChatMessage]:
    """The messages for these context items and request settings."""
    return chat_messages(items, instructions=system_text(instructions, tools, tool_choice))


def chat_messages(items: list[dict[str, Any]], *, instructions: str | None) -> list[ChatMessage]:
    """The chat messages a model sees for these items (reasoning items are not replayed)."""
    messages: list[ChatMessage] = []
    if instructions:
        messages.append({"role": "system", "content": instructions})
    for item in items:
        message = _chat_message(item)
        if message is not None:
            messages.append(message)
    return messages


def _chat_message(item: dict[str, Any]) -> ChatMessage | None:
    """One item as a chat message, or None for items a chat model cannot take."""
    kind = item.get("type", "message")
    if kind == "message":
        role = "system" if item.get("role") == "developer" else str(item.get("role"))
        return {"role": role, "content": parts_text(item.get("content"))}
    if kind == "function_call":
        return {
            "role": "assistant",
            "content": f"Called {item.get('name')}({item.get('arguments', '')})",
        }
    if kind == "function_call_output":
        output = item.get("output")
        text = output if isinstance(output, str) else parts_text(output)
        return {"role": "user", "content": f"Result of {item.get('call_id')}: {text}"}
    if kind == "compaction":
        return {"role": "user", "content": SUMMARY_NOTE + unseal(item.get("encrypted_content"))}
    return None


def parts_text(content: object) -> str:
    """Plain text of message content (a string or content parts)."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return "\n".join(filter(None, (_part_text(part) for part in content)))


def _part_text(part: object) -> str:
    """Plain text of one content part; images and files become short placeholders."""
    if not isinstance(part, dict):
        return ""
    kind = part.get("type")
    if kind in {"input_text", "output_text", "text", "reasoning_text", "summary_text"}:
        return str(part.get("text") or "")
    if kind == "refusal":
        return str(part.get("refusal") or "")
    if kind == "input_image":
        return IMAGE_NOTE
    if kind == "input_file":
        return f"[file {part.get('filename') or part.get('file_id') or ''}]".replace(" ]", "]")
    return ""
