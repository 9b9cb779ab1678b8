"""The local model through xllamacpp: in-process inference, chunks bridged to asyncio.

The server loads lazily on first use, in a worker thread. Its HTTP listener cannot be switched
off, so it sits on a private Unix socket under DATA_DIR behind a random API key; we use it only
to count tokens. Generation runs `handle_chat_completions` in a worker thread per request; the
engine's slots (`n_parallel`) run concurrent requests side by side, and returning True from the
chunk callback cancels one (prefill reports progress, so a cancel also lands during prefill).
A Generation's `schema` becomes the request's `json_schema`: grammar-constrained decoding
(its patterns respelled where the engine would otherwise ignore them, see provider.engines.schemas).
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from json.decoder import scanstring
from pathlib import Path
from typing import Any

import httpx
from django.conf import settings

from provider.engines.base import ChatMessage, Engine, EngineError, Generation, SchemaError
from provider.engines.choosing import choice_grammar, choice_messages
from provider.engines.planning import PLAN_GRAMMAR, answer_messages, plan_messages
from provider.engines.schemas import enforceable
from provider.engines.summarizing import summary_messages

# The prompt cache otherwise grows toward 8 GiB of RSS (settings.PROVIDER_CACHE_RAM_MIB).
# Smaller prefill batches give finer cancel points (one progress chunk per batch).
PREFILL_BATCH = 256
# Admission control (provider.generation.admission) lets at most `slots` runs generate at once; the
# spare threads serve the model load and direct callers such as tests and the benchmark.
SPARE_THREADS = 2
# How llama.cpp's server writes a token chunk (its JSON keeps key order): the piece is read
# straight from such a chunk, without building the whole chunk as Python objects (see _read).
TOKEN_CHUNK_HEAD = '{"choices":[{"finish_reason":null,"index":0,"delta":{"content":"'
# The messages of a schema check: the conversion does not depend on them, so keep them tiny.
SCHEMA_PROBE = [{"role": "user", "content": "x"}]
# What llama.cpp puts before its schema conversion errors (it says nothing to an API client).
PARSER_FAILED = "Unable to generate parser for this template. Automatic parser generation failed: "


def server_params(
    *, model_path: str, slots: int, threads: int, context_tokens: int, socket_path: Path, key: str
) -> Any:
    """xllamacpp CommonParams for the embedded engine (bench/provider.py uses the same)."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model_path
    params.n_parallel = slots
    params.n_ctx = context_tokens
    params.kv_unified = True  # one shared KV pool, so a slot can take a long prompt
    params.cache_ram_mib = settings.PROVIDER_CACHE_RAM_MIB
    params.n_batch = PREFILL_BATCH
    params.verbosity = -1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.hostnames = [str(socket_path)]
    params.api_keys = [key]
    return params


class LlamaEngine(Engine):
    """SmolLM2 (or any GGUF) served by an in-process xllamacpp Server."""

    def __init__(
        self,
        *,
        model_path: str,
        model_name: str,
        slots: int,
        threads: int,
        context_tokens: int,
        socket_path: Path,
    ) -> None:
        self.model_name = model_name
        self.model_path = model_path
        self.slots = slots
        self.threads = threads
        self.context_tokens = context_tokens
        self.socket_path = socket_path
        self._key = secrets.token_hex(16)
        self._server: Any = None
        self._load_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(
            max_workers=slots + SPARE_THREADS, thread_name_prefix="llama"
        )

    @classmethod
    def from_settings(cls) -> LlamaEngine:
        """The engine configured by settings.PROVIDER_*."""
        return cls(
            model_path=settings.PROVIDER_MODEL_PATH,
            model_name=settings.PROVIDER_MODEL_NAME,
            slots=settings.PROVIDER_SLOTS,
            threads=settings.PROVIDER_THREADS,
            context_tokens=settings.PROVIDER_CONTEXT_TOKENS,
            socket_path=Path(settings.DATA_DIR) / "llama.sock",
        )

    async def start(self) -> None:
        """Load the model once per process without blocking the event loop."""
        if self._server is None:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._load)

    def _load(self) -> None:
        """Create the xllamacpp Server (blocking; runs in a worker thread)."""
        with self._load_lock:
            if self._server is not None:
                return
            import xllamacpp

            self.socket_path.parent.mkdir(parents=True, exist_ok=True)
            self.socket_path.unlink(missing_ok=True)  # a stale socket makes init fail
            params = server_params(
                model_path=self.model_path,
                slots=self.slots,
                threads=self.threads,
                context_tokens=self.context_tokens,
                socket_path=self.socket_path,
                key=self._key,
            )
            server = xllamacpp.Server(params)
            self.native_reasoning = "<think>" in self._chat_template()
            self._server = server

    def _chat_template(self) -> str:
        """The model's chat template, read from the listener's /props."""
        with self._client_sync() as client:
            props = client.get("/props").json()
        return str(props.get("chat_template") or "")

    def _client_sync(self) -> httpx.Client:
        """A client of the private listener."""
        transport = httpx.HTTPTransport(uds=str(self.socket_path), verify=False)
        return httpx.Client(transport=transport, **self._listener())

    def _client(self) -> httpx.AsyncClient:
        """An async client of the private listener."""
        transport = httpx.AsyncHTTPTransport(uds=str(self.socket_path), verify=False)
        return httpx.AsyncClient(transport=transport, **self._listener())

    def _listener(self) -> dict[str, Any]:
        """How a client addresses the private listener.

        Its transports pass verify=False: plain HTTP on a Unix socket needs no CA bundle, whose
        loading costs a new client about 20-40 ms.
        """
        return {"base_url": "http://llama", "headers": {"Authorization": f"Bearer {self._key}"}}

    async def count_tokens(self, messages: list[ChatMessage]) -> int:
        """Exact prompt tokens: the chat template applied, then tokenized."""
        await self.start()
        async with self._client() as client:
            prompt = (await client.post("/apply-template", json={"messages": messages})).json()
            body = {"content": prompt["prompt"], "parse_special": True, "add_special": False}
            tokens = (await client.post("/tokenize", json=body)).json()
        return len(tokens["tokens"])

    async def check_schema(self, schema: dict[str, Any]) -> None:
        """Have the listener build the request's output parser, which converts the schema.

        /apply-template runs the chat-completions request parsing, conversion included, and
        generates nothing: what it refuses, generation would refuse too (as a ValueError).
        """
        await self.start()
        async with self._client() as client:
            reply = await client.post(
                "/apply-template",
                json={"messages": SCHEMA_PROBE, "json_schema": enforceable(schema)},
            )
        if reply.status_code == HTTPStatus.BAD_REQUEST:
            raise SchemaError(_schema_complaint(reply.json()))
        reply.raise_for_status()

    def _request(self, generation: Generation) -> dict[str, Any]:
        """The chat-completions request for one pass, with explicit sampling values."""
        request: dict[str, Any] = {
            "messages": answer_messages(generation.messages, generation.notes),
            "stream": True,
            "stream_options": {"include_usage": True},
            # The window bounds any reply; a larger number overflows the engine's 32-bit field.
            "max_tokens": min(generation.max_tokens, self.context_tokens),
            "temperature": generation.temperature,
            "top_p": generation.top_p,
            "reasoning_format": "none",  # keep <think> tags in the text; the runner splits them
            # Progress chunks during prefill give the cancel flag a chance before the first token.
            "return_progress": True,
        }
        if generation.schema is not None:
            # grammar-constrained decoding
            request["json_schema"] = enforceable(generation.schema)
        if generation.purpose == "plan":
            request["messages"] = plan_messages(generation.messages)
            request["grammar"] = PLAN_GRAMMAR
        if generation.purpose == "choose":
            several = generation.several
            request["messages"] = choice_messages(generation.messages, several=several)
            request["grammar"] = choice_grammar(generation.choices, several=several)
            request["temperature"] = 0.0  # the same context always makes the same choice
        if generation.purpose == "summarize":
            request["messages"] = summary_messages(generation.messages)
        return request

    async def stream(self, generation: Generation) -> AsyncIterator[str]:
        """Yield content pieces as the worker thread receives them."""
        await self.start()
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | EngineError | None] = asyncio.Queue()
        stop = threading.Event()
        # A JSON string request makes the engine hand over chunks as JSON strings too.
        request = json.dumps(self._request(generation))

        def on_chunk(chunk: str) -> bool:
            # Read here so that only text (or a failure) crosses to the event loop: progress,
            # role and usage chunks cost it nothing (it reads the figures after the end).
            try:
                piece: str | EngineError = _read(chunk, generation)
            except EngineError as exc:
                piece = exc
            if piece:
                loop.call_soon_threadsafe(queue.put_nowait, piece)
            # A stopped loop is a server shutting down: its exit waits for this thread.
            return stop.is_set() or generation.cancel.is_set() or not loop.is_running()

        def work() -> None:
            try:
                self._server.handle_chat_completions(request, on_chunk)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, None)

        future = loop.run_in_executor(self._executor, work)
        try:
            while (piece := await queue.get()) is not None:
                if isinstance(piece, EngineError):
                    raise piece
                yield piece
            await future
        except ValueError as exc:
            raise EngineError(str(exc)) from exc
        finally:
            stop.set()


def _read(chunk: str, generation: Generation) -> str:
    """A JSON chunk's text piece, with its figures recorded on the generation.

    Runs once per token on a CPU the engine's threads share, so a plain token chunk is read
    by a prefix test and one string scan; any other chunk is parsed in full.
    """
    if chunk.startswith(TOKEN_CHUNK_HEAD):
        piece, end = scanstring(chunk, len(TOKEN_CHUNK_HEAD))
        if chunk.startswith("}}]", end):  # the delta held only content, and one choice
            if piece:
                generation.output_tokens += 1
            return piece
    return _absorb(json.loads(chunk), generation)


def _absorb(chunk: dict[str, Any], generation: Generation) -> str:
    """Record a chunk's figures on the generation and return its text piece."""
    if "error" in chunk:
        raise EngineError(str(chunk["error"].get("message") or chunk["error"]))
    usage = chunk.get("usage")
    if usage:
        generation.prompt_tokens = usage.get("prompt_tokens", 0)
        details = usage.get("prompt_tokens_details") or {}
        generation.cached_tokens = details.get("cached_tokens", 0)
        generation.output_tokens = usage.get("completion_tokens", generation.output_tokens)
    piece = ""
    for choice in chunk.get("choices") or []:
        if choice.get("finish_reason"):
            generation.finish_reason = "length" if choice["finish_reason"] == "length" else "stop"
        piece += (choice.get("delta") or {}).get("content") or ""
    if piece:
        generation.output_tokens += 1
    return piece


def _schema_complaint(body: dict[str, Any]) -> str:
    """The listener's reason for refusing a schema, without its parser-generation preamble."""
    error = body.get("error") or {}
    message = str(error.get("message") or body)
    return message.removeprefix(PARSER_FAILED)
