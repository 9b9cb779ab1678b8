"""Relay of a turn's deltas to its conversation's sockets: per-turn seq, 50 ms coalescing."""

from __future__ import annotations

import asyncio
import uuid

from conversations import services
from conversations.events import DeltaKind, delta_message

COALESCE_SECONDS = 0.05


class Relay:
    """Publishes deltas; consecutive same-kind deltas within a 50 ms window become one frame."""

    def __init__(self, *, conversation_id: uuid.UUID, turn_id: int) -> None:
        self.conversation_id = conversation_id
        self.turn_id = turn_id
        self.seq = 0
        self.texts: dict[DeltaKind, list[str]] = {"reasoning": [], "text": []}
        self._kind: DeltaKind = "text"
        self._pending: list[str] = []
        self._timer: asyncio.Task[None] | None = None
        # Flushes come from the job and from the timer; the lock keeps seq order = send order.
        self._lock = asyncio.Lock()

    async def add(self, *, kind: DeltaKind, text: str) -> None:
        """Queue a delta; it is sent within 50 ms, or at once when the kind changes."""
        if not text:
            return
        if self._pending and kind != self._kind:
            await self.flush()
        self._kind = kind
        self._pending.append(text)
        self.texts[kind].append(text)
        if self._timer is None:
            self._timer = asyncio.create_task(self._flush_later())

    async def flush(self) -> None:
        """Send what is queued as one frame."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        async with self._lock:
            if not self._pending:
                return
            delta, self._pending = "".join(self._pending), []
            self.seq += 1
            message = delta_message(
                turn_id=self.turn_id, seq=self.seq, kind=self._kind, delta=delta
            )
            await services.conversation_publish(
                conversation_id=self.conversation_id, message=message
            )

    async def close(self) -> None:
        """Send the rest; nothing is sent after this."""
        await self.flush()

    async def _flush_later(self) -> None:
        await asyncio.sleep(COALESCE_SECONDS)
        self._timer = None
        await self.flush()
