"""A misbehaving Responses API provider on loopback: each request gets the fault it is set to."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

PARTIAL = ["Hello", " wor"]


def sse(event: dict) -> bytes:
    return f"event: {event['type']}\ndata: {json.dumps(event)}\n\n".encode()


def created(n: int) -> dict:
    response = {"id": f"resp_fake{n}", "object": "response", "status": "in_progress", "output": []}
    return {"type": "response.created", "sequence_number": 0, "response": response}


def delta(text: str, seq: int) -> dict:
    return {
        "type": "response.output_text.delta",
        "sequence_number": seq,
        "item_id": "msg_1",
        "output_index": 0,
        "content_index": 0,
        "delta": text,
    }


@dataclass
class FakeProvider:
    """fault: 429, 500, 503, timeout (never answers), cut (stream ends mid-answer), malformed."""

    fault: str = "500"
    requests: int = 0
    server: asyncio.Server | None = None
    writers: list[asyncio.StreamWriter] = field(default_factory=list)

    @property
    def url(self) -> str:
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)

    async def stop(self) -> None:
        for writer in self.writers:
            writer.close()
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        try:
            while await self._one(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.decode().split("\r\n"):
            if line.lower().startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        await reader.readexactly(length)
        if not head.startswith(b"POST"):  # cancel, delete: fine, nothing to do
            return self._answer(writer, 200, b"{}")
        self.requests += 1
        if self.fault == "timeout":
            await asyncio.sleep(3600)
        if self.fault in ("429", "500", "503"):
            body = json.dumps(
                {
                    "error": {
                        "message": f"fake {self.fault}",
                        "type": "server_error",
                        "param": None,
                        "code": None,
                    }
                }
            ).encode()
            extra = {"retry-after": "0.2"} if self.fault == "429" else {}
            return self._answer(writer, int(self.fault), body, extra)
        await self._stream(writer)
        return False

    async def _stream(self, writer: asyncio.StreamWriter) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n"
        )
        writer.write(sse(created(self.requests)))
        for seq, text in enumerate(PARTIAL, start=1):
            writer.write(sse(delta(text, seq)))
        if self.fault == "malformed":
            writer.write(b"event: response.output_text.delta\ndata: {not json\n\n")
            writer.write(b"data: \xff\xfe\n\n")
        await writer.drain()
        writer.close()  # the stream ends with no response.completed

    def _answer(self, writer, status: int, body: bytes, headers: dict | None = None) -> bool:
        lines = [
            f"HTTP/1.1 {status} X",
            "content-type: application/json",
            f"content-length: {len(body)}",
        ]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        return True
