"""Token usage of a response, read from the provider's `usage` object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Usage:
    """Token counts of one response (None where the provider did not report them)."""

    input_tokens: int | None
    output_tokens: int | None
    reasoning_tokens: int | None
    cached_tokens: int | None


def usage_parse(*, usage: dict[str, Any] | None) -> Usage | None:
    """Token counts; details missing from older providers read as 0."""
    if not usage:
        return None
    return Usage(
        input_tokens=usage.get("input_tokens"),
        output_tokens=usage.get("output_tokens"),
        reasoning_tokens=(usage.get("output_tokens_details") or {}).get("reasoning_tokens", 0),
        cached_tokens=(usage.get("input_tokens_details") or {}).get("cached_tokens", 0),
    )


def usage_add(first: Usage | None, second: Usage | None) -> Usage | None:
    """The counts of two responses together (a turn's tool rounds); None only when both are."""
    if first is None or second is None:
        return first or second
    return Usage(
        **{
            name: None if a is None and b is None else (a or 0) + (b or 0)
            for name in ("input_tokens", "output_tokens", "reasoning_tokens", "cached_tokens")
            for a, b in [(getattr(first, name), getattr(second, name))]
        }
    )
