"""Reads. Every query that takes a user filters by owner, so one user never sees another's data."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from conversations.models import Conversation, Turn, TurnStatus


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
