"""The real local model (SmolLM2 through xllamacpp) behind the /v1 API."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from openai import OpenAI

from provider.engines import llama
from provider.engines.base import Generation
from provider.engines.llama import LlamaEngine
from tests.live import LiveServer, live_server_start

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def llama_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with PROVIDER_ENGINE=llama."""
    server = live_server_start(data_dir=tmp_path_factory.mktemp("llama-app"), engine="llama")
    yield server
    server.stop()


def test_streams_reasoning_and_reply(llama_app: LiveServer) -> None:
    client = OpenAI(base_url=llama_app.v1, api_key=llama_app.api_key, max_retries=0)
    started = time.monotonic()

    with client.responses.stream(
        model="smollm2",
        input="What is the capital of France?",
        reasoning={"effort": "low"},
        max_output_tokens=256,
        temperature=0.0,  # the same reply every run (sampled at 0.2, ~1 run in 10 did not complete)
    ) as stream:
        types = [event.type for event in stream]
        final = stream.get_final_response()
    elapsed = time.monotonic() - started

    print(f"SmolLM2 two-pass reply in {elapsed:.2f} s: {final.usage}")
    assert "response.reasoning_text.delta" in types
    assert "response.output_text.delta" in types
    assert final.status == "completed"
    assert [item.type for item in final.output] == ["reasoning", "message"]
    assert final.output[0].content[0].text.startswith("- ")
    assert final.output_text.strip()
    assert final.usage.input_tokens > 0
    assert 0 < final.usage.output_tokens_details.reasoning_tokens <= 32
    assert final.usage.output_tokens > final.usage.output_tokens_details.reasoning_tokens


def test_concurrent_replies_do_not_interleave(llama_app: LiveServer) -> None:
    client = OpenAI(base_url=llama_app.v1, api_key=llama_app.api_key, max_retries=0)
    started = time.monotonic()
    streams = [
        client.responses.create(model="m", input=text, stream=True, max_output_tokens=24)
        for text in ("Name a color.", "Name an animal.")
    ]

    runs = [list(stream) for stream in streams]
    print(f"two concurrent replies in {time.monotonic() - started:.2f} s")

    for events in runs:
        final = events[-1].response
        deltas = [e for e in events if e.type == "response.output_text.delta"]
        assert final.status in ("completed", "incomplete")
        assert {e.item_id for e in deltas} == {final.output[0].id}
        assert "".join(e.delta for e in deltas) == final.output_text
        assert 0 < final.usage.output_tokens <= 24


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> LlamaEngine:
    """An in-process engine on the bundled model (one slot)."""
    socket_dir: Path = tmp_path_factory.mktemp("llama")
    return LlamaEngine(
        model_path=settings.PROVIDER_MODEL_PATH,
        model_name="smollm2",
        slots=1,
        threads=2,
        context_tokens=2048,
        socket_path=socket_dir / "llama.sock",
    )


async def test_count_tokens_matches_prompt_tokens(engine: LlamaEngine) -> None:
    messages = [{"role": "user", "content": "Say hi."}]
    generation = Generation(messages=messages, max_tokens=4, temperature=0.0)

    pieces = [piece async for piece in engine.stream(generation)]

    assert 0 < len(pieces) <= 4
    assert generation.prompt_tokens > 0
    assert await engine.count_tokens(messages) == generation.prompt_tokens


async def test_cancel_stops_generation(engine: LlamaEngine) -> None:
    generation = Generation(
        messages=[{"role": "user", "content": "Count from one to one hundred."}], max_tokens=200
    )
    pieces = []

    async for piece in engine.stream(generation):
        pieces.append(piece)
        if len(pieces) == 3:
            generation.cancel.set()

    assert 3 <= len(pieces) <= 5


async def test_an_output_cap_past_32_bits_is_held_to_the_window(engine: LlamaEngine) -> None:
    generation = Generation(messages=[{"role": "user", "content": "Say hi."}], max_tokens=2**31)
    pieces = []

    async for piece in engine.stream(generation):  # the engine refused 2**31 with an error
        pieces.append(piece)
        if len(pieces) == 3:
            generation.cancel.set()

    assert pieces


async def test_token_chunks_skip_the_full_parse(
    engine: LlamaEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The fast path must match what this engine writes, or every token pays a full parse.
    parsed: list[dict[str, Any]] = []
    absorb = llama._absorb

    def recording(chunk: dict[str, Any], generation: Generation) -> str:
        parsed.append(chunk)
        return absorb(chunk, generation)

    monkeypatch.setattr(llama, "_absorb", recording)
    generation = Generation(messages=[{"role": "user", "content": "Say hi."}], max_tokens=6)

    pieces = [piece async for piece in engine.stream(generation)]

    assert pieces
    assert parsed  # the role, finish and usage chunks
    assert not [chunk for chunk in parsed for c in chunk["choices"] if c["delta"].get("content")]


def test_shutdown_does_not_wait_for_a_generation(tmp_path: Path) -> None:
    server = live_server_start(data_dir=tmp_path, engine="llama")
    client = OpenAI(base_url=server.v1, api_key=server.api_key, max_retries=0)
    client.responses.create(
        model="m", input="Write a very long story.", background=True, max_output_tokens=4000
    )
    time.sleep(2)  # generating
    started = time.monotonic()

    server.process.send_signal(signal.SIGTERM)
    try:
        server.process.wait(timeout=30)
    finally:
        server.stop()

    assert time.monotonic() - started < 10  # it waited for all 4000 tokens before
