"""The outbox of provider deletions: retried until the provider has forgotten each response.

`services.conversation_delete` queues rows in the same transaction as the deletion, so a provider
that is down delays the deletion but never loses it. Flush from async code with
`outbox_flush_schedule()` (one background task per process) or from cron with
`manage.py outbox_flush`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging

from channels.db import database_sync_to_async
from django.utils import timezone

from conversations import selectors, services
from conversations.models import ProviderDeletion
from responses_client import client

logger = logging.getLogger(__name__)

_task: asyncio.Task[None] | None = None
_wake: asyncio.Event | None = None


async def outbox_flush() -> int:
    """Delete every due response at the provider; returns how many rows are done."""
    due = await database_sync_to_async(selectors.provider_deletion_due)(now=timezone.now())
    done = 0
    for deletion in due:
        done += await _deletion_attempt(deletion=deletion)
    return done


async def _deletion_attempt(*, deletion: ProviderDeletion) -> int:
    """One DELETE; a 404 means the provider already forgot it, which is what we wanted."""
    try:
        await client.response_delete(response_id=deletion.response_id)
    except client.NotFoundError:
        pass
    except client.ProviderError as exc:
        logger.warning("Deleting %s at the provider failed: %r", deletion.response_id, exc)
        await database_sync_to_async(services.provider_deletion_postpone)(
            deletion=deletion, error=str(exc)
        )
        return 0
    await database_sync_to_async(services.provider_deletion_done)(deletion=deletion)
    return 1


def outbox_flush_schedule() -> None:
    """Flush now in the background and keep retrying while rows remain (one task per process)."""
    global _task, _wake
    loop = asyncio.get_running_loop()
    if _task is not None and not _task.done() and _task.get_loop() is loop:
        _wake.set()
        return
    _wake = asyncio.Event()
    # Detached from the calling request, whose thread executor stops when it ends.
    _task = loop.create_task(
        _flush_until_empty(_wake), name="outbox-flush", context=contextvars.Context()
    )


async def _flush_until_empty(wake: asyncio.Event) -> None:
    """Flush, then sleep until the next row is due (or a new deletion wakes us)."""
    while True:
        wake.clear()
        try:
            await outbox_flush()
        except Exception:
            logger.exception("Outbox flush failed")
        next_at = await database_sync_to_async(selectors.provider_deletion_next_at)()
        if next_at is None:
            return
        delay = max((next_at - timezone.now()).total_seconds(), 1.0)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=delay)
