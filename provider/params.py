"""Validation of `POST /v1/responses` bodies into CreateParams (spec §3, errors of §3.4)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from provider.errors import ApiError, invalid_type, invalid_value
from provider.items import normalize_input
from provider.metadata import validate_metadata

# fmt: off
KNOWN_KEYS = frozenset((
    "model", "input", "instructions", "temperature", "top_p", "max_output_tokens",
    "max_tool_calls", "tools", "tool_choice", "parallel_tool_calls", "text", "reasoning",
    "previous_response_id", "conversation", "store", "background", "stream", "stream_options",
    "metadata", "include", "truncation", "top_logprobs", "user", "safety_identifier",
    "prompt_cache_key", "service_tier", "prompt_cache_retention", "prompt_cache_options",
    "prompt", "context_management", "moderation",
))
# fmt: on
EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh"]
SUMMARIES = ["auto", "concise", "detailed"]
MIN_OUTPUT_TOKENS = 16


@dataclass
class CreateParams:
    """A validated create request."""

    model: str
    input_items: list[dict[str, Any]]
    instructions: str | None = None
    temperature: float = 1.0
    top_p: float = 1.0
    max_output_tokens: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    effort: str | None = None
    summary: str | None = None
    previous_response_id: str | None = None
    store: bool = True
    stream: bool = False
    background: bool = False
    include_obfuscation: bool = True
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: Any = "auto"
    parallel_tool_calls: bool = True
    text: dict[str, Any] = field(default_factory=lambda: {"format": {"type": "text"}})
    truncation: str = "disabled"
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    user: str | None = None
    max_tool_calls: int | None = None

    @property
    def reasons(self) -> bool:
        """Whether the response gets a reasoning item."""
        return self.effort not in (None, "none")

    def echo(self) -> dict[str, Any]:
        """The request fields a Response object echoes."""
        return {
            "instructions": self.instructions,
            "max_output_tokens": self.max_output_tokens,
            "max_tool_calls": self.max_tool_calls,
            "metadata": dict(self.metadata),
            "model": self.model,
            "parallel_tool_calls": self.parallel_tool_calls,
            "previous_response_id": self.previous_response_id,
            "prompt_cache_key": self.prompt_cache_key,
            "reasoning": {"effort": self.effort, "summary": self.summary},
            "safety_identifier": self.safety_identifier,
            "service_tier": "default",
            "store": self.store,
            "temperature": self.temperature,
            "text": {"verbosity": "medium", **self.text},
            "tool_choice": self.tool_choice,
            "tools": self.tools,
            "top_logprobs": 0,
            "top_p": self.top_p,
            "truncation": self.truncation,
            "user": self.user,
            "frequency_penalty": 0.0,
            "presence_penalty": 0.0,
        }


def parse_create(body: object) -> CreateParams:
    """Validate a create body; raises ApiError with OpenAI's wording on the first problem."""
    if not isinstance(body, dict):
        raise ApiError("The request body must be a JSON object.", code="invalid_json")
    for key in body:
        if key not in KNOWN_KEYS:
            raise ApiError(f"Unknown parameter: '{key}'.", param=key, code="unknown_parameter")
    for key in ("model", "input"):
        if body.get(key) is None:
            raise ApiError(
                f"Missing required parameter: '{key}'.",
                param=key,
                code="missing_required_parameter",
            )
    if body.get("conversation") is not None:
        raise ApiError("Conversations are not supported by this server yet.", param="conversation")
    return CreateParams(
        model=_string(body, "model") or "",
        input_items=normalize_input(body["input"]),
        instructions=_string(body, "instructions"),
        temperature=_number(body, "temperature", 1.0, high=2.0),
        top_p=_number(body, "top_p", 1.0, high=1.0),
        max_output_tokens=_max_output_tokens(body),
        metadata=validate_metadata(body.get("metadata")),
        effort=_reasoning(body, "effort", EFFORTS),
        summary=_reasoning(body, "summary", SUMMARIES),
        previous_response_id=_string(body, "previous_response_id"),
        store=_bool(body, "store", True),
        stream=_bool(body, "stream", False),
        background=_bool(body, "background", False),
        include_obfuscation=_obfuscation(body),
        **_echoed(body),
    )


def _echoed(body: dict[str, Any]) -> dict[str, Any]:
    """Fields accepted and echoed without changing how the reply is generated."""
    safety = _string(body, "safety_identifier")
    if safety is not None and len(safety) > 64:
        raise ApiError(
            "Invalid 'safety_identifier': string too long. Expected a string with maximum "
            f"length 64, but got a string with length {len(safety)} instead.",
            param="safety_identifier",
            code="string_above_max_length",
        )
    return {
        "tools": _tools(body.get("tools")),
        "tool_choice": body.get("tool_choice") or "auto",
        "parallel_tool_calls": _bool(body, "parallel_tool_calls", True),
        "text": _text(body.get("text")),
        "truncation": _enum(body, "truncation", ["auto", "disabled"]) or "disabled",
        "safety_identifier": safety,
        "prompt_cache_key": _string(body, "prompt_cache_key"),
        "user": _string(body, "user"),
        "max_tool_calls": _integer(body, "max_tool_calls"),
    }


def _string(body: dict[str, Any], key: str) -> str | None:
    """An optional string field."""
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise invalid_type(key, "a string", value)
    return value


def _bool(body: dict[str, Any], key: str, default: bool) -> bool:
    """An optional boolean field."""
    value = body.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid_type(key, "a boolean", value)
    return value


def _integer(body: dict[str, Any], key: str) -> int | None:
    """An optional integer field."""
    value = body.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise invalid_type(key, "an integer", value)
    return value


def _enum(body: dict[str, Any], key: str, allowed: list[str]) -> str | None:
    """An optional string field restricted to `allowed`."""
    value = _string(body, key)
    if value is not None and value not in allowed:
        raise invalid_value(key, value, allowed)
    return value


def _number(body: dict[str, Any], key: str, default: float, *, high: float) -> float:
    """An optional number in [0, high]."""
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid_type(key, "a number", value)
    if value < 0:
        raise _out_of_range(key, value, "below minimum", ">= 0", "decimal_below_min_value")
    if value > high:
        limit = f"<= {high:g}"
        raise _out_of_range(key, value, "above maximum", limit, "decimal_above_max_value")
    return float(value)


def _out_of_range(key: str, value: float, side: str, limit: str, code: str) -> ApiError:
    """400 for a number outside its range, in OpenAI's wording."""
    return ApiError(
        f"Invalid '{key}': decimal {side} value. Expected a value {limit}, "
        f"but got {value:g} instead.",
        param=key,
        code=code,
    )


def _max_output_tokens(body: dict[str, Any]) -> int | None:
    """`max_output_tokens`, at least 16."""
    value = _integer(body, "max_output_tokens")
    if value is not None and value < MIN_OUTPUT_TOKENS:
        raise ApiError(
            "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= "
            f"{MIN_OUTPUT_TOKENS}, but got {value} instead.",
            param="max_output_tokens",
            code="integer_below_min_value",
        )
    return value


def _reasoning(body: dict[str, Any], key: str, allowed: list[str]) -> str | None:
    """`reasoning.<key>` checked against its enum."""
    reasoning = body.get("reasoning")
    if reasoning is None:
        return None
    if not isinstance(reasoning, dict):
        raise invalid_type("reasoning", "an object", reasoning)
    value = reasoning.get(key)
    if value is not None and value not in allowed:
        raise invalid_value(f"reasoning.{key}", value, allowed)
    return value


def _obfuscation(body: dict[str, Any]) -> bool:
    """`stream_options.include_obfuscation` (default on)."""
    options = body.get("stream_options") or {}
    if not isinstance(options, dict):
        raise invalid_type("stream_options", "an object", options)
    return bool(options.get("include_obfuscation", True))


def _text(value: object) -> dict[str, Any]:
    """`text`: only the plain text format is generated by this server for now."""
    if value is None:
        return {"format": {"type": "text"}}
    if not isinstance(value, dict):
        raise invalid_type("text", "an object", value)
    kind = (value.get("format") or {"type": "text"}).get("type")
    if kind != "text":
        raise invalid_value("text.format.type", kind, ["text"])
    return {"format": {"type": "text"}, "verbosity": value.get("verbosity") or "medium"}


def _tools(value: object) -> list[dict[str, Any]]:
    """`tools`: function tools are echoed; hosted tools are not available offline."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_type("tools", "an array", value)
    tools = []
    for index, tool in enumerate(value):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            kind = tool.get("type") if isinstance(tool, dict) else tool
            raise invalid_value(f"tools[{index}].type", kind, ["function"])
        keys = ("type", "name", "description", "parameters", "strict")
        tools.append({key: tool.get(key) for key in keys} | {"strict": tool.get("strict", True)})
    return tools
