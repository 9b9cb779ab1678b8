"""Pure shaping of provider objects for the admin templates, tolerant of every provider's quirks.

Templates autoescape every string given here; nothing is marked safe.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

PARAMETER_KEYS = (
    "temperature",
    "top_p",
    "max_output_tokens",
    "max_tool_calls",
    "reasoning",
    "text",
    "tool_choice",
    "tools",
    "parallel_tool_calls",
    "truncation",
    "store",
    "background",
    "service_tier",
)
TEXT_PART_TYPES = frozenset({"input_text", "output_text", "summary_text", "reasoning_text"})
# Only these image sources become <img src>; anything else is shown as text.
IMAGE_PREFIXES = ("data:image/", "https://")


def pretty(value: Any) -> str:
    """Indented JSON; strings that hold JSON (function arguments) are decoded first."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


def timestamp(value: Any) -> datetime | None:
    """A Unix time from the wire as an aware datetime."""
    return datetime.fromtimestamp(value, tz=UTC) if isinstance(value, int | float) else None


def usage_view(usage: dict[str, Any] | None) -> dict[str, int] | None:
    """Input, cached, output and reasoning tokens; missing details count as 0 (older captures)."""
    if not usage:
        return None
    return {
        "input": usage.get("input_tokens") or 0,
        "cached": (usage.get("input_tokens_details") or {}).get("cached_tokens") or 0,
        "output": usage.get("output_tokens") or 0,
        "reasoning": (usage.get("output_tokens_details") or {}).get("reasoning_tokens") or 0,
    }


def response_view(response: dict[str, Any]) -> dict[str, Any]:
    """The fields of a Response object the inspection page shows."""
    return {
        "id": response.get("id"),
        "status": response.get("status"),
        "model": response.get("model"),
        "created_at": timestamp(response.get("created_at")),
        "completed_at": timestamp(response.get("completed_at")),
        "instructions": response.get("instructions"),
        "previous_response_id": response.get("previous_response_id"),
        "parameters": [(key, pretty(response[key])) for key in PARAMETER_KEYS if key in response],
        "metadata": pretty(response.get("metadata") or {}),
        "usage": usage_view(response.get("usage")),
        "output": [item_view(item) for item in response.get("output") or []],
        "error": pretty(response["error"]) if response.get("error") else "",
        "incomplete": pretty(response["incomplete_details"])
        if response.get("incomplete_details")
        else "",
    }


def item_view(item: dict[str, Any]) -> dict[str, Any]:
    """One input or output item: id, type, role, and its content as texts, images or JSON."""
    kind = item.get("type") or ("message" if "role" in item else "unknown")
    view = {"id": item.get("id", ""), "type": kind, "role": item.get("role", ""), "parts": []}
    if kind == "message":
        content = item.get("content")
        parts = [{"type": "input_text", "text": content}] if isinstance(content, str) else content
        view["parts"] = [_part_view(part) for part in parts or []]
    elif kind == "reasoning":
        parts = [*(item.get("summary") or []), *(item.get("content") or [])]
        view["parts"] = [_part_view(part) for part in parts]
    elif kind == "function_call":
        view["parts"] = [{"label": item.get("name", ""), "json": pretty(item.get("arguments"))}]
    elif kind == "function_call_output":
        view["parts"] = [{"label": item.get("call_id", ""), "json": pretty(item.get("output"))}]
    else:
        view["parts"] = [{"json": pretty(item)}]
    return view


def _part_view(part: Any) -> dict[str, str]:
    """A content part as text, an image thumbnail, or JSON for anything else."""
    if not isinstance(part, dict):
        return {"json": pretty(part)}
    if part.get("type") in TEXT_PART_TYPES:
        return {"text": str(part.get("text", ""))}
    if part.get("type") == "refusal":
        return {"label": "refusal", "text": str(part.get("refusal", ""))}
    image = part.get("image_url")
    if isinstance(image, str) and image.startswith(IMAGE_PREFIXES):
        return {"image": image}
    return {"json": pretty(part)}
