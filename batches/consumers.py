"""The run page's socket: the run's progress, live from whichever worker finished an item."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from batches import selectors

CLOSE_FORBIDDEN = 4403


class RunProgressConsumer(AsyncJsonWebsocketConsumer):
    """Joins group `batch.<id>` for the run's owner only; polls the counters as a fallback.

    Workers publish on the channel layer; without Redis they run in other processes the
    in-memory layer cannot reach, so the socket also re-reads the run every
    BATCH_PROGRESS_POLL_SECONDS and sends what changed.
    """

    async def connect(self) -> None:
        user = self.scope.get("user")
        self.run_id = uuid.UUID(str(self.scope["url_route"]["kwargs"]["run_id"]))
        if not (user and user.is_authenticated) or not await selectors.arun_owned(
            owner_id=user.pk, run_id=self.run_id
        ):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group = selectors.run_group(self.run_id)
        self.sent: dict[str, Any] | None = None
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self._send_current()
        self.poller = asyncio.create_task(self._poll())

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "poller"):
            self.poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.poller
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def batch_progress(self, event: dict[str, Any]) -> None:
        """A worker's published counters."""
        await self._send_progress(event["progress"])

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(settings.BATCH_PROGRESS_POLL_SECONDS)
            await self._send_current()

    async def _send_current(self) -> None:
        await self._send_progress(await selectors.arun_progress(run_id=self.run_id))

    async def _send_progress(self, progress: dict[str, Any]) -> None:
        # A finished run's unchanged counters are not sent again; a running one's clock moves.
        counters = {k: v for k, v in progress.items() if k not in ("elapsed", "rate", "eta")}
        if counters == self.sent and progress["status"] not in ("queued", "running"):
            return
        self.sent = counters
        await self.send_json({"type": "progress", "progress": progress})
