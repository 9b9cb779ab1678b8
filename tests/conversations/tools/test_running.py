"""Running a call: every failure becomes an output the model reads."""

from __future__ import annotations

import pytest

from conversations.tools import registry
from conversations.tools.base import Tool, ToolContext
from conversations.tools.running import tool_call_run

CONTEXT = ToolContext(owner_id=1)


async def run(name: str, arguments: str, allowed=("calculator",)):
    return await tool_call_run(
        name=name, arguments=arguments, context=CONTEXT, allowed=list(allowed)
    )


async def test_a_call_returns_the_tool_s_output():
    result = await run("calculator", '{"expression": "6*7"}')
    assert (result.ok, result.output) == (True, "6*7 = 42")


@pytest.mark.parametrize(
    ("name", "arguments", "output"),
    [
        (
            "calculator",
            "[1, 2",
            "Error: the arguments are not valid JSON (Expecting ',' delimiter).",
        ),
        (
            "calculator",
            "{}",
            "Error: the arguments do not match the tool's schema: "
            "'expression' is a required property.",
        ),
        (
            "calculator",
            '{"expression": 5}',
            "Error: the arguments do not match the tool's schema: 5 is not of type 'string'.",
        ),
        (
            "current_time",
            "{}",
            "Error: there is no tool named 'current_time' in this conversation.",
        ),
        ("rm", "{}", "Error: there is no tool named 'rm' in this conversation."),
    ],
)
async def test_bad_calls_are_told_what_is_wrong(name, arguments, output):
    result = await run(name, arguments)
    assert (result.ok, result.output) == (False, output)


async def test_a_crashing_tool_is_an_error_output_not_a_crash(monkeypatch):
    def crash(context):
        raise RuntimeError("internal detail")

    monkeypatch.setitem(registry._tools, "crash", Tool("crash", "", {"type": "object"}, crash))
    result = await run("crash", "{}", allowed=["crash"])
    assert (result.ok, result.output) == (False, "Error: crash failed on our side.")


def test_a_registered_tool_is_offered_and_defined(monkeypatch):
    monkeypatch.setattr(registry, "_tools", dict(registry._tools))
    registry.tool_register(Tool("echo", "Repeat.", {"type": "object"}, lambda context: "x"))
    assert "echo" in registry.tool_names()
    assert registry.tool_definitions(names=["echo"])[0]["description"] == "Repeat."
