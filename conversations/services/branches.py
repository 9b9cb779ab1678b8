"""Branches: which versions of a conversation's turns are on screen, in every tab."""

from __future__ import annotations

from django.db import transaction

from conversations import selectors
from conversations.models import Conversation, Turn
from conversations.services.turns import RUNNING


@transaction.atomic
def conversation_branch_select(*, conversation: Conversation, turn_id: int) -> Turn | None:
    """Put the branch through a turn on screen, down its newest versions; returns its last turn.

    None while a turn of the conversation is generating (its branch stays on screen); raises
    Turn.DoesNotExist when the turn is not one of the conversation's.
    """
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    tree = selectors.turn_tree(conversation_id=conversation.pk)
    if turn_id not in tree.by_id:
        raise Turn.DoesNotExist(f"Turn {turn_id} is not in conversation {conversation.pk}.")
    if any(turn.status in RUNNING for turn in tree.by_id.values()):
        return None
    conversation.active_leaf = tree.newest_leaf(turn_id)
    # Not updated_at: looking at another version does not make a conversation recent.
    conversation.save(update_fields=["active_leaf"])
    return conversation.active_leaf
