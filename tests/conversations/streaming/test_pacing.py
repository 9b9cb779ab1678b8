"""The pacer: a coalescing window that opens under load and closes when the load drops."""

from __future__ import annotations

import asyncio
import time

from conversations.streaming import pacing

BUDGET = pacing.FRAME_BUDGET_PER_SECOND


def test_an_idle_process_has_no_window():
    pacer = pacing.Pacer(sampling=False)
    for _ in range(10):
        pacer.observe(lag=0.0005, frames_per_second=100)
    assert pacer.window == 0


def test_loop_lag_opens_a_window_that_follows_the_lag():
    pacer = pacing.Pacer(sampling=False)
    pacer.observe(lag=0.04, frames_per_second=0)
    assert pacer.window == pacing.LAG_WINDOW_FACTOR * pacing.LAG_SMOOTHING * 0.04
    for _ in range(50):
        pacer.observe(lag=0.04, frames_per_second=0)
    assert abs(pacer.window - pacing.LAG_WINDOW_FACTOR * 0.04) < 0.001


def test_the_window_never_passes_its_cap():
    pacer = pacing.Pacer(sampling=False)
    for _ in range(50):
        pacer.observe(lag=5.0, frames_per_second=100 * BUDGET)
    assert pacer.window == pacing.MAX_WINDOW_SECONDS


def test_one_late_tick_is_smoothed_away():
    pacer = pacing.Pacer(sampling=False)
    pacer.observe(lag=0.006, frames_per_second=0)  # a neighbour took the core for 6 ms
    assert pacer.window == 0


def test_a_frame_rate_over_budget_opens_the_window_without_lag_and_doubles_it():
    pacer = pacing.Pacer(sampling=False)
    pacer.observe(lag=0.0, frames_per_second=BUDGET + 1)
    assert pacer.window == pacing.MIN_WINDOW_SECONDS
    pacer.observe(lag=0.0, frames_per_second=BUDGET + 1)
    assert pacer.window == 2 * pacing.MIN_WINDOW_SECONDS
    pacer.observe(lag=0.0, frames_per_second=0.75 * BUDGET)  # between half and the budget
    assert pacer.window == 2 * pacing.MIN_WINDOW_SECONDS


def test_the_window_returns_to_immediate_when_the_load_drops():
    pacer = pacing.Pacer(sampling=False)
    for _ in range(20):
        pacer.observe(lag=0.05, frames_per_second=2 * BUDGET)
    assert pacer.window > 0
    for _ in range(40):
        pacer.observe(lag=0.0, frames_per_second=BUDGET / 4)
    assert pacer.window == 0


async def test_a_blocked_loop_is_seen_as_lag_and_sampling_stops_when_frames_stop(monkeypatch):
    monkeypatch.setattr(pacing, "IDLE_SECONDS", 0.3)
    pacer = pacing.Pacer()
    pacer.frame_sent()
    time.sleep(0.1)  # noqa: ASYNC251 -- the point: the loop is blocked past the first tick
    await asyncio.sleep(0.02)
    assert pacer.window > 0
    await asyncio.sleep(0.6)  # no frames: the sampling ends and the window closes
    assert (pacer.window, pacer._ticking) == (0, False)


async def test_each_event_loop_has_its_own_pacer():
    here = pacing.pacer()
    assert pacing.pacer() is here
    elsewhere = await asyncio.to_thread(lambda: asyncio.run(_pacer_of_new_loop()))
    assert elsewhere is not here


async def _pacer_of_new_loop() -> pacing.Pacer:
    return pacing.pacer()


async def test_slow_publishing_counts_as_load_though_the_loop_is_idle():
    pacer = pacing.Pacer()
    for _ in range(20):
        pacer.frame_sent(publish_seconds=0.05)  # the channel layer queues each frame
        await asyncio.sleep(pacing.TICK_SECONDS * 1.5)
    assert pacer.window > pacing.MIN_WINDOW_SECONDS


async def test_through_redis_the_frame_budget_is_lower(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    budget = await asyncio.to_thread(lambda: asyncio.run(_pacer_of_new_loop()).frame_budget)
    assert budget == pacing.REDIS_FRAME_BUDGET_PER_SECOND < pacing.FRAME_BUDGET_PER_SECOND
