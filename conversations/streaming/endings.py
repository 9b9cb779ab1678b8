"""The end of a job: flush, wait for the response id, one final save, then announce it."""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from django.utils import timezone

from conversations import selectors, services
from conversations.models import TurnStatus
from conversations.services.turns import INTERRUPTED_MESSAGE
from conversations.streaming import supervision
from conversations.streaming.events import DeltaKind, finished_parse, turn_message
from conversations.streaming.jobs import Job, job_generating_publish, job_publish
from conversations.streaming.requests import response_cancel
from responses_client.usage import usage_add

logger = logging.getLogger(__name__)


async def job_finish_from_stream(job: Job) -> None:
    """Finish after the stream ended: as its terminal event says, else failed with its error."""
    if job.finished is None:
        # A re-attach to a response nobody finishes leaves it as its dead worker did.
        if job.resuming:
            await job_finish(job, status=TurnStatus.INTERRUPTED, error=INTERRUPTED_MESSAGE)
            return
        error = job.stream_error or "The provider ended the reply without a result."
        await job_finish(
            job, status=TurnStatus.FAILED, error=error, retryable=job.stream_error_retryable
        )
        return
    if job.finished.error:
        error, retryable = job.finished.error, job.finished.retryable
    else:
        error, retryable = job.stream_error, job.stream_error_retryable
    await job_finish(job, status=job.finished.status, error=error, retryable=retryable)


async def job_finish(job: Job, *, status: str, error: str = "", retryable: bool = True) -> None:
    """Flush what is buffered, then write the final state in one save and announce it."""
    job.finishing = True
    job.helpers_stop()
    try:
        await job.relay.close()
    except Exception:
        # A channel layer hiccup must not keep the turn from being saved.
        logger.exception("Turn %s: relaying the last deltas failed", job.turn.pk)
    await _recorded(job)
    if status == TurnStatus.CANCELLED and job.background and job.response_id:
        await _cancel_at_provider(job)
    if job.relay.texts["reasoning"] and job.reasoning_ended_at is None:
        job.reasoning_ended_at = timezone.now()
    output_text, reasoning_text = final_texts(job, kind="text"), final_texts(job, kind="reasoning")
    turn = await database_sync_to_async(services.turn_finish)(
        turn_id=job.turn.pk,
        status=status,
        output_text=output_text,
        reasoning_text=reasoning_text,
        usage=usage_add(job.usage_before, job.finished.usage if job.finished else None),
        tool_calls=_calls_settled(job),
        compacted=job.compacted or bool(job.finished and job.finished.compacted),
        citations=list(job.finished.citations) if job.finished else [],
        error=error,
        retryable=retryable,
        started_at=job.started_at,
        reasoning_ended_at=job.reasoning_ended_at,
        worker=supervision.WORKER,
    )
    if turn is not None:
        # Before turn.finished: a tab may send its next message as soon as that arrives, and the
        # job must be released by then.
        await job_generating_publish(job, generating=False)
        finished = await database_sync_to_async(selectors.turn_as_dict)(turn=turn)
        await job_publish(job, turn_message(kind="turn.finished", turn=finished))


async def _cancel_at_provider(job: Job) -> None:
    """Cancel the response there and keep what it holds: the tokens generated between the
    Stop and the cancel are part of the stored response the next turn continues."""
    final = await response_cancel(job)
    if final is not None and final.get("status") == "cancelled" and job.finished is None:
        job.finished = finished_parse(status=TurnStatus.CANCELLED, response=final)


async def _recorded(job: Job) -> None:
    """Wait for the response id to be saved: the final save must come after it."""
    if job.recording is None:
        return
    try:
        # Shielded: a Stop cancelling the job must not cancel the write it depends on.
        await asyncio.shield(job.recording)
    except Exception:
        logger.exception("Turn %s: saving the response id failed", job.turn.pk)


def _calls_settled(job: Job) -> list[dict[str, object]]:
    """The turn's function calls; those a Stop or a failure cut short say so."""
    cut = {"output": "Not run to the end: the turn ended first.", "ok": False}
    return [call if call["ok"] is not None else {**call, **cut} for call in job.tool_calls]


def final_texts(job: Job, *, kind: DeltaKind) -> str:
    """The turn's text so far: the earlier tool rounds' and the terminal response's when it has
    one, else exactly what was relayed."""
    relayed = "".join(job.relay.texts[kind])
    if job.finished is None or job.text_before is None:
        return relayed
    final = job.finished.output_text if kind == "text" else job.finished.reasoning_text
    return relayed if final is None else job.text_before.get(kind, "") + final
