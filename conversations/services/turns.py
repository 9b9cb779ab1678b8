"""Turns: start, record, checkpoint, finish, take over, interrupt, delete."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from conversations.models import (
    Attachment,
    Conversation,
    ProviderDeletion,
    Turn,
    TurnStatus,
)
from conversations.services.attachments import (
    attachment_files_delete_on_commit,
    attachments_claim,
)
from responses_client.usage import Usage

RUNNING = [TurnStatus.PENDING, TurnStatus.STREAMING]
# Why a turn whose process died ends without the rest of its answer.
INTERRUPTED_MESSAGE = "The server generating this reply stopped before it finished."
# A title taken from the first message: at most this many characters, the ellipsis included.
AUTO_TITLE_LENGTH = 60
TURN_FINISH_FIELDS = [
    "status",
    "error",
    "retryable",
    "output_text",
    "reasoning_text",
    "started_at",
    "reasoning_ended_at",
    "finished_at",
    "input_tokens",
    "output_tokens",
    "reasoning_tokens",
    "cached_tokens",
]


@transaction.atomic
def turn_create(*, conversation: Conversation, text: str) -> Turn:
    """Append a user message to the conversation as a new pending turn."""
    # Lock the conversation row so two tabs sending at once get distinct positions.
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    last = conversation.turns.aggregate(last=Max("position"))["last"]
    turn = _turn_new(conversation=conversation, text=text, last_position=last)
    turn.save()
    conversation.save(update_fields=["title", "updated_at"])
    return turn


@transaction.atomic
def turns_create_if_idle(
    *,
    messages: dict[uuid.UUID, str],
    attachments: dict[uuid.UUID, list[uuid.UUID]] | None = None,
) -> dict[uuid.UUID, Turn | None]:
    """Append each message to its conversation as a new pending turn, in one transaction.

    A conversation with a turn still running (in any process) gets None instead; a conversation
    that no longer exists is left out. `attachments` gives a message its files (by id); each new
    turn's are in `turn.attachment_list`.
    """
    # Locked in pk order, so two processes starting turns of the same conversations can't
    # deadlock; the running check and the positions are read under that lock.
    locked = Conversation.objects.select_for_update().filter(pk__in=messages).order_by("pk")
    conversations = {conversation.pk: conversation for conversation in locked}
    stats = {
        row["conversation_id"]: row
        for row in Turn.objects.filter(conversation_id__in=conversations)
        .values("conversation_id")
        .order_by()
        .annotate(last=Max("position"), running=Count("pk", filter=Q(status__in=RUNNING)))
    }
    created: dict[uuid.UUID, Turn | None] = {}
    for pk, conversation in conversations.items():
        row = stats.get(pk, {"last": None, "running": 0})
        new = not row["running"]
        created[pk] = (
            _turn_new(conversation=conversation, text=messages[pk], last_position=row["last"])
            if new
            else None
        )
    turns = [turn for turn in created.values() if turn is not None]
    Turn.objects.bulk_create(turns)
    for turn in turns:
        ids = (attachments or {}).get(turn.conversation_id, [])
        turn.attachment_list = attachments_claim(turn=turn, attachment_ids=ids) if ids else []
    now = timezone.now()
    for turn in turns:
        turn.conversation.updated_at = now
    Conversation.objects.bulk_update([t.conversation for t in turns], ["title", "updated_at"])
    return created


def _turn_new(*, conversation: Conversation, text: str, last_position: int | None) -> Turn:
    """The unsaved next turn; the first one also titles a conversation still called New chat."""
    if last_position is None and conversation.title == "New chat":
        conversation.title = _title_from_message(text)
    return Turn(
        conversation=conversation,
        position=0 if last_position is None else last_position + 1,
        user_text=text,
        model=conversation.model,
    )


def _title_from_message(text: str) -> str:
    """The message on one line; a long one is cut between words and ends with an ellipsis."""
    line = " ".join(text.split())
    if len(line) <= AUTO_TITLE_LENGTH:
        return line or "New chat"
    head = line[: AUTO_TITLE_LENGTH - 1]
    # Unless the cut falls on a space, drop the partial word (a single long word is cut anyway).
    if line[AUTO_TITLE_LENGTH - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip() + "…"


@dataclass(frozen=True)
class TurnStart:
    """What the provider said when a turn's response was created."""

    turn_id: int
    response_id: str
    previous_response_id: str
    model: str
    started_at: datetime


@transaction.atomic
def turns_start(*, starts: list[TurnStart]) -> None:
    """Record response ids once known, in one transaction; those turns are now streaming."""
    for start in starts:
        Turn.objects.filter(pk=start.turn_id, status=TurnStatus.PENDING).update(
            status=TurnStatus.STREAMING,
            response_id=start.response_id,
            previous_response_id=start.previous_response_id,
            model=start.model,
            started_at=start.started_at,
        )


@transaction.atomic
def turn_finish(
    *,
    turn_id: int,
    status: str,
    output_text: str,
    reasoning_text: str,
    usage: Usage | None,
    error: str,
    started_at: datetime,
    reasoning_ended_at: datetime | None,
    retryable: bool = True,
    worker: str | None = None,
) -> Turn | None:
    """Write a turn's final state in one save; None if it had already finished (never rewritten).

    `retryable` says whether the error, if any, may pass on a second try: the turn offers a
    retry when it failed that way or was interrupted.

    With `worker`, only that worker (or one before any worker checkpointed) may finish the turn:
    a worker whose turn another process has taken over writes nothing.
    """
    turn = Turn.objects.select_for_update().get(pk=turn_id)
    taken_over = worker is not None and turn.worker not in ("", worker)
    if turn.is_terminal or taken_over:
        return None
    turn.status, turn.error = status, error
    turn.retryable = status == TurnStatus.INTERRUPTED or (status == TurnStatus.FAILED and retryable)
    turn.output_text, turn.reasoning_text = output_text, reasoning_text
    turn.started_at = turn.started_at or started_at
    turn.reasoning_ended_at, turn.finished_at = reasoning_ended_at, timezone.now()
    if usage is not None:
        turn.input_tokens, turn.output_tokens = usage.input_tokens, usage.output_tokens
        turn.reasoning_tokens, turn.cached_tokens = usage.reasoning_tokens, usage.cached_tokens
    turn.save(update_fields=TURN_FINISH_FIELDS)
    return turn


@transaction.atomic
def turn_delete(*, turn: Turn) -> str:
    """Delete one turn and queue its provider response for deletion; returns the queued id."""
    if turn.response_id:
        ProviderDeletion.objects.get_or_create(
            response_id=turn.response_id, defaults={"next_attempt_at": timezone.now()}
        )
    files = Attachment.objects.filter(turn=turn).values_list("file", flat=True)
    attachment_files_delete_on_commit(names=list(files))
    turn.delete()
    return turn.response_id


def turn_cancel_unattended(*, turn: Turn) -> Turn | None:
    """End a turn no generation job is running as cancelled, keeping what it had saved."""
    return turn_finish(
        turn_id=turn.pk,
        status=TurnStatus.CANCELLED,
        output_text=turn.output_text,
        reasoning_text=turn.reasoning_text,
        usage=None,
        error="",
        started_at=turn.started_at or timezone.now(),
        reasoning_ended_at=turn.reasoning_ended_at,
    )


def turn_checkpoint(
    *,
    turn_id: int,
    output_text: str,
    reasoning_text: str,
    worker: str,
    background: bool,
    provider_seq: int | None,
    stream_seq: int,
) -> bool:
    """Save a running turn's partial text, stream positions and heartbeat.

    Only the turn's worker may (the first checkpoint names it): False once the turn has
    finished or another process has taken it over, and the caller must then stop.
    """
    return bool(
        Turn.objects.filter(pk=turn_id, status__in=RUNNING)
        .filter(Q(worker=worker) | Q(worker=""))
        .update(
            output_text=output_text,
            reasoning_text=reasoning_text,
            heartbeat_at=timezone.now(),
            worker=worker,
            background=background,
            provider_seq=provider_seq,
            stream_seq=stream_seq,
        )
    )


def turn_claim(*, turn: Turn, worker: str) -> bool:
    """Take over a stale running turn for this worker; False if someone changed it first."""
    return bool(
        Turn.objects.filter(pk=turn.pk, status=turn.status, heartbeat_at=turn.heartbeat_at).update(
            heartbeat_at=timezone.now(), worker=worker
        )
    )


def turn_interrupt(*, turn: Turn) -> Turn | None:
    """End a running turn whose worker is gone as interrupted, keeping its checkpointed text."""
    # Conditional, so a job that finishes meanwhile (or another reaper) wins cleanly.
    ended = Turn.objects.filter(pk=turn.pk, status=turn.status).update(
        status=TurnStatus.INTERRUPTED,
        error=INTERRUPTED_MESSAGE,
        retryable=True,
        finished_at=timezone.now(),
    )
    if not ended:
        return None
    turn.refresh_from_db()
    return turn
