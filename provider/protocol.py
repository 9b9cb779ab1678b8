"""Response objects and stream events exactly as the spec's §10-§12 (pure, no I/O)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from provider.ids import new_id
from provider.request import CreateParams

TERMINAL_EVENTS = {
    "completed": "response.completed",
    "incomplete": "response.incomplete",
    "failed": "response.failed",
}


@dataclass
class Usage:
    """Token counts of one response."""

    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The wire `usage` object."""
        return {
            "input_tokens": self.input_tokens,
            "input_tokens_details": {"cached_tokens": self.cached_tokens, "cache_write_tokens": 0},
            "output_tokens": self.output_tokens,
            "output_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
            "total_tokens": self.input_tokens + self.output_tokens,
        }


@dataclass
class ResponseState:
    """The mutable state of one response, rendered as the canonical Response object."""

    params: CreateParams
    id: str = field(default_factory=lambda: new_id("resp"))
    created_at: int = 0
    status: str = "in_progress"
    completed_at: int | None = None
    output: list[dict[str, Any]] = field(default_factory=list)
    usage: Usage | None = None
    error: dict[str, str] | None = None
    incomplete_reason: str | None = None
    # The item being streamed (set by the EventLog), shown by GET while the response runs.
    pending: Callable[[], dict[str, Any] | None] = lambda: None

    def to_dict(self) -> dict[str, Any]:
        """The full Response object (the §10 superset)."""
        details = {"reason": self.incomplete_reason} if self.incomplete_reason else None
        return {
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "status": self.status,
            "background": self.params.background,
            "completed_at": self.completed_at,
            "error": self.error,
            "incomplete_details": details,
            "output": [dict(item) for item in self.output] + _present(self.pending()),
            "usage": self.usage.to_dict() if self.usage else None,
            **self.params.echo(),
        }


def _present(item: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The item in a list, or an empty list."""
    return [] if item is None else [item]


def server_error(message: str) -> dict[str, Any]:
    """The nested error of an `error` event for a failure of this server."""
    return {"type": "server_error", "code": "server_error", "message": message, "param": None}


def response_error(error: dict[str, Any]) -> dict[str, Any]:
    """The Response object's `error` for an `error` event's error."""
    return {"code": error["code"], "message": error["message"]}


def sse(event: dict[str, Any]) -> bytes:
    """One SSE event as a single LF-only chunk."""
    data = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    return f"event: {event['type']}\ndata: {data}\n\n".encode()


SSE_DONE = b"data: [DONE]\n\n"


def without_obfuscation(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its `obfuscation` padding removed."""
    return {key: value for key, value in event.items() if key != "obfuscation"}


class EventLog:
    """Builds the ordered event stream of one response while updating its state."""

    def __init__(self, state: ResponseState) -> None:
        self.state = state
        self.events: list[dict[str, Any]] = []
        self._open: dict[str, Any] | None = None
        self._text = ""
        state.pending = self._snapshot

    def _snapshot(self) -> dict[str, Any] | None:
        """The open item with the text streamed so far."""
        item = self._open
        if item is None:
            return None
        if item["type"] == "function_call":
            return {**item, "arguments": self._text}
        if item["type"] == "reasoning":
            return {**item, "content": [{"type": "reasoning_text", "text": self._text}]}
        part = {"type": "output_text", "annotations": [], "logprobs": [], "text": self._text}
        return {**item, "content": [part]}

    def _emit(self, kind: str, **fields: Any) -> None:
        """Append an event with the next sequence number."""
        self.events.append({"type": kind, "sequence_number": len(self.events), **fields})

    def _lifecycle(self, kind: str) -> None:
        """A `response.*` event carrying the whole Response."""
        self._emit(kind, response=self.state.to_dict())

    def start(self) -> None:
        """`response.created`, then `response.queued` for a response waiting for a slot."""
        self._lifecycle("response.created")
        if self.state.status == "queued":
            self._lifecycle("response.queued")

    def begin(self) -> None:
        """`response.in_progress` once generation starts."""
        self.state.status = "in_progress"
        self._lifecycle("response.in_progress")

    def reasoning_delta(self, delta: str) -> None:
        """Stream raw reasoning text, opening a reasoning item when needed."""
        if self._open is None or self._open["type"] != "reasoning":
            self.close_item()
            self._open_item({"id": new_id("rs"), "type": "reasoning", "summary": []})
            self._part_added({"type": "reasoning_text", "text": ""})
        self._delta("response.reasoning_text.delta", delta)

    def text_delta(self, delta: str) -> None:
        """Stream message text, closing reasoning and opening the message when needed."""
        if self._open is None or self._open["type"] != "message":
            self.close_item()
            item = {"id": new_id("msg"), "type": "message", "status": "in_progress"}
            self._open_item({**item, "content": [], "role": "assistant"})
            self._part_added({"type": "output_text", "annotations": [], "logprobs": [], "text": ""})
        self._delta("response.output_text.delta", delta, logprobs=[])

    def call_delta(self, delta: str, *, name: str, call_id: str) -> None:
        """Stream function call arguments, opening the function_call item when needed."""
        if self._open is None or self._open.get("call_id") != call_id:
            self.close_item()
            item = {"id": new_id("fc"), "type": "function_call", "status": "in_progress"}
            self._open_item({**item, "arguments": "", "call_id": call_id, "name": name})
        self._delta("response.function_call_arguments.delta", delta)

    def compaction(self, item: dict[str, Any]) -> None:
        """A compaction item, complete at once: `output_item.added` then `.done`."""
        self.close_item()
        index = len(self.state.output)
        self._emit("response.output_item.added", output_index=index, item=item)
        self._emit("response.output_item.done", output_index=index, item=item)
        self.state.output.append(item)

    def _open_item(self, item: dict[str, Any]) -> None:
        """`response.output_item.added` for a new item."""
        self._open = item
        self._text = ""
        self._emit("response.output_item.added", output_index=len(self.state.output), item=item)

    def _locator(self) -> dict[str, Any]:
        """item_id / output_index / content_index of the open part."""
        assert self._open is not None
        where = {"item_id": self._open["id"], "output_index": len(self.state.output)}
        if self._open["type"] != "function_call":
            where["content_index"] = 0
        return where

    def _part_added(self, part: dict[str, Any]) -> None:
        """`response.content_part.added` for the open item's only part."""
        self._emit("response.content_part.added", **self._locator(), part=part)

    def _delta(self, kind: str, delta: str, **extra: Any) -> None:
        """A delta event; obfuscation pads it unless the request turned it off."""
        self._text += delta
        if self.state.params.include_obfuscation:
            extra["obfuscation"] = secrets.token_urlsafe(8)[: max(1, 16 - len(delta))]
        self._emit(kind, **self._locator(), delta=delta, **extra)

    def close_item(self, *, status: str = "completed") -> None:
        """Finish the open item (text done, part done, item done), if any."""
        if self._open is None:
            return
        item, text, where = self._open, self._text, self._locator()
        if item["type"] == "function_call":
            self._close_call(item, status=status)
            return
        if item["type"] == "reasoning":
            part = {"type": "reasoning_text", "text": text}
            self._emit("response.reasoning_text.done", **where, text=text)
            final = {**item, "content": [part]}
            if "reasoning.encrypted_content" in self.state.params.include:
                # Opaque, as OpenAI's: never the plaintext (this server needs nothing back).
                final["encrypted_content"] = secrets.token_urlsafe(32)
            if status != "completed":
                final["status"] = status
        else:
            part = {"type": "output_text", "annotations": [], "logprobs": [], "text": text}
            self._emit("response.output_text.done", **where, text=text, logprobs=[])
            final = {**item, "status": status, "content": [part]}
        self._emit("response.content_part.done", **where, part=part)
        self._emit("response.output_item.done", output_index=where["output_index"], item=final)
        self.state.output.append(final)
        self._open = None

    def _close_call(self, item: dict[str, Any], *, status: str) -> None:
        """`function_call_arguments.done` then `output_item.done` for the open call."""
        where = self._locator()
        name, arguments = item["name"], self._text
        self._emit("response.function_call_arguments.done", **where, arguments=arguments, name=name)
        final = {**item, "status": status, "arguments": arguments}
        self._emit("response.output_item.done", output_index=where["output_index"], item=final)
        self.state.output.append(final)
        self._open = None

    def finish(self, *, status: str, now: int) -> None:
        """Close any open item and emit the terminal event for `status`."""
        self.close_item(status="completed" if status == "completed" else "incomplete")
        self.state.status = status
        if status == "completed":
            self.state.completed_at = now
        if status == "incomplete":
            self.state.incomplete_reason = "max_output_tokens"
        self._lifecycle(TERMINAL_EVENTS[status])

    def cancel(self) -> None:
        """Close open items as incomplete; a cancelled stream has no terminal event."""
        self.close_item(status="incomplete")
        self.state.status = "cancelled"

    def fail(self, message: str, *, now: int) -> None:
        """Close open items, emit the nested `error` event, then `response.failed`."""
        self.close_item(status="incomplete")
        error = server_error(message)
        self._emit("error", error=error)
        self.state.error = response_error(error)
        self.state.usage = None
        self.finish(status="failed", now=now)
