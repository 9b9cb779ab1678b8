"""Reads. Every query that takes a user filters by owner, so one user never sees another's data."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from conversations.models import Conversation, ProviderDeletion, Turn, TurnStatus


def conversation_list(*, owner: AbstractBaseUser, query: str = "") -> QuerySet[Conversation]:
    """The owner's conversations, newest first, optionally filtered by title or text."""
    conversations = Conversation.objects.filter(owner=owner)
    if query:
        matching_turns = Turn.objects.filter(
            Q(user_text__icontains=query) | Q(output_text__icontains=query)
        ).values("conversation_id")
        conversations = conversations.filter(Q(title__icontains=query) | Q(id__in=matching_turns))
    return conversations.order_by("-updated_at")


def conversation_get(*, owner: AbstractBaseUser, conversation_id: uuid.UUID | str) -> Conversation:
    """One conversation of the owner; raises Conversation.DoesNotExist otherwise."""
    return Conversation.objects.get(owner=owner, id=conversation_id)


def turn_list(*, conversation: Conversation) -> QuerySet[Turn]:
    """The turns of a conversation in order."""
    return conversation.turns.order_by("position")


def conversation_last_response_id(*, conversation: Conversation) -> str:
    """The response id to chain the next turn to: the last completed turn's, or ''."""
    turn = (
        conversation.turns.filter(status=TurnStatus.COMPLETED)
        .exclude(response_id="")
        .order_by("-position")
        .first()
    )
    return turn.response_id if turn else ""


def turn_as_dict(*, turn: Turn) -> dict[str, object]:
    """A turn as the websocket protocol's turn object (also used to render history)."""
    usage = None
    if turn.input_tokens is not None or turn.output_tokens is not None:
        usage = {
            "input_tokens": turn.input_tokens or 0,
            "output_tokens": turn.output_tokens or 0,
            "reasoning_tokens": turn.reasoning_tokens or 0,
            "cached_tokens": turn.cached_tokens or 0,
        }
    reasoning_seconds = None
    if turn.started_at and turn.reasoning_ended_at:
        reasoning_seconds = (turn.reasoning_ended_at - turn.started_at).total_seconds()
    return {
        "id": turn.pk,
        "position": turn.position,
        "user_text": turn.user_text,
        "status": turn.status,
        "response_id": turn.response_id,
        "output_text": turn.output_text,
        "reasoning_text": turn.reasoning_text,
        "reasoning_seconds": reasoning_seconds,
        "usage": usage,
        "error": turn.error,
    }


def turn_history(*, conversation: Conversation, before_position: int) -> list[Turn]:
    """Completed turns before a position, oldest first (the context for stateless providers)."""
    return list(
        conversation.turns.filter(
            status=TurnStatus.COMPLETED, position__lt=before_position
        ).order_by("position")
    )


def provider_deletion_due(*, now: datetime) -> list[ProviderDeletion]:
    """Outbox rows whose next attempt is due."""
    return list(
        ProviderDeletion.objects.filter(next_attempt_at__lte=now).order_by("next_attempt_at")
    )


def provider_deletion_next_at() -> datetime | None:
    """When the earliest pending outbox row is due, or None when the outbox is empty."""
    row = ProviderDeletion.objects.order_by("next_attempt_at").first()
    return row.next_attempt_at if row else None
