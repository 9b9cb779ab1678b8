"""Waiting for state that another task or process changes; pytest-timeout catches a hang."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], *, interval: float = 0.02) -> T:
    """Await check() until it returns something truthy, and return that."""
    # Polling is the point here: the state lives in a DB or another process, with no event to await.
    while not (value := await check()):  # noqa: ASYNC110
        await asyncio.sleep(interval)
    return value
