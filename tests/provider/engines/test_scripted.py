"""The scripted engine's contract (other tests rely on it)."""

from __future__ import annotations

import asyncio
import time

import pytest

from provider.engines.base import EngineError, Generation, SchemaError
from provider.engines.scripted import ScriptedEngine, split_pieces


async def collect(generation: Generation) -> list[str]:
    """All pieces of one pass."""
    engine = ScriptedEngine(model_name="m")
    return [piece async for piece in engine.stream(generation)]


def user(text: str) -> list[dict]:
    """A context with one user message."""
    return [{"role": "user", "content": text}]


def test_pieces_concatenate_exactly() -> None:
    text = "  You said:  a\nb "

    assert "".join(split_pieces(text)) == text.rstrip()


async def test_reply_and_counts() -> None:
    generation = Generation(
        messages=[{"role": "system", "content": "s t"}, *user("a b")], max_tokens=99
    )

    pieces = await collect(generation)

    assert pieces == ["You", " said:", " a", " b"]
    assert generation.prompt_tokens == 4
    assert generation.output_tokens == 4
    assert generation.finish_reason == "stop"


async def test_plan_pass_text() -> None:
    pieces = await collect(Generation(messages=user("q"), max_tokens=99, purpose="plan"))

    assert "".join(pieces) == "Planning a reply to: q"


async def test_max_tokens_caps_and_reports_length() -> None:
    generation = Generation(messages=user("x [tokens=30]"), max_tokens=16)

    pieces = await collect(generation)

    assert len(pieces) == 16
    assert generation.finish_reason == "length"


async def test_recall_joins_earlier_user_messages() -> None:
    messages = [
        *user("one"),
        {"role": "assistant", "content": "r"},
        *user("two"),
        *user("[recall]"),
    ]

    pieces = await collect(Generation(messages=messages, max_tokens=99))

    assert "".join(pieces) == "Earlier you said: one | two"


async def test_fail_after_three_tokens() -> None:
    pieces: list[str] = []
    engine = ScriptedEngine(model_name="m")

    with pytest.raises(EngineError):
        async for piece in engine.stream(Generation(messages=user("x [fail]"), max_tokens=99)):
            pieces.append(piece)

    assert len(pieces) == 3


async def test_delay_sleeps_before_each_token() -> None:
    started = time.monotonic()

    pieces = await collect(Generation(messages=user("[delay=20]"), max_tokens=99))

    assert len(pieces) == 3
    assert time.monotonic() - started >= 0.06


async def test_cancel_stops_the_stream() -> None:
    generation = Generation(messages=user("[delay=10] [tokens=50]"), max_tokens=99)
    engine = ScriptedEngine(model_name="m")
    pieces = []

    async for piece in engine.stream(generation):
        pieces.append(piece)
        if len(pieces) == 2:
            generation.cancel.set()
    await asyncio.sleep(0)

    assert len(pieces) == 2


async def test_check_schema_refuses_a_ref_outside_the_document() -> None:
    schema = {"type": "object", "properties": {"child": {"$ref": "#"}}}

    with pytest.raises(SchemaError) as caught:
        await ScriptedEngine(model_name="m").check_schema(schema)

    assert str(caught.value).startswith(
        "JSON schema error at #/properties/child: unsupported $ref #"
    )


async def test_check_schema_takes_refs_into_the_document() -> None:
    schema = {"$defs": {"n": {"type": "integer"}}, "items": {"$ref": "#/$defs/n"}}

    await ScriptedEngine(model_name="m").check_schema(schema)
