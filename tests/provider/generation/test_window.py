"""Fitting a context into the engine's window: refused, or its oldest items dropped."""

from __future__ import annotations

import pytest

from provider.api.params import parse_create
from provider.engines.scripted import ScriptedEngine
from provider.errors import ApiError
from provider.generation.window import context_fit

# The scripted engine counts words; a window of 200 leaves 150 for the prompt under "auto"
# (a quarter is kept for the answer) and 184 under "disabled" (room for 16 output tokens).
WINDOW = 200


def make_user(words: int, name: str = "w") -> dict:
    """A user message of this many words."""
    return {"type": "message", "role": "user", "content": " ".join([name] * words)}


async def fit(items: list[dict], **body: object) -> list[dict]:
    """context_fit for a request with these body fields on a small scripted engine."""
    params = parse_create({"model": "m", "input": "x", **body})
    engine = ScriptedEngine(model_name="m", context_tokens=WINDOW)
    return await context_fit(params=params, items=items, engine=engine)


async def test_a_context_that_fits_is_kept_whole() -> None:
    items = [make_user(100), make_user(40)]

    assert await fit(items) is items
    assert await fit(items, truncation="auto") is items


async def test_disabled_truncation_refuses_a_context_too_long() -> None:
    with pytest.raises(ApiError) as raised:
        await fit([make_user(100), make_user(90)])

    assert raised.value.status == 400
    assert raised.value.code == "context_length_exceeded"
    assert raised.value.param == "input"


async def test_auto_truncation_drops_the_oldest_items_until_it_fits() -> None:
    items = [make_user(60, "a"), make_user(60, "b"), make_user(60, "c"), make_user(60, "d")]

    kept = await fit(items, truncation="auto")

    assert kept == items[2:]


async def test_auto_truncation_does_not_start_with_a_dropped_calls_output() -> None:
    arguments = '{"text": "' + " ".join(["z"] * 100) + '"}'
    call = {"type": "function_call", "call_id": "c1", "name": "f", "arguments": arguments}
    output = {"type": "function_call_output", "call_id": "c1", "output": "ok"}
    items = [make_user(10, "a"), call, output, make_user(60, "b")]

    kept = await fit(items, truncation="auto", max_output_tokens=100)

    assert kept == [items[3]]


async def test_auto_truncation_refuses_a_newest_item_too_long() -> None:
    with pytest.raises(ApiError) as raised:
        await fit([make_user(10), make_user(190)], truncation="auto")

    assert raised.value.code == "context_length_exceeded"
