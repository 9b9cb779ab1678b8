"""Fit a request's context into the engine's window (spec §3 `truncation`).

`truncation: "disabled"` (the default) refuses a context the model cannot hold with a 400;
`"auto"` drops whole items from the start of the conversation until it fits with room left
for the answer, as OpenAI does.
"""

from __future__ import annotations

from typing import Any

from provider.engines.base import ChatMessage, Engine
from provider.errors import ApiError
from provider.generation.passes import DEFAULT_MAX_OUTPUT_TOKENS
from provider.generation.prompt import prompt_messages
from provider.request import MIN_OUTPUT_TOKENS, CreateParams

# An upper bound of the chat template's tokens around each message and in all (SmolLM2's adds
# about 5 per message and a default system prompt of 20): below it no count is needed.
TEMPLATE_TOKENS_PER_MESSAGE = 16
TEMPLATE_TOKENS = 64
# Items that cannot start a context: the result of a call that was dropped.
ORPHANS = ("function_call_output",)


def context_too_long() -> ApiError:
    """OpenAI's 400 for an input larger than the model's context window."""
    return ApiError(
        "Your input exceeds the context window of this model. Please adjust your input and "
        "try again.",
        param="input",
        code="context_length_exceeded",
    )


async def context_fit(
    *, params: CreateParams, items: list[dict[str, Any]], engine: Engine
) -> list[dict[str, Any]]:
    """The context items the engine can take for this request (all of them when they fit)."""
    if params.truncation != "auto":
        if not await _fits(params, items, engine, MIN_OUTPUT_TOKENS):
            raise context_too_long()
        return items
    reserve = min(params.max_output_tokens or DEFAULT_MAX_OUTPUT_TOKENS, engine.context_tokens // 4)
    if await _fits(params, items, engine, reserve):
        return items
    return await _latest_that_fit(params, items, engine, reserve)


async def _latest_that_fit(
    params: CreateParams, items: list[dict[str, Any]], engine: Engine, reserve: int
) -> list[dict[str, Any]]:
    """The longest tail of the items that fits (a binary search over where it starts)."""
    low, high = 1, len(items) - 1  # items[high:] is tried last: the newest item alone
    if not await _fits(params, items[high:], engine, reserve):
        raise context_too_long()
    while low < high:
        middle = (low + high) // 2
        if await _fits(params, items[middle:], engine, reserve):
            high = middle
        else:
            low = middle + 1
    kept = items[high:]
    while len(kept) > 1 and kept[0].get("type") in ORPHANS:
        kept = kept[1:]
    return kept


async def _fits(
    params: CreateParams, items: list[dict[str, Any]], engine: Engine, reserve: int
) -> bool:
    """Whether the prompt of these items leaves `reserve` tokens of the window free."""
    messages = prompt_messages(
        items, instructions=params.instructions, tools=params.tools, tool_choice=params.tool_choice
    )
    room = engine.context_tokens - reserve
    if _most_tokens(messages) <= room:
        return True
    return await engine.count_tokens(messages) <= room


def _most_tokens(messages: list[ChatMessage]) -> int:
    """An upper bound of the prompt's tokens: no token is shorter than one byte of text."""
    text = sum(len(message["content"].encode()) for message in messages)
    return text + TEMPLATE_TOKENS_PER_MESSAGE * len(messages) + TEMPLATE_TOKENS
