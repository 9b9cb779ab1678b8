"""Conversations: create (with a first message), rename, change settings, delete (queueing
provider deletions)."""

from __future__ import annotations

import uuid

from asgiref.sync import async_to_sync
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from conversations.models import (
    Attachment,
    Conversation,
    ProviderDeletion,
    ReasoningEffort,
    Turn,
)
from conversations.services.attachments import attachment_files_delete_on_commit
from conversations.services.publishing import conversation_publish
from conversations.services.turns import turn_create

TITLE_MAX_LENGTH = 200


def conversation_create(
    *,
    owner: AbstractBaseUser,
    model: str = "",
    instructions: str = "",
    reasoning_effort: str = ReasoningEffort.LOW,
) -> Conversation:
    """Start an empty conversation for the owner."""
    return Conversation.objects.create(
        owner=owner, model=model, instructions=instructions, reasoning_effort=reasoning_effort
    )


@transaction.atomic
def conversation_start(
    *, owner: AbstractBaseUser, text: str, attachment_ids: tuple[uuid.UUID, ...] = ()
) -> Turn:
    """A new conversation with its first message (and its files) as a pending turn: none is
    ever left empty."""
    conversation = conversation_create(owner=owner)
    return turn_create(conversation=conversation, text=text, attachment_ids=attachment_ids)


def conversation_rename(*, conversation: Conversation, title: str) -> Conversation:
    """Give a conversation a new title (trimmed; blank falls back to 'New chat')."""
    conversation.title = title.strip()[:TITLE_MAX_LENGTH] or "New chat"
    conversation.save(update_fields=["title", "updated_at"])
    # The user's other tabs on it show the new title too.
    async_to_sync(conversation_publish)(
        conversation_id=conversation.pk,
        message={"type": "conversation.renamed", "title": conversation.title},
    )
    return conversation


def conversation_update_settings(
    *,
    conversation: Conversation,
    instructions: str,
    model: str,
    temperature: float | None,
    max_output_tokens: int | None,
    reasoning_effort: str,
    tools: list[str] | None = None,
    vector_store_ids: list[str] | None = None,
) -> Conversation:
    """Change the generation settings used by the conversation's next turns."""
    conversation.instructions = instructions
    conversation.model = model
    conversation.temperature = temperature
    conversation.max_output_tokens = max_output_tokens
    conversation.reasoning_effort = reasoning_effort
    if tools is not None:
        conversation.tools = tools
    if vector_store_ids is not None:
        conversation.vector_store_ids = vector_store_ids
    conversation.save(
        update_fields=[
            "instructions",
            "model",
            "temperature",
            "max_output_tokens",
            "reasoning_effort",
            "tools",
            "vector_store_ids",
            "updated_at",
        ]
    )
    return conversation


@transaction.atomic
def conversation_delete(*, conversation: Conversation) -> list[str]:
    """Delete a conversation and queue its provider responses for deletion.

    Returns the queued response ids; the outbox deletes them at the provider. Attached files
    are deleted once the rows are.
    """
    files = Attachment.objects.filter(turn__conversation=conversation).values_list(
        "file", flat=True
    )
    attachment_files_delete_on_commit(names=list(files))
    response_ids = [rid for turn in conversation.turns.all() for rid in turn.provider_response_ids]
    now = timezone.now()
    ProviderDeletion.objects.bulk_create(
        [ProviderDeletion(response_id=rid, next_attempt_at=now) for rid in response_ids],
        ignore_conflicts=True,
    )
    conversation.delete()
    return response_ids
