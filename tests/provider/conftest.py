"""Clients of the live app's embedded /v1 provider (scripted engine)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from openai import OpenAI

from tests.live import LiveServer


@pytest.fixture
def client(live_app: LiveServer) -> OpenAI:
    """The official SDK pointed at the live provider, without retries."""
    return OpenAI(base_url=live_app.v1, api_key=live_app.api_key, max_retries=0)


@pytest.fixture
def http(live_app: LiveServer) -> Iterator[httpx.Client]:
    """A raw HTTP client with the provider key, for exact bodies and headers."""
    headers = {"Authorization": f"Bearer {live_app.api_key}"}
    with httpx.Client(base_url=live_app.v1, headers=headers, timeout=30) as raw:
        yield raw
