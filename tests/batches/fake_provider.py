"""A fake Responses API provider: fixed latency, a fixed-window rate limit with OpenAI's
`x-ratelimit-*` headers, and 429s with `retry-after` on demand. Plain asyncio HTTP/1.1, run in
a thread, so tests and bench/batches.py can point real clients (ours, the openai SDK) at it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class FakeProvider:
    """latency: seconds per response; limit per window_seconds (0: none); every `reject_every`-th
    request is refused with 429 and retry-after (0: never)."""

    latency: float = 0.2
    limit: int = 0
    window_seconds: float = 1.0
    reject_every: int = 0
    retry_after: float = 0.2
    port: int = 0
    served: int = 0
    over_limit: int = 0
    rejected: int = 0
    _count: int = 0
    _window_end: float = 0.0
    _numbers: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeProvider:
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), daemon=True).start()
        ready.wait(10)
        return self

    def _serve(self, ready: threading.Event) -> None:
        async def main() -> None:
            server = await asyncio.start_server(self._connection, "127.0.0.1", self.port)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            await server.serve_forever()

        asyncio.run(main())

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while request := await _read_request(reader):
                writer.write(await self._answer(*request))
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def _admit(self) -> tuple[int, dict[str, str]]:
        """Count the request in the window; its status and rate-limit headers."""
        now = time.monotonic()
        number = next(self._numbers)
        if self.reject_every and number % self.reject_every == 0:
            self.rejected += 1
            return 429, {"retry-after": f"{self.retry_after}"}
        if not self.limit:
            return 200, {}
        if now >= self._window_end:
            self._count, self._window_end = 0, now + self.window_seconds
        self._count += 1
        reset = f"{max(1, round((self._window_end - now) * 1000))}ms"
        headers = {
            "x-ratelimit-limit-requests": str(self.limit),
            "x-ratelimit-remaining-requests": str(max(0, self.limit - self._count)),
            "x-ratelimit-reset-requests": reset,
        }
        if self._count > self.limit:
            # A request sent after `remaining` reached 0 and before the reset.
            self.over_limit += 1
            return 429, {**headers, "retry-after": f"{self._window_end - now:.3f}"}
        return 200, headers

    async def _answer(self, method: str, path: str, body: bytes) -> bytes:
        status, headers = self._admit()
        if status == 429:
            error = {"error": {"message": "Rate limit reached", "type": "requests", "code": None}}
            return _http(429, "application/json", json.dumps(error).encode(), headers)
        await asyncio.sleep(self.latency)
        self.served += 1
        request = json.loads(body or b"{}")
        response = _response(request)
        if request.get("stream"):
            return _http(200, "text/event-stream", _sse(response), headers)
        return _http(200, "application/json", json.dumps(response).encode(), headers)


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes] | None:
    head = await reader.readuntil(b"\r\n\r\n")
    if not head:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return method, path, await reader.readexactly(length) if length else b""


def _http(status: int, content_type: str, body: bytes, headers: dict[str, str]) -> bytes:
    reason = {200: "OK", 429: "Too Many Requests"}[status]
    lines = [f"HTTP/1.1 {status} {reason}", f"content-type: {content_type}"]
    lines += [f"content-length: {len(body)}", "connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _response(request: dict[str, Any]) -> dict[str, Any]:
    text = f"Echo: {request.get('input')}"
    return {
        "id": f"resp_fake{time.monotonic_ns()}",
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "model": request.get("model", "fake"),
        "output": [
            {
                "type": "message",
                "id": "msg_fake",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": text, "annotations": []}],
            }
        ],
        "usage": {
            "input_tokens": 5,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 3,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 8,
        },
    }


def _sse(response: dict[str, Any]) -> bytes:
    text = response["output"][0]["content"][0]["text"]
    events = [
        {"type": "response.created", "response": {**response, "status": "in_progress"}},
        {"type": "response.output_text.delta", "delta": text},
        {"type": "response.completed", "response": response},
    ]
    return b"".join(
        f"event: {e['type']}\ndata: {json.dumps({**e, 'sequence_number': n})}\n\n".encode()
        for n, e in enumerate(events)
    )
