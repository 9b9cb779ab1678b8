"""Compaction (spec §19): the local model summarises a context into one sealed compaction item.

A compaction item stands for every item before it: a context is cut at its last compaction
item (`compacted`). `POST /responses/compact` keeps the newest user message verbatim and
summarises the rest; compaction on create (`context_management`) summarises the whole context
and answers from the summary and the newest user message (generation.passes).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from provider.engines.base import Engine, Generation
from provider.generation.admission import admission
from provider.generation.prompt import chat_messages
from provider.ids import new_id
from provider.protocol import Usage
from provider.sealing import seal

SUMMARY_TOKENS = 256


def compacted(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items from the last compaction item on (it stands for everything before it)."""
    for index in range(len(items) - 1, -1, -1):
        if items[index].get("type") == "compaction":
            return items[index:]
    return items


def kept_from(items: list[dict[str, Any]]) -> int:
    """Where the items kept verbatim start: at the newest user message, when one ends them."""
    last = items[-1] if items else {}
    is_user = last.get("type", "message") == "message" and last.get("role") == "user"
    return len(items) - 1 if is_user else len(items)


def compaction_item(summary: str) -> dict[str, Any]:
    """The output item carrying a sealed summary."""
    return {"type": "compaction", "id": new_id("cmp"), "encrypted_content": seal(summary)}


def summary_generation(items: list[dict[str, Any]], *, cancel: threading.Event) -> Generation:
    """The summary pass over these items (greedy: the same context makes the same summary)."""
    return Generation(
        messages=chat_messages(items, instructions=None),
        max_tokens=SUMMARY_TOKENS,
        temperature=0.0,
        purpose="summarize",
        cancel=cancel,
    )


async def compact(
    *, items: list[dict[str, Any]], engine: Engine
) -> tuple[list[dict[str, Any]], Usage]:
    """The compacted window of a context and what its summary cost, admitted like a response.

    The work runs in its own task: a client that leaves stops the engine through the cancel
    flag, and the slot is given back when the task ends.
    """
    cut = kept_from(items) if len(items) > 1 else len(items)
    generation = summary_generation(items[:cut], cancel=threading.Event())
    admission.reserve()
    task = asyncio.create_task(_summarize(engine, generation))
    try:
        summary = await asyncio.shield(task)
    except asyncio.CancelledError:
        generation.cancel.set()
        raise
    usage = Usage(
        input_tokens=generation.prompt_tokens,
        cached_tokens=generation.cached_tokens,
        output_tokens=generation.output_tokens,
    )
    return [compaction_item(summary), *items[cut:]], usage


async def _summarize(engine: Engine, generation: Generation) -> str:
    """Wait for a slot (the place is reserved), then write the summary."""
    held = False
    try:
        held = await admission.acquire(asyncio.Event())
        await engine.start()
        return "".join([piece async for piece in engine.stream(generation)]).strip()
    finally:
        admission.release(held=held)
