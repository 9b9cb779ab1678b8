"""The chat messages a model sees for a request: system text, tools, then the items.

Everything per-request lives in the system message at the start or in the items themselves,
so a chained turn's prompt starts with the previous turn's prompt and reuses its KV cache.
"""

from __future__ import annotations

import json
from typing import Any

from provider.engines.base import ChatMessage
from provider.items import chat_messages


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
