"""Branches: which versions of a conversation's turns are on screen, in every tab."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.db import transaction

from conversations import selectors
from conversations.models import Conversation, Turn
from conversations.services.publishing import conversation_publish
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


@transaction.atomic
def conversation_branch_open(*, conversation: Conversation, turn_id: int) -> None:
    """Put the branch through a turn on screen unless it is already, and tell the open tabs.

    A page opened on a search hit; raises Turn.DoesNotExist when the turn is not one of the
    conversation's. While a turn is generating, its branch stays on screen.
    """
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    tree = selectors.turn_trees(conversation_ids=[locked.pk])[locked.pk]
    if turn_id in {turn.pk for turn in tree.path(locked.active_leaf_id)}:
        return
    leaf = conversation_branch_select(conversation=locked, turn_id=turn_id)
    if leaf is None:
        return
    conversation.active_leaf = leaf
    message = {"type": "branch.selected", "leaf_id": leaf.pk}
    transaction.on_commit(
        lambda: async_to_sync(conversation_publish)(conversation_id=locked.pk, message=message)
    )
