"""Group commit: database calls that many turns make at once share one trip to the DB thread.

Django runs every database call of an async caller on one thread, in arrival order. When many
turns start together, one trip per turn puts the last turn behind every other turn's trip; a
GroupCommit hands everything queued while its previous trip ran to one call instead.
"""

from __future__ import annotations

import asyncio
import contextvars
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from channels.db import database_sync_to_async

Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass
class _Queue:
    pending: list[tuple[Any, asyncio.Future[Any]]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None


class GroupCommit(Generic[Item, Result]):
    """Runs `handle(items)` on the database thread for every batch of submitted items.

    `handle` returns one result per item, in order; a result that is an exception is raised to
    that item's submitter only.
    """

    def __init__(self, handle: Callable[[list[Item]], list[Result | Exception]]) -> None:
        self.handle = handle
        # Futures and tasks belong to one event loop (tests run several, one after another).
        self._queues: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Queue] = (
            weakref.WeakKeyDictionary()
        )

    async def submit(self, item: Item) -> Result:
        """Queue the item and wait for its result."""
        loop = asyncio.get_running_loop()
        queue = self._queues.setdefault(loop, _Queue())
        future: asyncio.Future[Result] = loop.create_future()
        queue.pending.append((item, future))
        if queue.task is None:
            # Owned by the process, not by the first submitter: its DB calls must not go to a
            # caller's thread executor, which stops when that caller ends.
            queue.task = asyncio.create_task(self._drain(queue), context=contextvars.Context())
        return await future

    async def _drain(self, queue: _Queue) -> None:
        try:
            while queue.pending:
                batch, queue.pending = queue.pending, []
                try:
                    results = await database_sync_to_async(self.handle)([i for i, _ in batch])
                except Exception as exc:
                    results = [exc] * len(batch)
                for (_, future), result in zip(batch, results, strict=True):
                    _settle(future, result)
        finally:
            queue.task = None


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    if future.done():  # its submitter stopped waiting
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
