"""Malformed input at every entry point: a clear 4xx or error frame, never a 500 or a lost socket.

Bad JSON, wrong types, huge numbers, NUL bytes, invalid UTF-8 and deep nesting go to the chat
socket, the chat's forms, the login form and the embedded /v1 (on the live app's real server).
"""

from __future__ import annotations

import json

import httpx
import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from conversations.models import Conversation
from conversations.streaming.routing import websocket_urlpatterns
from tests.conversations.streaming.sockets import connect

WAIT = 30
DEEP = "[" * 50_000 + "]" * 50_000
HUGE_INT = "9" * 5000
FRAMES = {
    "bad JSON": "{not json",
    "truncated JSON": '{"type": "message.send", "text": "a',
    "JSON array": "[1, 2]",
    "JSON string": '"message.send"',
    "type is a number": '{"type": 5}',
    "type is null": '{"type": null}',
    "text is a list": '{"type": "message.send", "text": ["a"]}',
    "text is an object": '{"type": "message.send", "text": {"a": 1}}',
    "text is a huge number": '{"type": "message.send", "text": 1e999}',
    "huge integer": '{"type": "message.send", "text": ' + HUGE_INT + "}",
    "NaN": '{"type": "message.send", "text": NaN}',
    "NUL in text": json.dumps({"type": "message.send", "text": "a\u0000b"}),
    "lone surrogate": '{"type": "message.send", "text": "\\ud800"}',
    "deep nesting": DEEP[:30_000] + DEEP[-30_000:],
    "deep object": '{"a":' * 10_000 + "1" + "}" * 10_000,
}
BYTES_FRAMES = {"invalid UTF-8 bytes": b"\xff\xfe\xfd", "binary JSON": b'{"type": 1}'}


@pytest.fixture
def conversation(conversation_factory):
    return conversation_factory()


@pytest.mark.django_db(transaction=True)
async def test_bad_socket_frames_get_an_error_frame_and_the_socket_lives(conversation, table):
    communicator = await connect(conversation.owner, conversation.pk)
    cases = [(name, {"text_data": frame}) for name, frame in FRAMES.items()]
    cases += [(name, {"bytes_data": frame}) for name, frame in BYTES_FRAMES.items()]
    for name, frame in cases:
        await communicator.send_to(**frame)
        answer = await communicator.receive_output(timeout=WAIT)
        reply = json.loads(answer.get("text", "{}")) if answer["type"] == "websocket.send" else {}
        ok = reply.get("type") == "error" and bool(reply.get("message"))
        table.record("Malformed: chat socket frames", ok, f"{name}: {answer}"[:200])
    await communicator.send_to(text_data="[]")  # still open and answering
    alive = (await communicator.receive_json_from(timeout=WAIT))["code"] == "invalid_json"
    await communicator.disconnect()
    assert await Conversation.objects.filter(pk=conversation.pk, turns__isnull=False).acount() == 0
    row = table.row("Malformed: chat socket frames")
    assert alive and row.passed == row.tried, row.failures


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("after", ["x", "-5", "1e5", "9" * 5000, "%00", "%ff%fe", "&after=1"])
async def test_bad_after_parameters_connect_normally(conversation, after, table):
    communicator = WebsocketCommunicator(
        URLRouter(websocket_urlpatterns), f"/ws/conversations/{conversation.pk}/?after={after}"
    )
    communicator.scope["user"] = conversation.owner
    connected, _ = await communicator.connect()
    ok = connected
    if connected:
        await communicator.send_to(text_data="[]")
        answer = await communicator.receive_output(timeout=WAIT)
        ok = answer["type"] == "websocket.send" and "invalid_json" in answer["text"]
    await communicator.disconnect()
    table.record("Malformed: socket ?after=", ok, after[:20])
    assert ok


FORM_BODIES = {
    "NUL in field": {"title": "a\x00b", "instructions": "a\x00b", "model": "a\x00b"},
    "huge title": {"title": "t" * 100_000},
    "huge number": {"temperature": "1e999", "max_output_tokens": HUGE_INT[:40]},
    "NaN": {"temperature": "nan", "max_output_tokens": "nan"},
    "wrong types": {"temperature": "warm", "max_output_tokens": "[1]", "reasoning_effort": "9"},
    "empty": {},
}
RAW_BODIES = {
    "invalid UTF-8": (b"title=%ff%fe&instructions=\xff\xfe", "application/x-www-form-urlencoded"),
    "JSON to a form": (b'{"title": {"a": [1]}}', "application/json"),
    "deep nesting": (DEEP.encode(), "application/json"),
    "bad multipart": (b"--x\r\nnot a part", "multipart/form-data; boundary=x"),
}


@pytest.mark.django_db
def test_bad_form_posts_get_a_4xx_and_change_nothing(provider_settings, conversation, table):
    client = Client()
    client.force_login(conversation.owner)
    urls = [f"/c/{conversation.pk}/{action}/" for action in ("rename", "settings")]
    urls += ["/c/new/", "/accounts/login/", "/accounts/signup/"]
    for url in urls:
        # Signing up and in are for visitors: a signed-in user is sent on to the chat.
        poster = Client() if url.startswith("/accounts/") else client
        for name, data in FORM_BODIES.items():
            record_form(table, url, name, poster.post(url, data))
        for name, (body, content_type) in RAW_BODIES.items():
            response = poster.generic("POST", url, body, content_type=content_type)
            record_form(table, url, name, response)
    conversation.refresh_from_db()
    row = table.row("Malformed: form posts")
    assert conversation.title == "" or "\x00" not in conversation.title
    assert row.passed == row.tried, row.failures


def record_form(table, url: str, name: str, response) -> None:
    """A 4xx, or the form again with its error (Django's login answers 200 so); never a 5xx.

    /c/new/ takes no fields (302 to the new chat); invalid UTF-8 is decoded by Django as U+FFFD,
    so a rename to that title is a valid one.
    """
    status, body = response.status_code, response.content.decode(errors="replace")
    shown = status == 200 and ('role="alert"' in body or "errorlist" in body)
    redirect_ok = status == 302 and (url == "/c/new/" or name == "invalid UTF-8")
    ok = 400 <= status < 500 or shown or redirect_ok
    table.record("Malformed: form posts", ok, f"{url} {name} -> {response.status_code}")


V1_BODIES = {
    "bad JSON": b"{not json",
    "empty": b"",  # /v1/conversations takes an empty body: a new, empty conversation
    "JSON array": b"[1]",
    "wrong types": b'{"model": 5, "input": {"a": 1}}',
    "huge number": b'{"model": "scripted", "input": "hi", "max_output_tokens": 1e999}',
    "huge integer": b'{"model": "scripted", "input": "hi", "temperature": '
    + HUGE_INT.encode()
    + b"}",
    "NaN": b'{"model": "scripted", "input": "hi", "temperature": NaN}',
    "NUL": b'{"model": "scripted\\u0000", "input": "a\\u0000b", "store": "\\u0000"}',
    "invalid UTF-8": b'{"model": "scripted", "input": "\xff\xfe"}',
    "lone surrogate": b'{"model": "scripted", "input": "\\ud800"}',
    "deep nesting": DEEP.encode(),
    "deep input": b'{"model": "scripted", "input": ' + b"[" * 5000 + b"]" * 5000 + b"}",
}


def test_bad_v1_bodies_get_a_4xx_error_body(live_app, table):
    headers = {"Authorization": f"Bearer {live_app.api_key}", "Content-Type": "application/json"}
    paths = ["/v1/responses", "/v1/conversations", "/v1/responses/input_tokens"]
    with httpx.Client(base_url=live_app.url, headers=headers, timeout=30) as http:
        for path in paths:
            for name, body in V1_BODIES.items():
                response = http.post(path, content=body)
                if name == "empty" and path == "/v1/conversations":
                    ok = response.status_code == 200
                else:
                    ok = 400 <= response.status_code < 500 and "error" in response.json()
                table.record(
                    "Malformed: /v1 bodies", ok, f"{path} {name} -> {response.status_code}"
                )
        alive = http.get("/v1/models").status_code == 200
    row = table.row("Malformed: /v1 bodies")
    assert alive and row.passed == row.tried, row.failures
