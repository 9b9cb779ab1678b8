"""Running one call the model made: parse and check its arguments, run it under a time limit.

Whatever goes wrong (bad JSON, unknown tool, a failing or slow function) becomes the call's
output, so the model reads the error and may try again; a call never fails the turn.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any

import jsonschema
from channels.db import database_sync_to_async
from django.conf import settings

from conversations.tools.base import Tool, ToolContext
from conversations.tools.registry import tool_get

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ToolResult:
    """A call's output for the model, and whether the tool ran to a result."""

    output: str
    ok: bool


class ToolRefused(Exception):
    """The call cannot run as made: its message is the output the model gets."""


async def tool_call_run(
    *, name: str, arguments: str, context: ToolContext, allowed: list[str]
) -> ToolResult:
    """Run the model's call of `name` with its JSON `arguments`, if `allowed` holds the tool."""
    try:
        tool, kwargs = _call_checked(name=name, arguments=arguments, allowed=allowed)
        output = await asyncio.wait_for(
            _call(tool, context, kwargs), timeout=settings.CHAT_TOOL_TIMEOUT_SECONDS
        )
    except ToolRefused as exc:
        return ToolResult(output=f"Error: {exc}", ok=False)
    except TimeoutError:
        seconds = settings.CHAT_TOOL_TIMEOUT_SECONDS
        return ToolResult(output=f"Error: {name} did not finish within {seconds:g} s.", ok=False)
    except ValueError as exc:
        # Tools raise ValueError (and subclasses) for input they cannot work with.
        return ToolResult(output=f"Error: {exc}", ok=False)
    except Exception:
        logger.exception("Tool %s failed", name)
        return ToolResult(output=f"Error: {name} failed on our side.", ok=False)
    return ToolResult(output=output, ok=True)


def _call_checked(*, name: str, arguments: str, allowed: list[str]) -> tuple[Tool, dict[str, Any]]:
    tool = tool_get(name=name) if name in allowed else None
    if tool is None:
        raise ToolRefused(f"there is no tool named {name!r} in this conversation.")
    try:
        kwargs = json.loads(arguments or "{}")
    except json.JSONDecodeError as exc:
        raise ToolRefused(f"the arguments are not valid JSON ({exc.msg}).") from None
    try:
        jsonschema.validate(kwargs, tool.parameters)
    except jsonschema.ValidationError as exc:
        raise ToolRefused(f"the arguments do not match the tool's schema: {exc.message}.") from None
    return tool, kwargs


async def _call(tool: Tool, context: ToolContext, kwargs: dict[str, Any]) -> str:
    if tool.uses_db:
        return await database_sync_to_async(tool.run)(context, **kwargs)
    # A thread of its own: a slow pure function must not hold up the database thread.
    return await asyncio.to_thread(tool.run, context, **kwargs)
