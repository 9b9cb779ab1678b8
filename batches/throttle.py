"""How many requests a worker may have in flight, and when the next may start.

AIMD: each answered request adds 1/limit to the limit (about +1 per round of requests), a 429
halves it (at most once per `HALVE_COOLDOWN_SECONDS`, so one burst of 429s counts once), never
below 1 nor above the run's concurrency. `retry-after` and the `x-ratelimit-*` headers pause
new requests: when the provider's remaining requests, minus those we sent since that answer's
request, reach 0, nothing new starts before the window resets. Pure logic with an injected
clock, so tests drive it with a fake one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from responses_client.ratelimits import RateLimits

HALVE_COOLDOWN_SECONDS = 1.0


class Throttle:
    """The in-flight limit and start gate of one worker's requests to one provider."""

    def __init__(self, *, ceiling: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.ceiling = max(1, ceiling)
        self.limit = float(self.ceiling)
        self.in_flight = 0
        self.sent = 0
        self.paused_until = -math.inf
        self.clock = clock
        self._halved_at = -math.inf

    @property
    def window(self) -> int:
        """Requests that may be in flight now."""
        return max(1, int(self.limit))

    def wait_seconds(self) -> float:
        """0 when a request may start now, else how long until the pause ends (inf if full)."""
        pause = self.paused_until - self.clock()
        if pause > 0:
            return pause
        return 0.0 if self.in_flight < self.window else math.inf

    def start(self) -> int:
        """Count a request as sent; returns its sequence number (for `observe`)."""
        self.in_flight += 1
        self.sent += 1
        return self.sent

    def finish(self, *, ok: bool) -> None:
        """A request ended; an answered one raises the limit additively."""
        self.in_flight -= 1
        if ok:
            self.limit = min(float(self.ceiling), self.limit + 1 / self.limit)

    def rate_limited(self, *, retry_after: float | None) -> None:
        """A 429: halve the limit (once per cooldown) and pause for retry-after."""
        now = self.clock()
        if now - self._halved_at >= HALVE_COOLDOWN_SECONDS:
            self.limit = max(1.0, self.limit / 2)
            self._halved_at = now
        self.pause(seconds=retry_after if retry_after is not None else 1.0)

    def pause(self, *, seconds: float) -> None:
        """Start nothing new for `seconds` (an existing longer pause stands)."""
        self.paused_until = max(self.paused_until, self.clock() + max(0.0, seconds))

    def observe(self, *, sequence: int, limits: RateLimits) -> None:
        """Read an answer's headers; `sequence` is its request's number from `start`."""
        sent_since = self.sent - sequence
        # Our requests sent after this one are not in its count yet.
        if limits.remaining_requests is not None and limits.remaining_requests - sent_since <= 0:
            self.pause(seconds=_or_one(limits.reset_requests))
        # Tokens per request are unknown ahead: only an exhausted token budget pauses.
        if limits.remaining_tokens is not None and limits.remaining_tokens <= 0:
            self.pause(seconds=_or_one(limits.reset_tokens))


def _or_one(seconds: float | None) -> float:
    return 1.0 if seconds is None else seconds
