"""Turn starts, in batches: the new turns with their POST bodies, then their response ids.

Both writes sit on the first-token path of every turn starting at the same moment (see
conversations.streaming.groupcommit), so each batch of them costs one trip to the database thread.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from conversations import selectors, services
from conversations.models import Conversation, Turn
from conversations.streaming.groupcommit import GroupCommit
from conversations.streaming.requests import request_body_sync
from conversations.tree import TurnTree


@dataclass(frozen=True)
class Begun:
    """A new pending turn, its POST body and the ids of its versions (itself included)."""

    turn: Turn
    body: dict[str, Any]
    versions: list[int]


async def turn_begin(*, conversation_id: uuid.UUID, draft: services.TurnDraft) -> Begun | None:
    """A new pending turn for the draft and its POST body; None while another turn runs.

    Raises Conversation.DoesNotExist when the conversation has been deleted, Turn.DoesNotExist
    when the draft's parent is not one of its turns.
    """
    return await _begins.submit((conversation_id, draft))


async def turn_started(*, start: services.TurnStart) -> None:
    """Record the provider's response id of a turn: it is streaming."""
    await _starts.submit(start)


def _turns_begin(
    drafts: list[tuple[uuid.UUID, services.TurnDraft]],
) -> list[Begun | None | Exception]:
    turns = services.turns_create_if_idle(drafts=dict(drafts))
    created = [pk for pk, turn in turns.items() if turn is not None]
    trees = selectors.turn_trees(conversation_ids=created)
    return [_begun(turns, trees, conversation_id) for conversation_id, _ in drafts]


def _begun(
    turns: dict[uuid.UUID, Turn | None],
    trees: dict[uuid.UUID, TurnTree[Turn]],
    conversation_id: uuid.UUID,
) -> Begun | None | Exception:
    if conversation_id not in turns:
        return Conversation.DoesNotExist(f"Conversation {conversation_id} does not exist.")
    turn = turns[conversation_id]
    if turn is None:
        return None
    tree = trees[conversation_id]
    body = request_body_sync(
        turn=turn,
        conversation=turn.conversation,
        background=settings.OPENAI_BACKGROUND,
        previous_response_id=selectors.turn_previous_response_id(
            tree=tree, parent_id=turn.parent_id
        ),
    )
    return Begun(turn=turn, body=body, versions=tree.versions(turn))


def _turns_start(starts: list[services.TurnStart]) -> list[None]:
    services.turns_start(starts=starts)
    return [None] * len(starts)


_begins: GroupCommit[tuple[uuid.UUID, services.TurnDraft], Begun | None] = GroupCommit(_turns_begin)
_starts: GroupCommit[services.TurnStart, None] = GroupCommit(_turns_start)
