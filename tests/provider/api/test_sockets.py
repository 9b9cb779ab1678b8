"""WebSocket mode on /v1/responses through the openai SDK's `client.responses.connect`."""

from __future__ import annotations

import json
import time

import openai
import pytest
from openai import OpenAI
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.live import LiveServer

MODEL = "test-model"
TERMINAL = ("response.completed", "response.incomplete", "response.failed", "error")


def turn(connection, **body) -> list:
    """Send one response.create and read its events up to the terminal one (or an error)."""
    connection.response.create(model=MODEL, **body)
    events = []
    for event in connection:
        events.append(event)
        if event.type in TERMINAL:
            return events
    raise AssertionError("the socket closed before a terminal event")


def test_a_response_streams_as_messages(client: OpenAI) -> None:
    with client.responses.connect() as connection:
        events = turn(connection, input="hello there")

    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert events[0].type == "response.created"
    assert events[-1].type == "response.completed"
    assert events[-1].response.output_text == "You said: hello there"


def test_several_responses_follow_on_one_socket(client: OpenAI) -> None:
    with client.responses.connect() as connection:
        first = turn(connection, input="one", store=False)
        second = turn(connection, input="two", store=False)

    assert first[-1].response.output_text == "You said: one"
    assert second[-1].response.output_text == "You said: two"
    assert second[0].sequence_number == 0


def test_store_false_continues_on_its_own_socket_only(client: OpenAI) -> None:
    with client.responses.connect() as connection:
        first = turn(connection, input="cobalt", store=False)
        previous = first[-1].response.id
        again = turn(connection, input="[recall]", store=False, previous_response_id=previous)
    with client.responses.connect() as other:
        [missing] = turn(other, input="[recall]", store=False, previous_response_id=previous)
        recovered = turn(other, input="fresh", store=False)

    assert again[-1].response.output_text == "Earlier you said: cobalt"
    assert again[-1].response.previous_response_id == previous
    assert missing.type == "error"
    assert missing.error.code == "previous_response_not_found"
    assert recovered[-1].response.output_text == "You said: fresh"
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(previous)


def test_a_failed_continuation_forgets_the_response(client: OpenAI) -> None:
    orphan = {"type": "function_call_output", "call_id": "call_nowhere", "output": "x"}
    with client.responses.connect() as connection:
        first = turn(connection, input="ember", store=False)
        previous = first[-1].response.id
        [failed] = turn(connection, input=[orphan], store=False, previous_response_id=previous)
        [evicted] = turn(connection, input="again", store=False, previous_response_id=previous)

    assert failed.type == "error"
    assert "call_nowhere" in failed.error.message
    assert evicted.error.code == "previous_response_not_found"


def test_stored_responses_continue_on_any_socket(client: OpenAI) -> None:
    stored = client.responses.create(model=MODEL, input="copper")
    with client.responses.connect() as connection:
        events = turn(connection, input="[recall]", previous_response_id=stored.id)

    assert events[-1].response.output_text == "Earlier you said: copper"


def test_bad_messages_are_error_events_on_an_open_socket(client: OpenAI, live_app) -> None:
    headers = {"Authorization": f"Bearer {live_app.api_key}"}
    with connect(ws_url(live_app), additional_headers=headers) as socket:
        socket.send("not json")
        unparsed = json.loads(socket.recv())
        socket.send(json.dumps({"type": "response.create", "model": MODEL, "input": "x",
                                "background": True}))  # fmt: skip
        background = json.loads(socket.recv())
        socket.send(json.dumps({"type": "response.create", "model": MODEL, "input": "ok"}))
        events = [json.loads(socket.recv()) for _ in range(2)]

    assert unparsed["type"] == "error"
    assert unparsed["status"] == 400
    assert background["error"]["param"] == "background"
    assert [e["type"] for e in events] == ["response.created", "response.in_progress"]


def test_a_bad_key_is_refused_at_the_handshake(live_app: LiveServer) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(ws_url(live_app), additional_headers={"Authorization": "Bearer wrong"})

    assert refused.value.response.status_code == 403


def test_closing_the_socket_cancels_its_response(client: OpenAI) -> None:
    with client.responses.connect() as connection:
        connection.response.create(model=MODEL, input="[delay=100] [tokens=200] slow")
        created = connection.recv()

    deadline = time.monotonic() + 10
    while client.responses.retrieve(created.response.id).status == "in_progress":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert client.responses.retrieve(created.response.id).status == "cancelled"


def ws_url(live_app: LiveServer) -> str:
    """The WebSocket mode address of the live app."""
    return live_app.v1.replace("http://", "ws://") + "/responses"
