"""The provider's `x-ratelimit-*` headers: parsed, and the latest kept per provider and model."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


@dataclass(frozen=True)
class RateLimits:
    """Requests and tokens left in the provider's current window, and when each resets (s)."""

    limit_requests: int | None
    remaining_requests: int | None
    reset_requests: float | None
    limit_tokens: int | None
    remaining_tokens: int | None
    reset_tokens: float | None


@dataclass(frozen=True)
class Observation:
    """Rate limits as last seen (wall-clock time, so other processes can read their age)."""

    limits: RateLimits
    observed_at: float


# The latest headers seen in this process, per (provider URL, model).
latest: dict[tuple[str, str], Observation] = {}


def duration_parse(value: str | None) -> float | None:
    """Seconds of OpenAI's reset durations ("1s", "6m0s", "20ms", "1h2m3.5s") or a bare number."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    parts = _DURATION.findall(value.strip())
    if not parts or "".join(n + u for n, u in parts) != value.strip():
        return None
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def ratelimits_parse(headers: httpx.Headers) -> RateLimits | None:
    """The `x-ratelimit-*` headers of one answer, or None when it has none."""
    if not any(name.startswith("x-ratelimit-") for name in headers):
        return None
    return RateLimits(
        limit_requests=_int(headers.get("x-ratelimit-limit-requests")),
        remaining_requests=_int(headers.get("x-ratelimit-remaining-requests")),
        reset_requests=duration_parse(headers.get("x-ratelimit-reset-requests")),
        limit_tokens=_int(headers.get("x-ratelimit-limit-tokens")),
        remaining_tokens=_int(headers.get("x-ratelimit-remaining-tokens")),
        reset_tokens=duration_parse(headers.get("x-ratelimit-reset-tokens")),
    )


def ratelimits_record(*, base_url: str, model: str, headers: httpx.Headers) -> None:
    """Keep the answer's rate limits as the latest for this provider and model."""
    limits = ratelimits_parse(headers)
    if limits is not None:
        latest[(base_url, model)] = Observation(limits=limits, observed_at=time.time())
