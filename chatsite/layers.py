"""The channel layer of a single process (the embedded default, when REDIS_URL is unset)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

SWEEP_SECONDS = 1.0


def message_copy(value: Any) -> Any:
    """A copy of a layer message: its dicts and lists new, its atoms shared (they are immutable).

    Layer messages are msgpack-able data (the Redis layer sends them so), for which this is a
    deep copy at a quarter of copy.deepcopy's cost, paid on every frame to every socket.
    """
    kind = type(value)
    if kind is dict:
        return {key: message_copy(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return kind(message_copy(item) for item in value)
    return value


class LocalChannelLayer(InMemoryChannelLayer):
    """channels' in-memory layer, with its expiry sweep run at most once a second.

    The stock layer walks every channel and every group membership on each send and receive,
    so its cost grows with the number of open sockets: with 200 chats streaming, that walk took
    a third of the process's CPU. Expired messages and memberships still go, a second later.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._swept_at = -math.inf

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_SECONDS:
            return
        self._swept_at = now
        super()._clean_expired()

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        """Send to every channel of the group in turn (a send never waits, so no task each)."""
        assert isinstance(message, dict), "Message is not a dict"
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            with contextlib.suppress(ChannelFull):
                await self.send(channel, message)

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        """Queue a copy of the message on the channel (the stock send, with a cheaper copy)."""
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        queue = self.channels.get(channel)
        if queue is None:
            queue = self.channels[channel] = asyncio.Queue(maxsize=self.get_capacity(channel))
        try:
            queue.put_nowait((time.time() + self.expiry, message_copy(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None
