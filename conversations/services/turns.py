"""Turns: create (anywhere in the tree), start, record, checkpoint, finish, take over, interrupt,
delete."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from conversations import selectors
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
from conversations.tree import TurnTree
from responses_client.usage import Usage

RUNNING = [TurnStatus.PENDING, TurnStatus.STREAMING]
# The longest message a user may send, in characters (socket frames and the new-chat form).
MESSAGE_MAX_LENGTH = 32_000
# Why a turn whose process died ends without the rest of its answer.
INTERRUPTED_MESSAGE = "The server generating this reply stopped before it finished."
# A title taken from the first message: at most this many characters, the ellipsis included.
AUTO_TITLE_LENGTH = 60
TURN_FINISH_FIELDS = [
    "status",
    "error",
    "tool_calls",
    "compacted",
    "citations",
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


# A draft's parent meaning "after the last turn of the branch on screen".
ACTIVE: Literal["active"] = "active"


@dataclass(frozen=True)
class TurnDraft:
    """A message to store as a new turn, and the turn it follows in the conversation's tree.

    `parent_id` ACTIVE (the default): after the active path's last turn; None: a first message
    (a new version of it, when the conversation has one). `attachment_ids`: its files.
    """

    text: str
    parent_id: int | None | Literal["active"] = ACTIVE
    attachment_ids: tuple[uuid.UUID, ...] = ()


def turn_create(
    *,
    conversation: Conversation,
    text: str,
    parent_id: int | None | Literal["active"] = ACTIVE,
    attachment_ids: tuple[uuid.UUID, ...] = (),
) -> Turn:
    """Add a message to the conversation as a new pending turn, even while another one runs."""
    draft = TurnDraft(text=text, parent_id=parent_id, attachment_ids=attachment_ids)
    drafts = {conversation.pk: draft}
    return _turns_create(drafts=drafts, idle_only=False)[conversation.pk]


@transaction.atomic
def turns_create_if_idle(*, drafts: dict[uuid.UUID, TurnDraft]) -> dict[uuid.UUID, Turn | None]:
    """Store each draft in its conversation as a new pending turn, in one transaction.

    A conversation with a turn still running (in any process) gets None instead; a conversation
    that no longer exists is left out. Raises Turn.DoesNotExist when a draft's parent is not a
    turn of its conversation. Each new turn becomes its conversation's active leaf; its files
    (the draft's attachment ids) are in `turn.attachment_list`.
    """
    return _turns_create(drafts=drafts, idle_only=True)


@transaction.atomic
def _turns_create(
    *, drafts: dict[uuid.UUID, TurnDraft], idle_only: bool
) -> dict[uuid.UUID, Turn | None]:
    # Locked in pk order, so two processes starting turns of the same conversations can't
    # deadlock; the running check and the tree are read under that lock.
    locked = Conversation.objects.select_for_update().filter(pk__in=drafts).order_by("pk")
    conversations = {conversation.pk: conversation for conversation in locked}
    trees = selectors.turn_trees(conversation_ids=list(conversations))
    created: dict[uuid.UUID, Turn | None] = {}
    for pk, conversation in conversations.items():
        tree = trees[pk]
        running = any(turn.status in RUNNING for turn in tree.by_id.values())
        created[pk] = (
            None
            if idle_only and running
            else _turn_new(conversation=conversation, draft=drafts[pk], tree=tree)
        )
    turns = [turn for turn in created.values() if turn is not None]
    Turn.objects.bulk_create(turns)
    for turn in turns:
        ids = list(drafts[turn.conversation_id].attachment_ids)
        turn.attachment_list = attachments_claim(turn=turn, attachment_ids=ids) if ids else []
    now = timezone.now()
    for turn in turns:
        turn.conversation.updated_at, turn.conversation.active_leaf = now, turn
    Conversation.objects.bulk_update(
        [t.conversation for t in turns], ["title", "active_leaf", "updated_at"]
    )
    return created


def _turn_new(*, conversation: Conversation, draft: TurnDraft, tree: TurnTree[Turn]) -> Turn:
    """The unsaved turn; the first one also titles a conversation still called New chat."""
    parent_id = draft.parent_id
    if parent_id == ACTIVE:
        path = tree.path(conversation.active_leaf_id)
        parent_id = path[-1].pk if path else None
    if parent_id is not None and parent_id not in tree.by_id:
        raise Turn.DoesNotExist(f"Turn {parent_id} is not in conversation {conversation.pk}.")
    if not tree.by_id and conversation.title == "New chat":
        conversation.title = _title_from_message(draft.text)
    return Turn(
        conversation=conversation,
        owner_id=conversation.owner_id,
        parent_id=parent_id,
        position=0 if parent_id is None else tree.by_id[parent_id].position + 1,
        user_text=draft.text,
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
    tool_calls: list[dict[str, object]] | None = None,
    compacted: bool = False,
    citations: list[dict[str, str]] | None = None,
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
    if tool_calls is not None:
        turn.tool_calls = tool_calls
    turn.compacted, turn.citations = compacted, citations or []
    turn.started_at = turn.started_at or started_at
    turn.reasoning_ended_at, turn.finished_at = reasoning_ended_at, timezone.now()
    if usage is not None:
        turn.input_tokens, turn.output_tokens = usage.input_tokens, usage.output_tokens
        turn.reasoning_tokens, turn.cached_tokens = usage.reasoning_tokens, usage.cached_tokens
    turn.save(update_fields=TURN_FINISH_FIELDS)
    return turn


@transaction.atomic
def turn_delete(*, turn: Turn) -> str:
    """Delete one turn and queue its provider response for deletion; returns the queued id.

    The turns after it then follow its parent, as the lines of a conversation closed up before.
    """
    for response_id in turn.provider_response_ids:
        ProviderDeletion.objects.get_or_create(
            response_id=response_id, defaults={"next_attempt_at": timezone.now()}
        )
    files = Attachment.objects.filter(turn=turn).values_list("file", flat=True)
    attachment_files_delete_on_commit(names=list(files))
    Turn.objects.filter(parent=turn).update(parent_id=turn.parent_id)
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
