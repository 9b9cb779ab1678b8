"""Waiting for state that another task or process changes; pytest-timeout catches a hang."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(check: Callable[[], Awaitable[T]], *, interval: float = 0.02) -> T:
    """Await check() until it returns something truthy, and return that."""
    # Polling is the point here: the state lives in a DB or another process, with no event to await.
    while not (value := await check()):  # noqa: ASYNC110
        await asyncio.sleep(interval)
    return value


def server_wait_ready(
    process: subprocess.Popen, *, name: str, ping: Callable[[], object], seconds: float = 60
) -> None:
    """Wait until a server process answers ping() (which raises until then)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited")
        try:
            ping()
            return
        except Exception:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not start within {seconds:.0f} s")
