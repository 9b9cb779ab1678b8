"""How many requests a worker may have in flight, and when the next may start.

AIMD: each answered request adds 1/limit to the limit (about +1 per round of requests), a 429
halves it (at most once per `HALVE_COOLDOWN_SECONDS`, so one burst of 429s counts once), never
below 1 nor above the run's concurrency. `retry-after` and the `x-ratelimit-*` headers pause
new requests: the provider's remaining requests, less those we sent since that answer's
request, are a budget each start spends; once it is spent nothing new starts before the reset.
Pure logic with an injected clock, so tests drive it with a fake one.
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
        # The provider's request budget as last reported: (remaining, sequence, reset deadline).
        self._budget: tuple[int, int, float] | None = None

    @property
    def window(self) -> int:
        """Requests that may be in flight now."""
        return max(1, int(self.limit))

    def wait_seconds(self) -> float:
        """0 when a request may start now, else how long until the pause ends (inf if full)."""
        now = self.clock()
        pause = max(self.paused_until, self._budget_deadline(now)) - now
        if pause > 0:
            return pause
        return 0.0 if self.in_flight < self.window else math.inf

    def _budget_deadline(self, now: float) -> float:
        """The reset time while the reported budget, less what we sent since, is spent."""
        if self._budget is None:
            return -math.inf
        remaining, sequence, deadline = self._budget
        if now >= deadline:
            self._budget = None
            return -math.inf
        # Our requests sent after that answer's request are not in its count yet.
        return deadline if remaining - (self.sent - sequence) <= 0 else -math.inf

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
        now = self.clock()
        if limits.remaining_requests is not None:
            deadline = now + _or_one(limits.reset_requests)
            left = limits.remaining_requests - (self.sent - sequence)
            known = self._budget
            if known is None or left <= known[0] - (self.sent - known[1]):
                self._budget = (limits.remaining_requests, sequence, deadline)
        # Tokens per request are unknown ahead: only an exhausted token budget pauses.
        if limits.remaining_tokens is not None and limits.remaining_tokens <= 0:
            self.pause(seconds=_or_one(limits.reset_tokens))


def _or_one(seconds: float | None) -> float:
    return 1.0 if seconds is None else seconds
