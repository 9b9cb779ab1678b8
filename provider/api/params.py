"""Validation of `POST /v1/responses` bodies into CreateParams (spec §3, errors of §3.4)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from provider.api.fields import (
    bool_field,
    enum_field,
    integer_field,
    known_keys,
    number_field,
    string_field,
)
from provider.api.formats import parse_text, parse_tool_choice, parse_tools
from provider.api.items import normalize_input
from provider.api.metadata import validate_metadata
from provider.errors import ApiError, invalid_type, invalid_value, missing, string_length
from provider.request import MIN_OUTPUT_TOKENS, CreateParams

# fmt: off
KNOWN_KEYS = frozenset((
    "model", "input", "instructions", "temperature", "top_p", "max_output_tokens",
    "max_tool_calls", "tools", "tool_choice", "parallel_tool_calls", "text", "reasoning",
    "previous_response_id", "conversation", "store", "background", "stream", "stream_options",
    "metadata", "include", "truncation", "top_logprobs", "user", "safety_identifier",
    "prompt_cache_key", "service_tier", "prompt_cache_retention", "prompt_cache_options",
    "prompt", "context_management", "moderation",
))
INCLUDES = [
    "file_search_call.results", "web_search_call.results", "web_search_call.action.sources",
    "message.input_image.image_url", "computer_call_output.output.image_url",
    "code_interpreter_call.outputs", "reasoning.encrypted_content", "message.output_text.logprobs",
]
SERVICE_TIERS = ["auto", "default", "flex", "scale", "priority", "fast", "ultrafast"]
# fmt: on
REASONING_KEYS = ("effort", "summary", "context", "mode", "generate_summary")
EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh"]
SUMMARIES = ["auto", "concise", "detailed"]
MIN_COMPACT_THRESHOLD = 1000
# Without a compact_threshold: compact once a prompt fills half of the engine's window.
DEFAULT_COMPACT_THRESHOLD = max(MIN_COMPACT_THRESHOLD, settings.PROVIDER_CONTEXT_TOKENS // 2)


def parse_create(body: object) -> CreateParams:
    """Validate a create body; raises ApiError with OpenAI's wording on the first problem."""
    if not isinstance(body, dict):
        raise ApiError("The request body must be a JSON object.", code="invalid_json")
    known_keys(body, KNOWN_KEYS)
    for key in ("model", "input"):
        if body.get(key) is None:
            raise missing(key)
    _check_exclusive(body)
    _check_lists(body)
    return CreateParams(
        model=string_field(body, "model") or "",
        input_items=normalize_input(body["input"]),
        instructions=string_field(body, "instructions"),
        # Not the API's 1.0: a small local model at 1.0 drifts into runs of emoji.
        temperature=number_field(
            body, "temperature", settings.PROVIDER_DEFAULT_TEMPERATURE, high=2.0
        ),
        top_p=number_field(body, "top_p", 1.0, high=1.0),
        max_output_tokens=_max_output_tokens(body),
        metadata=validate_metadata(body.get("metadata")),
        effort=_reasoning(body, "effort", EFFORTS),
        summary=_reasoning(body, "summary", SUMMARIES),
        previous_response_id=string_field(body, "previous_response_id"),
        store=bool_field(body, "store", True),
        stream=bool_field(body, "stream", False),
        background=bool_field(body, "background", False),
        include_obfuscation=_obfuscation(body),
        include=list(body.get("include") or []),
        conversation=conversation_id(body.get("conversation")),
        compact_threshold=_compact_threshold(body.get("context_management")),
        **_echoed(body),
    )


def conversation_id(value: object) -> str | None:
    """`conversation`: an id string or `{"id": ...}`."""
    if isinstance(value, dict):
        value = value.get("id")
        if value is None:
            raise missing("conversation.id")
    if value is not None and not isinstance(value, str):
        raise invalid_type("conversation", "a string or an object", value)
    return value


def _compact_threshold(value: object) -> int | None:
    """`context_management`: `[{"type": "compaction", "compact_threshold": N}]`, N >= 1000."""
    if value is None:
        return None
    if not isinstance(value, list) or not value:
        raise invalid_type("context_management", "a non-empty array", value)
    threshold = None
    for index, entry in enumerate(value):
        param = f"context_management[{index}]"
        if not isinstance(entry, dict):
            raise invalid_type(param, "an object", entry)
        known_keys(entry, ("type", "compact_threshold"), prefix=f"{param}.")
        if entry.get("type") != "compaction":
            raise invalid_value(f"{param}.type", entry.get("type"), ["compaction"])
        threshold = integer_field(entry, "compact_threshold")
        if threshold is not None and threshold < MIN_COMPACT_THRESHOLD:
            raise ApiError(
                f"Invalid '{param}.compact_threshold': integer below minimum value. Expected a "
                f"value >= {MIN_COMPACT_THRESHOLD}, but got {threshold} instead.",
                param=f"{param}.compact_threshold",
                code="integer_below_min_value",
            )
    return threshold if threshold is not None else DEFAULT_COMPACT_THRESHOLD


def _check_exclusive(body: dict[str, Any]) -> None:
    """`conversation` and `previous_response_id` cannot be combined; stream_options needs stream."""
    if body.get("conversation") is not None and body.get("previous_response_id") is not None:
        raise ApiError(
            "Mutually exclusive parameters: Ensure you are only providing one of: "
            "'previous_response_id' or 'conversation'.",
            param="conversation",
            code="mutually_exclusive_parameters",
        )
    if body.get("stream_options") is not None and body.get("stream") is not True:
        raise ApiError(
            "Invalid value for 'stream_options': stream_options is only allowed when 'stream' "
            "is true.",
            param="stream_options",
            code="invalid_value",
        )


def check_includes(values: list[Any]) -> None:
    """Every `include` value is one of OpenAI's (in a body or a query string)."""
    for index, value in enumerate(values):
        if value not in INCLUDES:
            raise invalid_value(f"include[{index}]", value, INCLUDES)


def _check_lists(body: dict[str, Any]) -> None:
    """`include` values and `service_tier` from their enums; `top_logprobs` in 0-20."""
    include = body.get("include")
    if include is not None and not isinstance(include, list):
        raise invalid_type("include", "an array", include)
    check_includes(include or [])
    enum_field(body, "service_tier", SERVICE_TIERS)
    top = integer_field(body, "top_logprobs")
    if top is not None and not 0 <= top <= 20:
        low = top < 0
        raise ApiError(
            f"Invalid 'top_logprobs': integer {'below minimum' if low else 'above maximum'} "
            f"value. Expected a value {'>= 0' if low else '<= 20'}, but got {top} instead.",
            param="top_logprobs",
            code="integer_below_min_value" if low else "integer_above_max_value",
        )


def _echoed(body: dict[str, Any]) -> dict[str, Any]:
    """Fields accepted and echoed without changing how the reply is generated."""
    safety = string_field(body, "safety_identifier")
    if safety is not None and len(safety) > 64:
        raise string_length("safety_identifier", safety, high=64)
    tools = parse_tools(body.get("tools"))
    return {
        "tools": tools,
        "tool_choice": _tool_choice(body, tools),
        "top_logprobs": integer_field(body, "top_logprobs") or 0,
        "parallel_tool_calls": bool_field(body, "parallel_tool_calls", True),
        "text": parse_text(body.get("text")),
        "truncation": enum_field(body, "truncation", ["auto", "disabled"]) or "disabled",
        "safety_identifier": safety,
        "prompt_cache_key": string_field(body, "prompt_cache_key"),
        "user": string_field(body, "user"),
        "max_tool_calls": integer_field(body, "max_tool_calls"),
    }


def _max_output_tokens(body: dict[str, Any]) -> int | None:
    """`max_output_tokens`, at least 16."""
    value = integer_field(body, "max_output_tokens")
    if value is not None and value < MIN_OUTPUT_TOKENS:
        raise ApiError(
            "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= "
            f"{MIN_OUTPUT_TOKENS}, but got {value} instead.",
            param="max_output_tokens",
            code="integer_below_min_value",
        )
    return value


def _reasoning(body: dict[str, Any], key: str, allowed: list[str]) -> str | None:
    """`reasoning.<key>` checked against its enum (and no key outside the spec's)."""
    reasoning = body.get("reasoning")
    if reasoning is None:
        return None
    if not isinstance(reasoning, dict):
        raise invalid_type("reasoning", "an object", reasoning)
    known_keys(reasoning, REASONING_KEYS, prefix="reasoning.")
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


def _tool_choice(body: dict[str, Any], tools: list[dict[str, Any]]) -> Any:
    """`tool_choice`; `required` needs at least one tool."""
    choice = parse_tool_choice(body.get("tool_choice"), tools)
    if choice == "required" and not tools:
        raise ApiError(
            "Tool choice 'required' must be specified with 'tools' parameter.",
            param="tool_choice",
            code="invalid_value",
        )
    return choice
