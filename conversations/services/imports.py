"""Imports: conversations read from an export file, stored in one transaction."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from conversations.models import Conversation, Turn
from conversations.transfer.fields import ImportedConversation, ImportedTurn

BATCH_SIZE = 1000


@transaction.atomic
def conversations_import(
    *, owner: AbstractBaseUser, conversations: list[ImportedConversation]
) -> list[Conversation]:
    """Store the conversations with their turns, all or nothing.

    The turns carry no response ids: the provider stores no response for them, so the next
    turn sends their history as input (streaming.requests), and deleting them deletes nothing
    there.
    """
    created = Conversation.objects.bulk_create(
        [Conversation(owner=owner, title=c.title, **c.settings) for c in conversations],
        batch_size=BATCH_SIZE,
    )
    # One insert per depth: each turn's parent (the turn before it) needs its id first.
    depth = max((len(c.turns) for c in conversations), default=0)
    parents: list[Turn | None] = [None] * len(created)
    for position in range(depth):
        level = [
            (index, _turn(created[index], parents[index], position, imported.turns[position]))
            for index, imported in enumerate(conversations)
            if position < len(imported.turns)
        ]
        Turn.objects.bulk_create([turn for _, turn in level], batch_size=BATCH_SIZE)
        for index, turn in level:
            parents[index] = turn
    return created


def _turn(
    conversation: Conversation, parent: Turn | None, position: int, turn: ImportedTurn
) -> Turn:
    return Turn(
        conversation=conversation,
        owner_id=conversation.owner_id,
        parent=parent,
        position=position,
        user_text=turn.user_text,
        output_text=turn.output_text,
        reasoning_text=turn.reasoning_text,
        status=turn.status,
        error=turn.error,
        model=turn.model,
        **turn.usage,
    )
