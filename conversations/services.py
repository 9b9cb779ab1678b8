"""Writes. The only code that saves models or publishes to the channel layer."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from conversations.models import Conversation, ProviderDeletion, ReasoningEffort, Turn

TITLE_MAX_LENGTH = 200


@transaction.atomic
def user_create(*, username: str, password: str) -> AbstractBaseUser:
    """Create an account; the first account of a fresh install becomes a superuser."""
    user_model = get_user_model()
    first = not user_model.objects.exists()
    if first:
        return user_model.objects.create_superuser(username=username, password=password)
    return user_model.objects.create_user(username=username, password=password)


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


def conversation_rename(*, conversation: Conversation, title: str) -> Conversation:
    """Give a conversation a new title (trimmed; blank falls back to 'New chat')."""
    conversation.title = title.strip()[:TITLE_MAX_LENGTH] or "New chat"
    conversation.save(update_fields=["title", "updated_at"])
    return conversation


def conversation_update_settings(
    *,
    conversation: Conversation,
    instructions: str,
    model: str,
    temperature: float | None,
    max_output_tokens: int | None,
    reasoning_effort: str,
) -> Conversation:
    """Change the generation settings used by the conversation's next turns."""
    conversation.instructions = instructions
    conversation.model = model
    conversation.temperature = temperature
    conversation.max_output_tokens = max_output_tokens
    conversation.reasoning_effort = reasoning_effort
    conversation.save(
        update_fields=[
            "instructions",
            "model",
            "temperature",
            "max_output_tokens",
            "reasoning_effort",
            "updated_at",
        ]
    )
    return conversation


@transaction.atomic
def conversation_delete(*, conversation: Conversation) -> list[str]:
    """Delete a conversation and queue its provider responses for deletion.

    Returns the queued response ids; the outbox deletes them at the provider.
    """
    response_ids = [
        rid for rid in conversation.turns.values_list("response_id", flat=True) if rid
    ]
    now = timezone.now()
    ProviderDeletion.objects.bulk_create(
        [ProviderDeletion(response_id=rid, next_attempt_at=now) for rid in response_ids],
        ignore_conflicts=True,
    )
    conversation.delete()
    return response_ids


@transaction.atomic
def turn_create(*, conversation: Conversation, text: str) -> Turn:
    """Append a user message to the conversation as a new pending turn."""
    # Lock the conversation row so two tabs sending at once get distinct positions.
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    last = conversation.turns.aggregate(last=Max("position"))["last"]
    turn = Turn.objects.create(
        conversation=conversation,
        position=0 if last is None else last + 1,
        user_text=text,
        model=conversation.model,
    )
    if last is None and conversation.title == "New chat":
        conversation.title = " ".join(text.split())[:60] or "New chat"
    conversation.save(update_fields=["title", "updated_at"])
    return turn
