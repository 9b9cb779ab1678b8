"""Admission control: at most PROVIDER_SLOTS responses generate, a bounded queue waits.

The engine would queue extra requests without limit (each holding a thread), so a request that
finds every slot and queue place taken is refused at once with 429 and `retry-after`.
"""

from __future__ import annotations

import asyncio

from django.conf import settings

from provider.errors import ApiError

RETRY_AFTER_SECONDS = 1


class Admission:
    """Slots for generating responses plus a bounded number of waiting ones."""

    def __init__(self, *, slots: int, queue_limit: int) -> None:
        self.slots = slots
        self.queue_limit = queue_limit
        self.admitted = 0
        self._semaphore: asyncio.Semaphore | None = None

    def reserve(self) -> None:
        """Take a place (a slot or the queue) or refuse with 429; never waits."""
        if self.admitted >= self.slots + self.queue_limit:
            raise ApiError(
                "The server is busy: every generation slot and queue place is taken. "
                "Please retry shortly.",
                status=429,
                code="rate_limit_exceeded",
                error_type="rate_limit_exceeded",
                headers={
                    "retry-after": str(RETRY_AFTER_SECONDS),
                    "retry-after-ms": str(RETRY_AFTER_SECONDS * 1000),
                },
            )
        self.admitted += 1

    async def acquire(self, cancelled: asyncio.Event) -> bool:
        """Wait for a slot; False (and no slot held) when cancelled first."""
        semaphore = self._slots()
        slot = asyncio.ensure_future(semaphore.acquire())
        stop = asyncio.ensure_future(cancelled.wait())
        await asyncio.wait({slot, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if cancelled.is_set():
            if slot.done() and not slot.cancelled():
                semaphore.release()
            slot.cancel()
            return False
        return True

    def release(self, *, held: bool) -> None:
        """Give back the place taken by `reserve` (and the slot, when one was held)."""
        self.admitted -= 1
        if held:
            self._slots().release()

    def _slots(self) -> asyncio.Semaphore:
        """The semaphore, made on the serving event loop."""
        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.slots)
        return self._semaphore


admission = Admission(
    slots=settings.PROVIDER_SLOTS,
    queue_limit=settings.PROVIDER_QUEUE_LIMIT,
)
