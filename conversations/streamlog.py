"""The stream log: the frames of a conversation's latest turn, kept so sockets can resume.

With REDIS_URL set it is a Redis Stream per conversation (shared by every process, expiring
STREAM_LOG_TTL_SECONDS after its last frame); otherwise a dict in this process.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
import weakref
from typing import TYPE_CHECKING, Any

import orjson
from django.conf import settings

if TYPE_CHECKING:
    import redis.asyncio as redis

KEY_PREFIX = "chatsite:streamlog:"
# The in-memory sweep walks every log: at most once a second, not on every frame.
SWEEP_SECONDS = 1.0

# conversation id -> (frames, monotonic expiry); used when REDIS_URL is unset.
_memory: dict[uuid.UUID, tuple[list[dict[str, Any]], float]] = {}
_swept_at = -math.inf
# A Redis client's connections belong to the loop that opened them.
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, redis.Redis] = (
    weakref.WeakKeyDictionary()
)


def _redis() -> redis.Redis | None:
    if not settings.REDIS_URL:
        return None
    loop = asyncio.get_running_loop()
    if loop not in _clients:
        # Imported here: a single process without Redis shouldn't pay its import at start-up.
        import redis.asyncio

        _clients[loop] = redis.asyncio.Redis.from_url(settings.REDIS_URL)
    return _clients[loop]


def _key(conversation_id: uuid.UUID) -> str:
    return f"{KEY_PREFIX}{conversation_id.hex}"


async def log_reset(*, conversation_id: uuid.UUID) -> None:
    """Forget the previous turn's frames: a new turn starts."""
    client = _redis()
    if client is None:
        _memory.pop(conversation_id, None)
        return
    await client.delete(_key(conversation_id))


async def log_append(*, conversation_id: uuid.UUID, message: dict[str, Any]) -> None:
    """Add one frame and push the log's expiry back."""
    ttl = settings.STREAM_LOG_TTL_SECONDS
    client = _redis()
    if client is None:
        _expire_memory()
        frames = _memory.get(conversation_id, ([], 0.0))[0]
        frames.append(message)
        _memory[conversation_id] = (frames, time.monotonic() + ttl)
        return
    key = _key(conversation_id)
    async with client.pipeline(transaction=True) as pipe:
        pipe.xadd(key, {"m": orjson.dumps(message)})
        pipe.expire(key, ttl)
        await pipe.execute()


async def log_read(*, conversation_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every frame of the conversation's latest turn, oldest first."""
    client = _redis()
    if client is None:
        _expire_memory()
        frames, expiry = _memory.get(conversation_id, ([], math.inf))
        return list(frames) if expiry >= time.monotonic() else []
    entries = await client.xrange(_key(conversation_id))
    return [orjson.loads(fields[b"m"]) for _, fields in entries]


def _expire_memory() -> None:
    global _swept_at
    now = time.monotonic()
    if now - _swept_at < SWEEP_SECONDS:
        return
    _swept_at = now
    for conversation_id in [c for c, (_, expiry) in _memory.items() if expiry < now]:
        del _memory[conversation_id]


def frames_after(*, frames: list[dict[str, Any]], after: int) -> list[dict[str, Any]]:
    """What a socket that has seen deltas up to `after` still needs: later deltas, turn events."""
    needed = []
    for frame in frames:
        if frame["type"] == "turn.resumed":
            # A re-attached job restarts the deltas from its checkpoint, whatever was seen before.
            after = frame["seq"]
        if frame["type"] != "turn.delta" or frame["seq"] > after:
            needed.append(frame)
    return [frame for frame in needed if frame["type"] != "turn.created"]
