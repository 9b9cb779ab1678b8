"""Imports: conversations read from an export file, stored in one transaction."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from conversations.models import Conversation, Turn
from conversations.transfer.fields import ImportedConversation

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
    turns = [
        Turn(
            conversation=conversation,
            position=position,
            user_text=turn.user_text,
            output_text=turn.output_text,
            reasoning_text=turn.reasoning_text,
            status=turn.status,
            error=turn.error,
            model=turn.model,
            **turn.usage,
        )
        for conversation, imported in zip(created, conversations, strict=True)
        for position, turn in enumerate(imported.turns)
    ]
    Turn.objects.bulk_create(turns, batch_size=BATCH_SIZE)
    return created
