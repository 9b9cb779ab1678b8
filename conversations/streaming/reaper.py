"""The reaper: ends turns whose worker process died as interrupted, so none stays generating."""

from __future__ import annotations

import asyncio
import contextvars
import logging
from datetime import timedelta

from channels.db import database_sync_to_async
from django.conf import settings
from django.utils import timezone

from conversations import selectors, services
from conversations.models import Turn
from conversations.streaming import generation, supervision
from conversations.streaming.events import turn_message

logger = logging.getLogger(__name__)

_task: asyncio.Task[None] | None = None


def reaper_ensure() -> None:
    """Start this process's reaper loop unless it runs already (or is turned off)."""
    global _task
    if settings.GENERATION_REAPER_SECONDS <= 0:
        return
    loop = asyncio.get_running_loop()
    if _task is not None and not _task.done() and _task.get_loop() is loop:
        return
    # Owned by the process, like the jobs: not by the socket whose connect started it.
    _task = asyncio.create_task(_loop(), name="turn-reaper", context=contextvars.Context())


async def reap(*, reattach: bool = True) -> list[Turn]:
    """Deal with running turns whose heartbeat is stale; returns those ended as interrupted.

    A background response is re-attached from its checkpoint in this process (unless `reattach`
    is off); any other turn lost its stream with its worker: it ends interrupted, tabs are told.
    """
    before = timezone.now() - timedelta(seconds=settings.GENERATION_STALE_SECONDS)
    local = [job.turn.pk for job in generation._jobs.values() if job is not None]
    stale = await database_sync_to_async(selectors.turn_stale)(before=before, exclude_ids=local)
    interrupted = []
    for turn in stale:
        if reattach and await _reattached(turn):
            continue
        ended = await database_sync_to_async(services.turn_interrupt)(turn=turn)
        if ended is not None:
            as_dict = await database_sync_to_async(selectors.turn_as_dict)(turn=ended)
            message = turn_message(kind="turn.finished", turn=as_dict)
            await services.conversation_generating_publish(
                conversation_id=ended.conversation_id, generating=False
            )
            await services.turn_publish(conversation_id=ended.conversation_id, message=message)
            interrupted.append(ended)
    return interrupted


async def _reattached(turn: Turn) -> bool:
    """Claim a resumable turn and re-attach to its response here; False if it isn't ours to."""
    if not (turn.background and turn.response_id and turn.provider_seq is not None):
        return False
    if generation.generation_busy(conversation_id=turn.conversation_id):
        return False
    claim = database_sync_to_async(services.turn_claim)
    if not await claim(turn=turn, worker=supervision.WORKER):
        return True  # another process's reaper took it
    generation.generation_resume(turn=turn)
    return True


async def _loop() -> None:
    while True:
        await asyncio.sleep(settings.GENERATION_REAPER_SECONDS)
        try:
            turns = await reap()
        except Exception:
            # A database hiccup must not end the loop: the next round retries.
            logger.exception("Reaping stale turns failed")
            continue
        for turn in turns:
            logger.warning("Turn %s lost its worker; marked interrupted", turn.pk)
