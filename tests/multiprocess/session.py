"""Signing up and opening conversations over HTTP, as a browser would."""

from __future__ import annotations

import re
import time
import uuid

import httpx

from tests.live import LiveServer


def signup(server: LiveServer) -> httpx.Client:
    """A signed-in HTTP client for a new user (its cookies work on every process)."""
    http = httpx.Client(base_url=server.url, follow_redirects=True, timeout=30)
    page = http.get("/accounts/signup/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    password = "mp-Passphrase-2024"
    http.post(
        "/accounts/signup/",
        data={
            "csrfmiddlewaretoken": token,
            "username": f"mp-{uuid.uuid4().hex[:8]}",
            "password1": password,
            "password2": password,
        },
    )
    assert "sessionid" in http.cookies
    return http


def conversation_new(http: httpx.Client) -> str:
    """Start a conversation (a new chat begins with its first message); its UUID, once that
    first one-token reply has ended, so the next message is not refused as busy."""
    response = http.post(
        "/c/new/",
        data={"text": "[tokens=1] hello"},
        headers={"X-CSRFToken": http.cookies["csrftoken"]},
    )
    conversation = re.search(r"/c/([0-9a-f-]{36})/", str(response.url)).group(1)
    deadline = time.monotonic() + 60
    while _last_status(http, conversation) in ("pending", "streaming"):
        assert time.monotonic() < deadline, "the first reply did not end"
        time.sleep(0.05)
    return conversation


def _last_status(http: httpx.Client, conversation: str) -> str:
    turns = http.get(f"/c/{conversation}/turns/", headers={"Accept": "application/json"})
    return turns.json()["turns"][-1]["status"]


def cookie_header(http: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in http.cookies.items())
