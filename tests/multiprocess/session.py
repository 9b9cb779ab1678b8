"""Signing up and opening conversations over HTTP, as a browser would."""

from __future__ import annotations

import re
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
    """Create a conversation; its UUID."""
    response = http.post("/c/new/", headers={"X-CSRFToken": http.cookies["csrftoken"]})
    return re.search(r"/c/([0-9a-f-]{36})/", str(response.url)).group(1)


def cookie_header(http: httpx.Client) -> str:
    return "; ".join(f"{name}={value}" for name, value in http.cookies.items())
