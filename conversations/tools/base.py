"""What a function tool is: its name, description, JSON schema and function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ToolContext:
    """Who a call runs for: tools that read data read only that user's."""

    owner_id: int


@dataclass(frozen=True)
class Tool:
    """A function the model may call: `run(context, **arguments)` returns its output as text."""

    name: str
    description: str
    parameters: dict[str, object]
    run: Callable[..., str]
    # Reads the database: runs on Django's database thread, not a plain worker thread.
    uses_db: bool = False
