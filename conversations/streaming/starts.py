"""Turn starts, in batches: the new turns with their POST bodies, then their response ids.

Both writes sit on the first-token path of every turn starting at the same moment (see
conversations.streaming.groupcommit), so each batch of them costs one trip to the database thread.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings

from conversations import selectors, services
from conversations.models import Conversation, Turn
from conversations.streaming.groupcommit import GroupCommit
from conversations.streaming.requests import request_body_sync

Begun = tuple[Turn, dict[str, Any]]
# A message to start: its conversation, its text, the ids of its attachments.
Message = tuple[uuid.UUID, str, tuple[uuid.UUID, ...]]


async def turn_begin(
    *, conversation_id: uuid.UUID, text: str, attachment_ids: tuple[uuid.UUID, ...] = ()
) -> Begun | None:
    """A new pending turn for the message and its POST body; None while another turn runs.

    Raises Conversation.DoesNotExist when the conversation has been deleted.
    """
    return await _begins.submit((conversation_id, text, attachment_ids))


async def turn_started(*, start: services.TurnStart) -> None:
    """Record the provider's response id of a turn: it is streaming."""
    await _starts.submit(start)


def _turns_begin(messages: list[Message]) -> list[Begun | None | Exception]:
    turns = services.turns_create_if_idle(
        messages={pk: text for pk, text, _ in messages},
        attachments={pk: list(ids) for pk, _, ids in messages if ids},
    )
    created = [pk for pk, turn in turns.items() if turn is not None]
    previous = selectors.conversations_last_response_ids(conversation_ids=created)
    return [_begun(turns, previous, conversation_id) for conversation_id, _, _ in messages]


def _begun(
    turns: dict[uuid.UUID, Turn | None], previous: dict[uuid.UUID, str], conversation_id: uuid.UUID
) -> Begun | None | Exception:
    if conversation_id not in turns:
        return Conversation.DoesNotExist(f"Conversation {conversation_id} does not exist.")
    turn = turns[conversation_id]
    if turn is None:
        return None
    body = request_body_sync(
        turn=turn,
        conversation=turn.conversation,
        background=settings.OPENAI_BACKGROUND,
        previous_response_id=previous.get(conversation_id, ""),
    )
    return turn, body


def _turns_start(starts: list[services.TurnStart]) -> list[None]:
    services.turns_start(starts=starts)
    return [None] * len(starts)


_begins: GroupCommit[Message, Begun | None] = GroupCommit(_turns_begin)
_starts: GroupCommit[services.TurnStart, None] = GroupCommit(_turns_start)
