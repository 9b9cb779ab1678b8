"""Publishing to the channel layer: every tab of a conversation, every tab of a user."""

from __future__ import annotations

import uuid
from typing import Any

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from conversations import selectors, streamlog


def conversation_group(*, conversation_id: uuid.UUID) -> str:
    """The channel-layer group every socket of a conversation joins."""
    return f"conversation.{conversation_id.hex}"


async def conversation_publish(*, conversation_id: uuid.UUID, message: dict[str, Any]) -> None:
    """Send a websocket message to every open tab of the conversation."""
    await get_channel_layer().group_send(
        conversation_group(conversation_id=conversation_id),
        {"type": "chat.message", "message": message},
    )


def user_group(*, user_id: int) -> str:
    """The channel-layer group every socket of a user joins, whatever conversation it shows."""
    return f"user.{user_id}"


async def conversation_generating_publish(
    *, conversation_id: uuid.UUID, generating: bool, owner_id: int | None = None
) -> None:
    """Tell every open tab of the owner that a turn of the conversation started or ended."""
    if owner_id is None:
        owner_id = await database_sync_to_async(selectors.conversation_owner_id)(
            conversation_id=conversation_id
        )
    if owner_id is None:
        return
    message = {
        "type": "conversation.generating",
        "conversation_id": str(conversation_id),
        "generating": generating,
    }
    await get_channel_layer().group_send(
        user_group(user_id=owner_id), {"type": "chat.message", "message": message}
    )


async def turn_publish(
    *, conversation_id: uuid.UUID, message: dict[str, Any], first: bool = False
) -> None:
    """Log a turn frame for sockets that resume later, then send it to every open tab.

    `first` starts a new log: a socket resuming gets the frames of the latest turn only.
    """
    if first:
        await streamlog.log_reset(conversation_id=conversation_id)
    await streamlog.log_append(conversation_id=conversation_id, message=message)
    await conversation_publish(conversation_id=conversation_id, message=message)
