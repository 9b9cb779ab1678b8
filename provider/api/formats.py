"""Validation of `text`, `tools` and `tool_choice` of a create request (spec §3.1-§3.2)."""

from __future__ import annotations

import re
from typing import Any

from provider.errors import ApiError, invalid_type, invalid_value, missing, string_length

FORMAT_TYPES = ["text", "json_object", "json_schema"]
VERBOSITIES = ["low", "medium", "high"]
TOOL_CHOICES = ["none", "auto", "required"]
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]+$")
MAX_TOOL_NAME_LENGTH = 64
FORMAT_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def parse_text(value: object) -> dict[str, Any]:
    """`text`: the output format (plain, any JSON object, or a JSON schema) and verbosity."""
    if value is None:
        return {"format": {"type": "text"}, "verbosity": "medium"}
    if not isinstance(value, dict):
        raise invalid_type("text", "an object", value)
    verbosity = value.get("verbosity") or "medium"
    if verbosity not in VERBOSITIES:
        raise invalid_value("text.verbosity", verbosity, VERBOSITIES)
    return {"format": _format(value.get("format")), "verbosity": verbosity}


def _format(value: object) -> dict[str, Any]:
    """`text.format`."""
    if value is None:
        return {"type": "text"}
    if not isinstance(value, dict):
        raise invalid_type("text.format", "an object", value)
    kind = value.get("type")
    if kind is None:
        raise missing("text.format.type")
    if kind not in FORMAT_TYPES:
        raise invalid_value("text.format.type", kind, FORMAT_TYPES)
    if kind != "json_schema":
        return {"type": kind}
    return _json_schema_format(value)


def _json_schema_format(value: dict[str, Any]) -> dict[str, Any]:
    """A `json_schema` format: `name` and `schema` required, `strict` echoed as a bool."""
    for key in ("name", "schema"):
        if value.get(key) is None:
            raise missing(f"text.format.{key}")
    name = value["name"]
    if not isinstance(name, str) or not FORMAT_NAME.match(name):
        raise ApiError(
            f"Invalid 'text.format.name': string does not match pattern. Expected a string "
            f"that matches the pattern '^[a-zA-Z0-9_-]+$' (at most 64 characters), "
            f"but got '{name}' instead.",
            param="text.format.name",
            code="invalid_value",
        )
    if not isinstance(value["schema"], dict):
        raise invalid_type("text.format.schema", "an object", value["schema"])
    return {
        "type": "json_schema",
        "name": name,
        "description": value.get("description"),
        "schema": value["schema"],
        "strict": bool(value.get("strict") or False),
    }


def parse_tools(value: object) -> list[dict[str, Any]]:
    """`tools`: function tools are echoed; hosted tools are not available offline."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_type("tools", "an array", value)
    return [_tool(tool, index) for index, tool in enumerate(value)]


def _tool(tool: object, index: int) -> dict[str, Any]:
    """One function tool with all of type, name, description, parameters and strict."""
    if not isinstance(tool, dict) or tool.get("type") != "function":
        kind = tool.get("type") if isinstance(tool, dict) else tool
        raise invalid_value(f"tools[{index}].type", kind, ["function"])
    if not isinstance(tool.get("name"), str) or not tool["name"]:
        raise missing(f"tools[{index}].name")
    _check_tool_name(tool["name"], param=f"tools[{index}].name")
    parameters = tool.get("parameters")
    if parameters is not None and not isinstance(parameters, dict):
        raise invalid_type(f"tools[{index}].parameters", "an object", parameters)
    strict = tool.get("strict")
    return {
        "type": "function",
        "name": tool["name"],
        "description": tool.get("description"),
        "parameters": parameters,
        "strict": True if strict is None else bool(strict),
    }


def _check_tool_name(name: str, *, param: str) -> None:
    """A function name as OpenAI takes it: letters, digits, _ and -, at most 64 characters."""
    if len(name) > MAX_TOOL_NAME_LENGTH:
        raise string_length(param, name, high=MAX_TOOL_NAME_LENGTH)
    if not TOOL_NAME.fullmatch(name):
        raise ApiError(
            f"Invalid '{param}': string does not match pattern. Expected a string that matches "
            f"the pattern '{TOOL_NAME.pattern}'.",
            param=param,
            code="invalid_value",
        )


def parse_tool_choice(value: object, tools: list[dict[str, Any]]) -> str | dict[str, Any]:
    """`tool_choice`: none, auto, required, a named function or allowed_tools among `tools`."""
    if value is None:
        return "auto"
    if isinstance(value, str):
        if value not in TOOL_CHOICES:
            raise invalid_value("tool_choice", value, TOOL_CHOICES)
        return value
    if not isinstance(value, dict):
        raise invalid_type("tool_choice", "a string or an object", value)
    if value.get("type") == "allowed_tools":
        return _allowed_tools(value, tools)
    if value.get("type") != "function":
        raise invalid_value("tool_choice.type", value.get("type"), ["function", "allowed_tools"])
    return {"type": "function", "name": _tool_name(value.get("name"), tools)}


def _allowed_tools(value: dict[str, Any], tools: list[dict[str, Any]]) -> dict[str, Any]:
    """`{"type": "allowed_tools", "mode": ..., "tools": [...]}`: a subset of `tools`."""
    mode = value.get("mode")
    if mode is None:
        raise missing("tool_choice.mode")
    if mode not in ("auto", "required"):
        raise invalid_value("tool_choice.mode", mode, ["auto", "required"])
    listed = value.get("tools")
    if not isinstance(listed, list) or not listed:
        raise invalid_type("tool_choice.tools", "a non-empty array", listed)
    names = []
    for index, entry in enumerate(listed):
        param = f"tool_choice.tools[{index}]"
        if not isinstance(entry, dict) or entry.get("type") != "function":
            raise invalid_value(f"{param}.type", (entry or {}).get("type"), ["function"])
        if entry.get("name") is None:
            raise missing(f"{param}.name")
        names.append(_tool_name(entry.get("name"), tools))
    allowed = [{"type": "function", "name": name} for name in names]
    return {"type": "allowed_tools", "mode": mode, "tools": allowed}


def _tool_name(name: object, tools: list[dict[str, Any]]) -> str:
    """A function name that `tools` holds."""
    if name not in {tool["name"] for tool in tools}:
        raise ApiError(
            f"Tool choice '{name}' not found in 'tools' parameter.",
            param="tool_choice",
            code="invalid_value",
        )
    return str(name)
