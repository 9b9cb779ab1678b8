"""AIMD throttling and rate-limit pauses, on a fake clock."""

from __future__ import annotations

import math

from batches.running.throttle import HALVE_COOLDOWN_SECONDS, Throttle
from responses_client.ratelimits import RateLimits


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _limits(**values) -> RateLimits:
    fields = dict.fromkeys(RateLimits.__dataclass_fields__)
    return RateLimits(**{**fields, **values})


def test_full_window_waits_until_a_request_ends():
    throttle = Throttle(ceiling=2, clock=FakeClock())
    throttle.start()
    throttle.start()
    assert throttle.wait_seconds() == math.inf
    throttle.finish(ok=True)
    assert throttle.wait_seconds() == 0


def test_429_halves_once_per_cooldown_and_pauses_for_retry_after():
    clock = FakeClock()
    throttle = Throttle(ceiling=8, clock=clock)
    throttle.rate_limited(retry_after=2.0)
    throttle.rate_limited(retry_after=2.0)  # the same burst: not halved again
    assert throttle.window == 4
    assert throttle.wait_seconds() == 2.0
    clock.now += HALVE_COOLDOWN_SECONDS
    throttle.rate_limited(retry_after=None)
    assert throttle.window == 2


def test_never_below_one():
    clock = FakeClock()
    throttle = Throttle(ceiling=2, clock=clock)
    for _ in range(5):
        throttle.rate_limited(retry_after=0)
        clock.now += HALVE_COOLDOWN_SECONDS
    assert throttle.window == 1


def test_additive_increase_back_to_the_ceiling():
    clock = FakeClock()
    throttle = Throttle(ceiling=8, clock=clock)
    throttle.rate_limited(retry_after=0)
    assert throttle.window == 4
    answered = 0
    while throttle.window < 8:
        throttle.start()
        throttle.finish(ok=True)
        answered += 1
    # About one more slot per window's worth of answers: 4 + 5 + 6 + 7 = 22.
    assert 18 <= answered <= 24
    throttle.start()
    throttle.finish(ok=True)
    assert throttle.limit == 8


def test_remaining_zero_pauses_until_the_reset():
    clock = FakeClock()
    throttle = Throttle(ceiling=4, clock=clock)
    sequence = throttle.start()
    throttle.observe(sequence=sequence, limits=_limits(remaining_requests=0, reset_requests=1.5))
    assert throttle.wait_seconds() == 1.5
    clock.now += 1.5
    throttle.finish(ok=True)
    assert throttle.wait_seconds() == 0


def test_requests_sent_since_count_against_the_remaining():
    throttle = Throttle(ceiling=4, clock=FakeClock())
    first = throttle.start()
    throttle.start()
    throttle.start()
    # 2 left when the first was answered, but 2 more were sent after it: none left.
    throttle.observe(sequence=first, limits=_limits(remaining_requests=2, reset_requests=0.5))
    assert throttle.wait_seconds() == 0.5


def test_headroom_left_does_not_pause():
    throttle = Throttle(ceiling=4, clock=FakeClock())
    sequence = throttle.start()
    throttle.observe(sequence=sequence, limits=_limits(remaining_requests=5, reset_requests=9))
    throttle.observe(sequence=sequence, limits=_limits(remaining_tokens=100, reset_tokens=9))
    assert throttle.wait_seconds() == 0


def test_exhausted_tokens_pause_until_their_reset():
    throttle = Throttle(ceiling=4, clock=FakeClock())
    sequence = throttle.start()
    throttle.observe(sequence=sequence, limits=_limits(remaining_tokens=0, reset_tokens=3))
    assert throttle.wait_seconds() == 3


def test_each_start_spends_the_reported_budget():
    clock = FakeClock()
    throttle = Throttle(ceiling=8, clock=clock)
    sequence = throttle.start()
    throttle.observe(sequence=sequence, limits=_limits(remaining_requests=2, reset_requests=1))
    throttle.start()
    assert throttle.wait_seconds() == 0
    throttle.start()
    assert throttle.wait_seconds() == 1
    clock.now += 1
    assert throttle.wait_seconds() == 0
