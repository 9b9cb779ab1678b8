"""The provider client's retry policy, the openai SDK's: which answers to retry, and when."""

from __future__ import annotations

import email.utils
import random
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

RETRY_AFTER_MAX_SECONDS = 120.0
RETRYABLE_STATUSES = frozenset({408, 409, 429})


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the provider asks us to wait, from retry-after-ms or retry-after, if any."""
    try:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
    except ValueError:
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return when.timestamp() - time.time()


def retry_wanted(response: httpx.Response) -> bool:
    """The openai SDK's rule: long retry-after forbids, x-should-retry overrides, then status."""
    delay = retry_after(response.headers)
    if delay is not None and delay > RETRY_AFTER_MAX_SECONDS:
        return False
    override = response.headers.get("x-should-retry")
    if override in ("true", "false"):
        return override == "true"
    return response.status_code in RETRYABLE_STATUSES or response.status_code >= 500


def retry_delay(*, headers: httpx.Headers | None, retries_taken: int) -> float:
    """Honour retry-after within (0, 120] s, else exponential backoff with 25 % jitter."""
    delay = retry_after(headers) if headers is not None else None
    if delay is not None and 0 < delay <= RETRY_AFTER_MAX_SECONDS:
        return delay
    return min(0.5 * 2**retries_taken, 8.0) * (1 - 0.25 * random.random())
