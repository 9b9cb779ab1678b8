"""How the llama engine reads xllamacpp's JSON chunks, on a fake server (no model needed)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from provider.engines.base import EngineError, Generation
from provider.engines.llama import LlamaEngine, _read

TAIL = ',"created":1,"id":"chatcmpl-x","model":"m","object":"chat.completion.chunk"}'


class FakeServer:
    """Stands in for xllamacpp.Server: hands fixed JSON chunks to the callback."""

    def __init__(self, chunks: list[str]) -> None:
        self.chunks = chunks

    def handle_chat_completions(self, request: str, callback: Callable[[str], bool]) -> None:
        """Check the request is a JSON string, then stream the chunks until told to stop."""
        assert json.loads(request)["stream"] is True
        for chunk in self.chunks:
            try:
                stop = callback(chunk)
            except Exception:  # as xllamacpp does: a failing callback just ends the stream
                return
            if stop:
                return


def _engine(tmp_path: Path, chunks: list[str]) -> LlamaEngine:
    """A llama engine whose server is a FakeServer."""
    engine = LlamaEngine(
        model_path="unused.gguf",
        model_name="m",
        slots=1,
        threads=1,
        context_tokens=512,
        socket_path=tmp_path / "llama.sock",
    )
    engine._server = FakeServer(chunks)
    return engine


def _generation() -> Generation:
    """A generation to record figures on."""
    return Generation(messages=[{"role": "user", "content": "hi"}], max_tokens=8)


def _token(delta: dict[str, object], finish: str | None = None) -> str:
    """A chunk in the shape and key order llama.cpp's server writes."""
    choice = {"finish_reason": finish, "index": 0, "delta": delta}
    return json.dumps({"choices": [choice]}, separators=(",", ":"))[:-1] + TAIL


def test_token_chunk_gives_its_text_and_counts_a_token() -> None:
    generation = _generation()

    piece = _read(_token({"content": ' say "hi"\n ✓'}), generation)

    assert piece == ' say "hi"\n ✓'
    assert generation.output_tokens == 1


def test_escaped_surrogate_pair_is_decoded() -> None:
    head = '{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"\\ud83d\\ude00"}}]'

    assert _read(head + TAIL, _generation()) == "😀"


def test_progress_chunk_has_no_text() -> None:
    chunk = _token({"role": "assistant", "content": None})
    generation = _generation()

    assert _read(chunk, generation) == ""
    assert generation.output_tokens == 0


def test_final_chunks_record_finish_reason_and_usage() -> None:
    generation = _generation()
    usage = {
        "completion_tokens": 5,
        "prompt_tokens": 9,
        "prompt_tokens_details": {"cached_tokens": 4},
    }

    _read(_token({}, finish="length"), generation)
    _read(json.dumps({"choices": [], "usage": usage}), generation)

    assert generation.finish_reason == "length"
    assert (generation.prompt_tokens, generation.cached_tokens) == (9, 4)
    assert generation.output_tokens == 5


def test_a_delta_with_more_than_content_is_parsed_in_full() -> None:
    chunk = _token({"content": "a", "reasoning_content": "b"})

    assert _read(chunk, _generation()) == "a"


def test_error_chunk_raises() -> None:
    with pytest.raises(EngineError, match="too long"):
        _read(json.dumps({"error": {"code": 400, "message": "too long"}}), _generation())


async def test_stream_yields_the_pieces_in_order(tmp_path: Path) -> None:
    usage = {"completion_tokens": 2, "prompt_tokens": 3}
    chunks = [
        _token({"role": "assistant", "content": None}),
        _token({"content": "a"}),
        _token({"content": "b"}),
        _token({}, finish="stop"),
        json.dumps({"choices": [], "usage": usage}),
    ]
    generation = _generation()

    pieces = [piece async for piece in _engine(tmp_path, chunks).stream(generation)]

    assert pieces == ["a", "b"]
    assert (generation.output_tokens, generation.prompt_tokens) == (2, 3)


async def test_error_chunk_fails_the_stream_after_its_pieces(tmp_path: Path) -> None:
    chunks = [_token({"content": "a"}), json.dumps({"error": {"message": "boom"}})]
    pieces = []

    with pytest.raises(EngineError, match="boom"):
        async for piece in _engine(tmp_path, chunks).stream(_generation()):
            pieces.append(piece)

    assert pieces == ["a"]
