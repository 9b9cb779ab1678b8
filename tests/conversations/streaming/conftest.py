"""Fixtures of the generation tests: a mocked provider, and what services publish."""

from __future__ import annotations

import json

import httpx
import pytest

from conversations import services
from responses_client import client
from tests.conversations.streaming.mockprovider import STREAM, Published, encode


@pytest.fixture
def published(monkeypatch):
    """Capture what services publish to the conversation groups."""
    messages = Published()

    async def publish(*, conversation_id, message):
        messages.append(message)
        if hasattr(messages, "arrived"):
            messages.arrived.set()

    monkeypatch.setattr(services.publishing, "conversation_publish", publish)
    return messages


@pytest.fixture
def provider(settings, monkeypatch):
    """A mocked provider; set .answer to a response factory. Records request bodies."""
    settings.OPENAI_BASE_URL = "http://provider.test/v1"
    state = type(
        "State",
        (),
        {"bodies": [], "answer": None, "calls": [], "cancelled": {"status": "cancelled"}},
    )

    async def no_sleep(seconds):
        return None

    def handler(request: httpx.Request) -> httpx.Response:
        state.calls.append(f"{request.method} {request.url.path}?{request.url.query.decode()}")
        if request.url.path.endswith("/cancel"):
            return httpx.Response(200, json=state.cancelled)
        if request.method != "POST":
            return state.answer()
        state.bodies.append(json.loads(request.content))
        return state.answer()

    state.answer = lambda: httpx.Response(200, content=encode(STREAM))
    monkeypatch.setattr(client, "transport", httpx.MockTransport(handler))
    monkeypatch.setattr(client, "_sleep", no_sleep)
    return state
