"""Jobs seen from other processes: stops over the channel layer, checkpoints with a heartbeat."""

from __future__ import annotations

import asyncio
import contextvars
import os
import socket
import uuid
from typing import TYPE_CHECKING

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from conversations import selectors, services
from conversations.models import Turn, TurnStatus

if TYPE_CHECKING:
    from conversations.streaming.jobs import Job

# Names this process in Turn.worker, so an operator can tell which process ran a turn.
WORKER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
STOP_POLL_SECONDS = 0.05
RUNNING = (TurnStatus.PENDING, TurnStatus.STREAMING)

# turn id -> its job in this process, for stops arriving on the control channel.
_listening: dict[int, Job] = {}
# Stops under way, held so they are not garbage-collected before they finish.
_stopping: set[asyncio.Task[bool]] = set()
# (loop, channel, receiving task) of this process's control channel.
_control: tuple[asyncio.AbstractEventLoop, str, asyncio.Task[None]] | None = None


def control_group(*, turn_id: int) -> str:
    """The channel-layer group the job of a turn listens on, in whatever process runs it."""
    return f"generation.turn.{turn_id}"


def helpers_start(job: Job) -> list[asyncio.Task[None]]:
    """The tasks that run beside a job: its checkpoints."""
    return [asyncio.create_task(_checkpoints(job))]


async def control_join(job: Job) -> None:
    """Let stops for the job's turn, sent from any process, reach it."""
    channel = await _control_channel()
    _listening[job.turn.pk] = job
    await get_channel_layer().group_add(control_group(turn_id=job.turn.pk), channel)


async def control_leave(job: Job) -> None:
    """The job has ended: stops for its turn no longer concern this process."""
    _listening.pop(job.turn.pk, None)
    channel = await _control_channel()
    await get_channel_layer().group_discard(control_group(turn_id=job.turn.pk), channel)


async def running_turn(*, conversation_id: uuid.UUID | None, turn_id: int | None) -> Turn | None:
    """The running turn of a conversation (or with that id), in any process."""
    # asgiref's wrapper, not channels': views call this, and channels' closes the connection
    # the request is still using (PostgreSQL then fails the rest of the request).
    return await sync_to_async(selectors.turn_running)(
        conversation_id=conversation_id, turn_id=turn_id
    )


async def stop_remote(*, conversation_id: uuid.UUID | None, turn_id: int | None) -> bool:
    """Ask the process running the turn to stop it; True once it is saved as cancelled."""
    turn = await running_turn(conversation_id=conversation_id, turn_id=turn_id)
    if turn is None:
        return False
    await get_channel_layer().group_send(
        control_group(turn_id=turn.pk), {"type": "generation.stop", "turn_id": turn.pk}
    )
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.GENERATION_STALE_SECONDS
    # The job saves the turn in its own process; the shared database is where the result shows.
    while loop.time() < deadline:
        await asyncio.sleep(STOP_POLL_SECONDS)
        status = await Turn.objects.filter(pk=turn.pk).values_list("status", flat=True).afirst()
        if status not in RUNNING:
            return status == TurnStatus.CANCELLED
    return False


async def _control_channel() -> str:
    """This process's control channel, with the task that receives on it, started once per loop."""
    global _control
    loop = asyncio.get_running_loop()
    if _control is None or _control[0] is not loop or _control[2].done():
        channel = await get_channel_layer().new_channel()
        # Owned by the process, like the jobs; one receiver that is never cancelled, because
        # cancelling a Redis layer receive can drop a message meant for another local channel.
        task = asyncio.create_task(_receive_stops(channel), context=contextvars.Context())
        _control = (loop, channel, task)
    return _control[1]


async def _receive_stops(channel: str) -> None:
    """Cancel local jobs whose turn a stop message names."""
    layer = get_channel_layer()
    while True:
        message = await layer.receive(channel)
        job = _listening.get(message.get("turn_id"))
        if message.get("type") == "generation.stop" and job is not None:
            # Not awaited here: a stop may wait for the response id, and others may follow.
            task = asyncio.create_task(job.stop())
            _stopping.add(task)
            task.add_done_callback(_stopping.discard)


async def _checkpoints(job: Job) -> None:
    """Save the partial text, stream positions and a heartbeat every few seconds.

    A checkpoint refused means another process took the turn over (this one was thought dead)
    or ended it: the job then stops without writing or sending anything more.
    """
    while True:
        await asyncio.sleep(settings.GENERATION_CHECKPOINT_SECONDS)
        saved = await database_sync_to_async(services.turn_checkpoint)(
            turn_id=job.turn.pk,
            output_text="".join(job.relay.texts["text"]),
            reasoning_text="".join(job.relay.texts["reasoning"]),
            worker=WORKER,
            background=job.background,
            provider_seq=job.provider_seq,
            stream_seq=job.relay.seq,
        )
        if not saved and not job.finishing and job.task is not None:
            job.superseded = True
            job.task.cancel()
            return
