"""Server-owned generation jobs: start, relay, finish, cancel.

A turn's provider stream runs in an asyncio task owned by the process, not by a socket, so closing
the tab doesn't stop it. One job per conversation at a time. Each job listens on the channel layer
so a stop issued in any process reaches it, and checkpoints its text with a heartbeat so a reaper
can re-attach to its background response, or end it as interrupted, if this process dies.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import uuid
from contextlib import aclosing
from typing import Any

from django.conf import settings
from django.utils import timezone

from conversations import selectors, services
from conversations.models import Conversation, Turn, TurnStatus
from conversations.streaming import parts, starts, supervision, toolrounds
from conversations.streaming.endings import job_finish, job_finish_from_stream
from conversations.streaming.events import (
    Created,
    Delta,
    Event,
    Finished,
    HostedCall,
    ReasoningDone,
    StreamError,
    event_parse,
    reasoning_done_message,
    response_message,
    resumed_message,
    turn_message,
)
from conversations.streaming.jobs import Job, job_generating_publish, job_publish
from conversations.streaming.relay import Relay
from conversations.streaming.requests import provider_events, request_body
from responses_client import client

logger = logging.getLogger(__name__)
INTERNAL_ERROR = "Something went wrong on our side while generating the reply."


class GenerationBusy(Exception):
    """The conversation already has a turn generating."""


# conversation id -> its running job; None while the turn row is still being created.
_jobs: dict[uuid.UUID, Job | None] = {}
# Stops under way for sockets, held so they are not garbage-collected before they finish.
_stopping: set[asyncio.Task[bool]] = set()


def generation_busy(*, conversation_id: uuid.UUID) -> bool:
    """Whether a turn of the conversation is generating in this process."""
    return conversation_id in _jobs


async def generation_submit(*, conversation: Conversation, draft: services.TurnDraft) -> Turn:
    """Store the user's message as a new turn and start generating; raises GenerationBusy.

    Also raises Conversation.DoesNotExist (deleted meanwhile) and Turn.DoesNotExist (the draft's
    parent is not a turn of the conversation).
    """
    if conversation.pk in _jobs:
        raise GenerationBusy
    # Reserve before awaiting, so two tabs sending at once can't both pass the check.
    _jobs[conversation.pk] = None
    try:
        begun = await starts.turn_begin(conversation_id=conversation.pk, draft=draft)
        if begun is None:
            raise GenerationBusy  # generating in another process
    except BaseException:
        del _jobs[conversation.pk]
        raise
    generation_start(turn=begun.turn, body=begun.body, versions=begun.versions)
    return begun.turn


def generation_start(
    *, turn: Turn, body: dict[str, Any] | None = None, versions: list[int] | None = None
) -> Job:
    """Run a pending turn's generation in a task owned by the process."""
    job = Job(turn=turn, relay=Relay(conversation_id=turn.conversation_id, turn_id=turn.pk))
    job.background = settings.OPENAI_BACKGROUND if body is None else "background" in body
    job.body, job.versions = body, versions
    return _launch(job)


def generation_resume(*, turn: Turn) -> Job:
    """Re-attach to the background response of a turn whose worker died, from its checkpoint."""
    job = Job(turn=turn, relay=Relay(conversation_id=turn.conversation_id, turn_id=turn.pk))
    job.relay.seq = turn.stream_seq
    job.relay.texts = {"text": [turn.output_text], "reasoning": [turn.reasoning_text]}
    job.started_at = turn.started_at or job.started_at
    job.background, job.resuming, job.response_id = True, True, turn.response_id
    job.provider_seq = turn.provider_seq
    job.tool_calls = list(turn.tool_calls)
    job.rounds = len({call.get("response_id") for call in job.tool_calls})
    # What the rounds before the crash said is only in the checkpoint's relayed text.
    job.text_before = None if job.tool_calls else {}
    return _launch(job)


def _launch(job: Job) -> Job:
    if _jobs.get(job.turn.conversation_id) is not None:
        raise GenerationBusy
    _jobs[job.turn.conversation_id] = job
    # A fresh context detaches the job from the socket or request that started it: its DB calls
    # must not go to that caller's thread executor, which stops when the caller ends.
    job.task = asyncio.create_task(
        _run(job), name=f"generation-turn-{job.turn.pk}", context=contextvars.Context()
    )
    return job


async def generation_stop(
    *, conversation_id: uuid.UUID | None = None, turn_id: int | None = None
) -> bool:
    """Stop a generating turn, in any process, and wait until it is saved; False if none was."""
    job = next((j for j in _jobs.values() if j and _matches(j, conversation_id, turn_id)), None)
    if job is None:
        return await supervision.stop_remote(conversation_id=conversation_id, turn_id=turn_id)
    if not await job.stop():
        return False
    if not job.finishing:  # cancelled before its first step, so _run never ran
        await job_finish(job, status=TurnStatus.CANCELLED)
        _release(job)
    return True


def generation_stop_soon(*, conversation_id: uuid.UUID) -> None:
    """generation_stop in a task of its own, for a socket: its frames must keep flowing while a
    stop waits (for a response id, or for another process), or its channel fills up."""
    task = asyncio.create_task(generation_stop(conversation_id=conversation_id))
    _stopping.add(task)
    task.add_done_callback(_stopping.discard)


def _matches(job: Job, conversation_id: uuid.UUID | None, turn_id: int | None) -> bool:
    return conversation_id in (None, job.turn.conversation_id) and turn_id in (None, job.turn.pk)


async def _run(job: Job) -> None:
    """Stream the provider's response for the job's turn and record it."""
    try:
        job.helpers = supervision.helpers_start(job)
        await supervision.control_join(job)
        await _announce(job)
        body: dict[str, Any] | None = await _body(job)
        while body is not None:
            await _stream(job, body)
            body = await toolrounds.tool_round(job, body=body)
        await job_finish_from_stream(job)
    except asyncio.CancelledError:
        if job.superseded:
            job.relay.abandon()
            logger.warning("Turn %s was taken over by another process; this job stops", job.turn.pk)
        else:
            await job_finish(job, status=TurnStatus.CANCELLED)
        raise
    except client.ProviderError as exc:
        logger.warning("Turn %s failed at the provider: %r", job.turn.pk, exc)
        # A re-attach that fails leaves the turn as its dead worker left it: interrupted.
        status = TurnStatus.INTERRUPTED if job.resuming else TurnStatus.FAILED
        error = toolrounds.tool_refusal_text(exc) or exc.readable
        await job_finish(job, status=status, error=error, retryable=exc.retryable)
    except Exception:
        logger.exception("Turn %s failed", job.turn.pk)
        await job_finish(job, status=TurnStatus.FAILED, error=INTERNAL_ERROR)
    finally:
        job.helpers_stop()
        _release(job)
        await supervision.control_leave(job)


async def _stream(job: Job, body: dict[str, Any]) -> None:
    """Relay one response of the turn (its first, or the next after a tool round)."""
    job.created.clear()
    async with aclosing(provider_events(job, body)) as events:
        async for event in events:
            seq = event.get("sequence_number", job.provider_seq)
            await _handle(job, event_parse(event=event), body=body, seq=seq)
            job.provider_seq = seq


async def _body(job: Job) -> dict[str, Any]:
    """The POST body: built with the turn, or now, its files read; none for a re-attach."""
    if job.resuming:
        return {}
    body = job.body
    if body is None:
        body = await request_body(turn=job.turn, background=job.background)
    return await parts.files_read(body)


async def _announce(job: Job) -> None:
    """Start the turn's stream log: created, or resumed from its checkpoint after a re-attach."""
    message = (
        resumed_message(turn=selectors.turn_as_dict(turn=job.turn), seq=job.relay.seq)
        if job.resuming
        else turn_message(
            kind="turn.created", turn=selectors.turn_as_dict(turn=job.turn, versions=job.versions)
        )
    )
    await services.turn_publish(
        conversation_id=job.turn.conversation_id, message=message, first=True
    )
    # A sidebar hint, kept off the first-token path; _finish cancels it if still pending.
    job.helpers.append(asyncio.create_task(job_generating_publish(job, generating=True)))


def _release(job: Job) -> None:
    if _jobs.get(job.turn.conversation_id) is job:
        del _jobs[job.turn.conversation_id]


async def _handle(job: Job, event: Event | None, *, body: dict[str, Any], seq: int | None) -> None:
    """Act on one provider event."""
    match event:
        case Created(response_id=response_id):
            job.response_id = response_id
            job.created.set()
            job.recording = asyncio.create_task(_record_start(job, body=body))
            await job_publish(job, response_message(turn_id=job.turn.pk, response_id=response_id))
        case Delta(kind=kind, text=text):
            if kind == "text":
                await _reasoning_done(job)
            # The position and the text move together, with no await between them: a checkpoint
            # taken at any await then resumes after exactly the text it saved.
            job.provider_seq = seq
            await job.relay.add(kind=kind, text=text)
        case ReasoningDone():
            await _reasoning_done(job)
        case HostedCall(item=item):
            await toolrounds.hosted_call_record(job, item=item)
        case StreamError(message=message, retryable=retryable):
            job.stream_error, job.stream_error_retryable = message, retryable
        case Finished(function_calls=calls):
            # A response that calls tools is not the turn's end: a Stop still stops the loop.
            job.finished, job.finishing = event, not calls


async def _record_start(job: Job, *, body: dict[str, Any]) -> None:
    """Save the response id (a re-attach after a crash needs it): the turn is streaming."""
    if job.rounds:
        await toolrounds.round_record(job)
        return
    start = services.TurnStart(
        turn_id=job.turn.pk,
        response_id=job.response_id,
        previous_response_id=body.get("previous_response_id", ""),
        model=body["model"],
        started_at=job.started_at,
    )
    await starts.turn_started(start=start)


async def _reasoning_done(job: Job) -> None:
    """Close the reasoning phase once (at its item's end or at the first text delta)."""
    if job.reasoning_ended_at is not None or not job.relay.texts["reasoning"]:
        return
    job.reasoning_ended_at = timezone.now()
    await job.relay.flush()
    seconds = (job.reasoning_ended_at - job.started_at).total_seconds()
    await job_publish(job, reasoning_done_message(turn_id=job.turn.pk, seconds=seconds))
