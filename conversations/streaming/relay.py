"""Relay of a turn's deltas to its conversation's sockets and stream log; coalescing under load."""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import Callable
from typing import Any

from conversations import services
from conversations.streaming import pacing
from conversations.streaming.events import DeltaKind, delta_message

# The longest a delta waits under load (the pacer's window is usually shorter, 0 when idle).
COALESCE_SECONDS = pacing.MAX_WINDOW_SECONDS


class Relay:
    """Publishes deltas as they come while the process keeps up; under load, at most one frame
    per pacing window, same-kind deltas in it joined."""

    def __init__(
        self,
        *,
        conversation_id: uuid.UUID,
        turn_id: int,
        pacer: pacing.Pacer | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.conversation_id = conversation_id
        self.turn_id = turn_id
        self.seq = 0
        self.texts: dict[DeltaKind, list[str]] = {"reasoning": [], "text": []}
        self._kind: DeltaKind = "text"
        self._pending: list[str] = []
        self._timer: asyncio.Task[None] | None = None
        self._interrupted: dict[str, Any] | None = None
        self._sent_at = -math.inf
        self._pacer = pacer or pacing.pacer()
        self._clock = clock
        # Flushes come from the job and from the timer; the lock keeps seq order = send order.
        self._lock = asyncio.Lock()

    async def add(self, *, kind: DeltaKind, text: str) -> None:
        """Queue a delta; sent at once unless the process is loaded, else within the window.

        The text counts as relayed before this first awaits: checkpoints read `texts`.
        """
        if not text:
            return
        self.texts[kind].append(text)
        if self._pending and kind != self._kind:
            await self.flush()
        self._kind = kind
        self._pending.append(text)
        if self._timer is not None:
            return
        # Leading edge: a delta after a quiet window goes out at once (the first token, above
        # all); the ones that follow within the window wait for its end and share one frame.
        # While the process keeps up the window is 0: every delta goes out as it arrives.
        window = min(self._pacer.window, COALESCE_SECONDS)
        wait = self._sent_at + window - self._clock()
        if wait <= 0:
            await self.flush()
        else:
            self._timer = asyncio.create_task(self._flush_later(wait))

    async def flush(self) -> None:
        """Send what is queued as one frame."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._lock:
            if self._interrupted is not None:
                await self._publish(self._interrupted)
            if not self._pending:
                return
            delta, self._pending = "".join(self._pending), []
            self.seq += 1
            self._sent_at = self._clock()
            message = delta_message(
                turn_id=self.turn_id, seq=self.seq, kind=self._kind, delta=delta
            )
            await self._publish(message)
            self._pacer.frame_sent(publish_seconds=self._clock() - self._sent_at)

    async def _publish(self, message: dict[str, Any]) -> None:
        self._interrupted = None
        try:
            await services.turn_publish(conversation_id=self.conversation_id, message=message)
        except asyncio.CancelledError:
            # A stop landed mid-publish (through Redis, publishing awaits): the frame's text
            # counts as relayed, so the job's last flush sends it again, before anything newer.
            # Sockets drop a seq they have already been sent, so a repeat is harmless.
            self._interrupted = message
            raise

    async def close(self) -> None:
        """Send the rest; nothing is sent after this."""
        await self.flush()

    def abandon(self) -> None:
        """Drop what is queued unsent; nothing is sent after this."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending = []

    async def _flush_later(self, wait: float) -> None:
        await asyncio.sleep(wait)
        self._timer = None
        await self.flush()
