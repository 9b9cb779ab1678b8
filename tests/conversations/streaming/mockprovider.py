"""A mocked Responses API for generation tests: event builders and a scripted event stream."""

from __future__ import annotations

import asyncio
import json

import httpx

USAGE = {
    "input_tokens": 5,
    "input_tokens_details": {"cached_tokens": 1},
    "output_tokens": 7,
    "output_tokens_details": {"reasoning_tokens": 3},
}
REASONING_ITEM = {"type": "reasoning", "summary": [], "content": []}


def ev(kind: str, **fields) -> dict:
    return {"type": kind, **fields}


def completed(text: str, reasoning: str = "") -> dict:
    output = [{"type": "message", "content": [{"type": "output_text", "text": text}]}]
    if reasoning:
        part = {"type": "reasoning_text", "text": reasoning}
        output.insert(0, {**REASONING_ITEM, "content": [part]})
    return ev(
        "response.completed", response={"status": "completed", "output": output, "usage": USAGE}
    )


STREAM = [
    ev("response.created", response={"id": "resp_1"}),
    ev("response.reasoning_text.delta", delta="Plan"),
    ev("response.reasoning_text.delta", delta="ning"),
    ev("response.output_item.done", item=REASONING_ITEM),
    ev("response.output_text.delta", delta="You "),
    ev("response.output_text.delta", delta="said"),
    completed("You said", reasoning="Planning"),
]


def call_item(*, call_id: str, name: str, arguments: str) -> dict:
    """A function_call output item, as the provider returns it."""
    return {"type": "function_call", "call_id": call_id, "name": name, "arguments": arguments}


def calling(response_id: str, *calls: dict) -> list[dict]:
    """The events of a response that ends by calling functions (no text)."""
    done = {"status": "completed", "output": list(calls), "usage": USAGE}
    return [
        ev("response.created", response={"id": response_id}),
        *(ev("response.output_item.done", item=call) for call in calls),
        ev("response.completed", response={"id": response_id, **done}),
    ]


def answering(response_id: str, text: str) -> list[dict]:
    """The events of a response that answers with text."""
    return [
        ev("response.created", response={"id": response_id}),
        ev("response.output_text.delta", delta=text),
        completed(text),
    ]


def answer_in_turn(provider, *streams: list[dict]) -> None:
    """The provider answers each POST with the next of these streams (the last one repeats)."""
    queue = list(streams)

    def answer() -> httpx.Response:
        events = queue.pop(0) if len(queue) > 1 else queue[0]
        return httpx.Response(200, content=encode(events))

    provider.answer = answer


def encode(events: list[dict]) -> bytes:
    return b"".join(f"data: {json.dumps(e)}\n\n".encode() for e in events)


def answer_then_hang(provider, events: list[dict]) -> None:
    """The provider sends these events, then keeps the stream open without another word."""

    async def body():
        yield encode(events)
        await asyncio.Event().wait()

    provider.answer = lambda: httpx.Response(200, content=body())


class Published(list):
    """Messages published to the groups, with a way to wait for one."""

    async def wait_for(self, predicate) -> None:
        while not any(predicate(m) for m in self):
            self.arrived = asyncio.Event()
            await self.arrived.wait()
