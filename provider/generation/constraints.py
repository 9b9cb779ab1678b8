"""What a request asks of its reply: the tools it may or must call (`tool_choice`) and the JSON
schemas it is decoded against (`text.format`, forced calls' `parameters`)."""

from __future__ import annotations

from typing import Any


def choice_mode(choice: str | dict[str, Any]) -> str:
    """`none`, `auto` or `required`: whether the reply may, or must, call a tool."""
    if isinstance(choice, dict):
        return choice.get("mode", "required")  # a named function must be called
    return choice


def choice_tools(tools: list[dict[str, Any]], choice: str | dict[str, Any]) -> list[dict[str, Any]]:
    """The tools the choice lets the model call."""
    if choice == "none":
        return []
    if isinstance(choice, dict):
        named = [choice] if choice["type"] == "function" else choice["tools"]
        names = {entry["name"] for entry in named}
        return [tool for tool in tools if tool["name"] in names]
    return list(tools)


def forced_tools(tools: list[dict[str, Any]], choice: str | dict[str, Any]) -> list[dict[str, Any]]:
    """The tools one of which must be called (empty when the reply may be text)."""
    return choice_tools(tools, choice) if choice_mode(choice) == "required" else []


def output_schema(text: dict[str, Any]) -> dict[str, Any] | None:
    """The JSON schema constraining a message's text, or None for plain text."""
    fmt = text["format"]
    if fmt["type"] == "json_schema":
        return fmt["schema"]
    return {"type": "object"} if fmt["type"] == "json_object" else None


def decoded_schemas(
    text: dict[str, Any], tools: list[dict[str, Any]], choice: str | dict[str, Any]
) -> list[tuple[str, str, dict[str, Any]]]:
    """(param, what, schema) for each client schema a reply may be decoded against.

    That is a `json_schema` format and the parameters of the tools a call is forced among.
    """
    found = []
    fmt = text["format"]
    if fmt["type"] == "json_schema":
        found.append(("text.format.schema", f"response_format '{fmt['name']}'", fmt["schema"]))
    forced = {tool["name"] for tool in forced_tools(tools, choice)}
    for index, tool in enumerate(tools):
        if tool["name"] in forced and tool["parameters"] is not None:
            what = f"function '{tool['name']}'"
            found.append((f"tools[{index}].parameters", what, tool["parameters"]))
    return found
