"""Websocket helpers shared by the chat tests."""

from __future__ import annotations

from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from conversations.streaming.routing import websocket_urlpatterns


async def connect(user, conversation_id, *, after: int | None = None) -> WebsocketCommunicator:
    """A connected ChatConsumer socket for that user (no session: the scope carries the user)."""
    query = "" if after is None else f"?after={after}"
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/conversations/{conversation_id}/{query}"
    )
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator
