"""How long a relay may hold deltas: 0 while the process keeps up, a window that widens under load.

Load signals, sampled on a 10 ms timer while frames flow. The event loop's lag (how late that
timer fires), or the longest a frame took to publish in the tick when that is more (Redis queueing
frames shows there, not in the loop), smoothed: a delta already waits about that long, so holding
it for twice as long costs little and cuts the frames, whose fixed cost (stream log, channel
layer, socket write) is what saturates the process. And the rate of frames relayed: past a budget
the window doubles each tick, below half of it it halves. When all are quiet the window is 0
again and every delta goes out as it arrives.
"""

from __future__ import annotations

import asyncio
import weakref

from django.conf import settings

TICK_SECONDS = 0.01
# A smoothed lag under this is noise (timer resolution, a neighbour on the core): no window.
LAG_LOW_SECONDS = 0.002
LAG_WINDOW_FACTOR = 2.0
LAG_SMOOTHING = 0.25
FRAME_BUDGET_PER_SECOND = 3000
# Through Redis every frame costs round trips to send, log and receive it, and a process receives
# its sockets' frames one at a time: a consumer that falls 100 frames behind loses frames.
REDIS_FRAME_BUDGET_PER_SECOND = 500
MIN_WINDOW_SECONDS = 0.005
MAX_WINDOW_SECONDS = 0.25
# Sampling stops this long after the last frame, so an idle process has no timer running.
IDLE_SECONDS = 1.0


class Pacer:
    """A process's coalescing window, fed by samples of its load taken while frames flow."""

    def __init__(
        self, *, sampling: bool = True, frame_budget: float = FRAME_BUDGET_PER_SECOND
    ) -> None:
        self.window = 0.0
        self.frame_budget = frame_budget
        self.lag = 0.0
        self.frames = 0
        self._slowest_publish = 0.0
        self._frame_window = 0.0
        self._sampling = sampling
        self._ticking = False
        self._last_frame_at = 0.0
        self._counted_at = 0.0

    def frame_sent(self, *, publish_seconds: float = 0.0) -> None:
        """Count a relayed frame (and how long it took to publish); keep the load sampled."""
        self.frames += 1
        self._slowest_publish = max(self._slowest_publish, publish_seconds)
        if not self._sampling:
            return
        loop = asyncio.get_running_loop()
        self._last_frame_at = loop.time()
        if not self._ticking:
            self._ticking = True
            self._counted_at, self.frames = self._last_frame_at, 1
            loop.call_at(self._last_frame_at + TICK_SECONDS, self._tick, loop)

    def observe(self, *, lag: float, frames_per_second: float) -> None:
        """Set the window from one sample of the loop's lag and the frame rate."""
        self.lag += LAG_SMOOTHING * (max(lag, 0.0) - self.lag)
        if frames_per_second > self.frame_budget:
            self._frame_window = max(MIN_WINDOW_SECONDS, 2 * self._frame_window)
        elif frames_per_second < self.frame_budget / 2:
            wide = self._frame_window > MIN_WINDOW_SECONDS
            self._frame_window = self._frame_window / 2 if wide else 0.0
        lag_window = LAG_WINDOW_FACTOR * self.lag if self.lag > LAG_LOW_SECONDS else 0.0
        self.window = min(MAX_WINDOW_SECONDS, max(lag_window, self._frame_window))

    def _tick(self, loop: asyncio.AbstractEventLoop) -> None:
        # A plain timer callback, not a task: no wake-up of its own beyond the timer.
        now = loop.time()
        lag = max(now - self._counted_at - TICK_SECONDS, self._slowest_publish)
        elapsed = max(now - self._counted_at, TICK_SECONDS)
        self.observe(lag=lag, frames_per_second=self.frames / elapsed)
        self._counted_at, self.frames, self._slowest_publish = now, 0, 0.0
        if now - self._last_frame_at > IDLE_SECONDS:
            self._ticking, self.window, self.lag, self._frame_window = False, 0.0, 0.0, 0.0
            return
        loop.call_at(now + TICK_SECONDS, self._tick, loop)


_pacers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Pacer] = weakref.WeakKeyDictionary()


def pacer() -> Pacer:
    """The pacer of the running event loop (every relay of the process shares it)."""
    loop = asyncio.get_running_loop()
    if loop not in _pacers:
        redis = bool(settings.REDIS_URL)
        _pacers[loop] = Pacer(
            frame_budget=REDIS_FRAME_BUDGET_PER_SECOND if redis else FRAME_BUDGET_PER_SECOND
        )
    return _pacers[loop]
