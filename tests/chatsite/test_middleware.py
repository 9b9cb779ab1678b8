"""BodySizeLimitMiddleware: bodies over their path's limit get a readable 413 before any read."""

from __future__ import annotations

import json

import pytest

from chatsite.middleware import BodySizeLimitMiddleware, body_limit_for


class Inner:
    """An ASGI app that reads the whole body and answers 200 with its length."""

    def __init__(self) -> None:
        self.called = False

    async def __call__(self, scope, receive, send) -> None:
        self.called = True
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})


async def run(path: str, chunks: list[bytes], *, length: int | None = None):
    inner, sent = Inner(), []
    headers = [] if length is None else [(b"content-length", str(length).encode())]
    scope = {"type": "http", "path": path, "headers": headers}
    queue = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]

    async def receive():
        return queue.pop(0)

    async def send(message):
        sent.append(message)

    await BodySizeLimitMiddleware(inner)(scope, receive, send)
    return inner, sent


@pytest.fixture(autouse=True)
def limits(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    settings.REQUEST_BODY_LIMITS = {"/v1/": 4096}


async def test_a_declared_length_over_the_limit_is_refused_unread():
    inner, sent = await run("/c/new/", [b""], length=2048)
    assert not inner.called
    assert sent[0]["status"] == 413
    assert sent[1]["body"] == b"The request body is larger than the 1 KiB this address accepts."


async def test_a_body_within_the_limit_reaches_the_app():
    inner, sent = await run("/c/new/", [b"x" * 1024], length=1024)
    assert sent[0]["status"] == 200 and sent[1]["body"] == b"1024"


async def test_an_undeclared_body_is_cut_off_at_the_limit():
    inner, sent = await run("/c/new/", [b"x" * 600, b"x" * 600])
    assert inner.called
    assert [message["type"] for message in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 413


async def test_v1_has_its_own_limit_and_answers_the_api_error_body():
    _, within = await run("/v1/responses", [b"x" * 4096], length=4096)
    _, over = await run("/v1/responses", [b""], length=4097)
    assert within[0]["status"] == 200
    assert over[0]["status"] == 413
    error = json.loads(over[1]["body"])["error"]
    assert error["code"] == "request_too_large" and set(error) == {
        "message",
        "type",
        "param",
        "code",
    }


async def test_a_bad_content_length_is_left_to_the_count():
    _, sent = await run("/c/new/", [b"x" * 2000], length=None)
    assert sent[0]["status"] == 413


def test_the_longest_prefix_wins(settings):
    settings.REQUEST_BODY_LIMITS = {"/v1/": 10, "/v1/files": 20}
    assert body_limit_for("/v1/files/upload") == 20
    assert body_limit_for("/v1/responses") == 10
    assert body_limit_for("/admin/") == 1024
