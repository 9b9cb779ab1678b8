"""The function tools a conversation can turn on: the built-in ones and any registered.

A developer adds one with a function and a JSON schema: `tool_register(Tool(...))`, from a
module of this package listed in BUILTINS or from any app's `ready()`; conversation settings
then offer it as a checkbox.
"""

from __future__ import annotations

from typing import Any

from conversations.tools import calculator, clock, history
from conversations.tools.base import Tool

BUILTINS = (calculator.TOOL, clock.TOOL, history.TOOL)
_tools: dict[str, Tool] = {tool.name: tool for tool in BUILTINS}


def tool_register(tool: Tool) -> Tool:
    """Make a tool available to conversations (a second one with the same name replaces it)."""
    _tools[tool.name] = tool
    return tool


def tool_get(*, name: str) -> Tool | None:
    """The registered tool of that name, or None."""
    return _tools.get(name)


def tool_names() -> list[str]:
    """The names of every registered tool, sorted."""
    return sorted(_tools)


def tool_definitions(*, names: list[str]) -> list[dict[str, Any]]:
    """The request's `tools` entries for the named tools (unknown names are skipped)."""
    tools = [tool for name in names if (tool := _tools.get(name)) is not None]
    return [
        {
            "type": "function",
            "name": tool.name,
            "description": tool.description,
            "parameters": tool.parameters,
        }
        for tool in tools
    ]
