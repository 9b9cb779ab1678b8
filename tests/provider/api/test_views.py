"""The /v1 endpoints end to end, through the official openai SDK and raw HTTP."""

from __future__ import annotations

import json
import time

import httpx
import openai
import pytest
from openai import OpenAI

from tests.live import LiveServer

MODEL = "test-model"


def sse_events(text: str) -> list[dict]:
    """The JSON events of an SSE body (the final [DONE] excluded)."""
    datas = [line[6:] for line in text.split("\n") if line.startswith("data: ")]
    assert datas[-1] == "[DONE]"
    return [json.loads(data) for data in datas[:-1]]


def test_create_returns_scripted_reply(client: OpenAI) -> None:
    response = client.responses.create(model=MODEL, input="hello there")

    assert response.status == "completed"
    assert response.output_text == "You said: hello there"
    assert response.model == MODEL
    assert response.id.startswith("resp_")
    assert response.usage.input_tokens == 2
    assert response.usage.output_tokens == 4
    assert response.usage.total_tokens == 6


def test_create_sends_request_id(http: httpx.Client) -> None:
    reply = http.post("/responses", json={"model": MODEL, "input": "hi"})

    assert reply.headers["x-request-id"].startswith("req_")
    assert reply.headers["content-type"] == "application/json"


def test_instructions_count_as_input(client: OpenAI) -> None:
    response = client.responses.create(model=MODEL, input="one two", instructions="be brief")

    assert response.instructions == "be brief"
    assert response.usage.input_tokens == 4


def test_json_body_is_the_canonical_response(http: httpx.Client) -> None:
    body = http.post("/responses", json={"model": MODEL, "input": "hi"}).json()

    expected = {
        "background": False, "conversation": None, "error": None, "incomplete_details": None,
        "metadata": {}, "object": "response", "previous_response_id": None,
        "service_tier": "default", "store": True, "temperature": 0.7, "top_p": 1.0,
        "tool_choice": "auto", "tools": [], "truncation": "disabled", "top_logprobs": 0,
    }  # fmt: skip
    assert {key: body[key] for key in expected} == expected
    assert isinstance(body["created_at"], int)
    assert isinstance(body["completed_at"], int)
    assert body["usage"]["input_tokens_details"] == {"cached_tokens": 0, "cache_write_tokens": 0}


def test_stream_helper_gets_final_response(client: OpenAI) -> None:
    with client.responses.stream(model=MODEL, input="stream me please") as stream:
        deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
        final = stream.get_final_response()

    assert "".join(deltas) == "You said: stream me please"
    assert deltas == ["You", " said:", " stream", " me", " please"]
    assert final.output_text == "You said: stream me please"
    assert final.status == "completed"


def test_raw_stream_event_order(client: OpenAI) -> None:
    events = list(client.responses.create(model=MODEL, input="a b", stream=True))

    assert [event.sequence_number for event in events] == list(range(len(events)))
    assert [event.type for event in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        *["response.output_text.delta"] * 4,
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert events[0].response.output == []
    assert events[0].response.status == "in_progress"
    assert {event.response.id for event in (events[0], events[1], events[-1])} == {
        events[0].response.id
    }


def test_raw_stream_wire_format(http: httpx.Client) -> None:
    reply = http.post("/responses", json={"model": MODEL, "input": "x", "stream": True})

    assert reply.headers["content-type"].startswith("text/event-stream")
    assert "\r" not in reply.text
    blocks = reply.text.split("\n\n")
    assert blocks[-2:] == ["data: [DONE]", ""]
    for block in blocks[:-2]:
        event_line, data_line = block.split("\n")
        assert event_line == f"event: {json.loads(data_line[6:])['type']}"


def test_stream_with_reasoning_puts_reasoning_first(client: OpenAI) -> None:
    stream = client.responses.create(
        model=MODEL, input="think", reasoning={"effort": "low"}, stream=True
    )
    events = list(stream)
    types = [event.type for event in events]
    final = events[-1].response

    assert types.index("response.reasoning_text.delta") < types.index("response.output_text.delta")
    assert types.count("response.output_item.added") == 2
    assert [item.type for item in final.output] == ["reasoning", "message"]
    assert final.output[0].content[0].text == "Planning a reply to: think"
    assert final.output[0].summary == []
    assert final.output[1].content[0].text == "You said: think"
    assert final.usage.output_tokens_details.reasoning_tokens == 5
    assert final.usage.output_tokens == 5 + 3


def test_reasoning_effort_none_has_no_reasoning_item(client: OpenAI) -> None:
    response = client.responses.create(model=MODEL, input="x", reasoning={"effort": "none"})

    assert [item.type for item in response.output] == ["message"]
    assert response.usage.output_tokens_details.reasoning_tokens == 0


def test_retrieve_returns_stored_response(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="keep me", metadata={"k": "v"})

    fetched = client.responses.retrieve(created.id)

    assert fetched.output_text == "You said: keep me"
    assert fetched.metadata == {"k": "v"}
    assert fetched.model_dump() == created.model_dump()


def test_retrieve_stream_replays_events(client: OpenAI) -> None:
    created = list(client.responses.create(model=MODEL, input="replay me", stream=True))
    response_id = created[0].response.id

    replayed = list(client.responses.retrieve(response_id, stream=True))

    assert [event.model_dump() for event in replayed] == [e.model_dump() for e in created]


def test_retrieve_stream_honours_starting_after(http: httpx.Client, client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="replay me")

    reply = http.get(f"/responses/{created.id}", params={"stream": "true", "starting_after": 5})

    numbers = [event["sequence_number"] for event in sse_events(reply.text)]
    assert numbers[0] == 6
    assert numbers == list(range(6, numbers[-1] + 1))
    assert sse_events(reply.text)[-1]["type"] == "response.completed"


def test_stream_helper_resumes_from_response_id(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="resume me")

    with client.responses.stream(response_id=created.id, starting_after=3) as stream:
        numbers = [event.sequence_number for event in stream]
        final = stream.get_final_response()

    assert numbers[0] == 4
    assert final.output_text == "You said: resume me"


def test_delete_then_retrieve_is_404(client: OpenAI, http: httpx.Client) -> None:
    created = client.responses.create(model=MODEL, input="forget me")

    reply = http.delete(f"/responses/{created.id}")

    assert reply.json() == {"id": created.id, "object": "response.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve(created.id)
    assert caught.value.body == {
        "message": f"Response with id '{created.id}' not found.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


def test_delete_removes_input_items_and_replay(client: OpenAI, http: httpx.Client) -> None:
    created = client.responses.create(model=MODEL, input="forget me")
    client.responses.delete(created.id)

    assert http.get(f"/responses/{created.id}/input_items").status_code == 404
    assert http.get(f"/responses/{created.id}", params={"stream": "true"}).status_code == 404
    assert http.delete(f"/responses/{created.id}").status_code == 404


def test_chaining_on_deleted_response_is_400(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="forget me")
    client.responses.delete(created.id)

    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=MODEL, input="again", previous_response_id=created.id)

    assert caught.value.code == "previous_response_not_found"
    assert caught.value.param == "previous_response_id"
    assert caught.value.message.endswith(f"Previous response with id '{created.id}' not found.")


def test_chaining_recalls_earlier_turns(client: OpenAI) -> None:
    first = client.responses.create(model=MODEL, input="my name is Ada", instructions="rule one")
    second = client.responses.create(model=MODEL, input="I like tea", previous_response_id=first.id)

    third = client.responses.create(model=MODEL, input="[recall]", previous_response_id=second.id)

    assert third.output_text == "Earlier you said: my name is Ada | I like tea"
    assert third.previous_response_id == second.id
    assert third.instructions is None
    # the chain carries both user turns and both replies, but not the first instructions
    assert third.usage.input_tokens == 4 + 6 + 3 + 5 + 1


def test_input_items_of_a_chain_list_the_whole_chain(client: OpenAI) -> None:
    first = client.responses.create(model=MODEL, input="one")
    second = client.responses.create(model=MODEL, input="two", previous_response_id=first.id)

    items = list(client.responses.input_items.list(second.id, order="asc"))

    assert [item.type for item in items] == ["message"] * 3
    assert [item.role for item in items] == ["user", "assistant", "user"]
    assert items[0].content[0].text == "one"
    assert items[1].id == first.output[0].id
    assert items[2].content[0].type == "input_text"


def test_input_items_paginate_both_orders(client: OpenAI, http: httpx.Client) -> None:
    texts = [f"item {n}" for n in range(5)]
    created = client.responses.create(
        model=MODEL, input=[{"role": "user", "content": text} for text in texts]
    )

    ascending = list(client.responses.input_items.list(created.id, order="asc", limit=2))
    descending = list(client.responses.input_items.list(created.id, limit=2))
    page = http.get(f"/responses/{created.id}/input_items", params={"limit": 2}).json()

    assert [item.content[0].text for item in ascending] == texts
    assert [item.content[0].text for item in descending] == texts[::-1]
    assert page["object"] == "list"
    assert page["has_more"] is True
    assert page["first_id"] == page["data"][0]["id"]
    assert page["last_id"] == page["data"][1]["id"]


def test_input_items_limit_is_checked(client: OpenAI, http: httpx.Client) -> None:
    created = client.responses.create(model=MODEL, input="x")

    reply = http.get(f"/responses/{created.id}/input_items", params={"limit": 101})

    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == "limit"


def test_input_items_accept_include_brackets(client: OpenAI, http: httpx.Client) -> None:
    created = client.responses.create(model=MODEL, input="x")

    reply = http.get(
        f"/responses/{created.id}/input_items?include[]=message.input_image.image_url&order=asc"
    )

    assert reply.status_code == 200
    assert reply.json()["data"][0]["content"] == [{"type": "input_text", "text": "x"}]


def test_metadata_too_many_keys_is_400(http: httpx.Client) -> None:
    metadata = {f"k{n}": "v" for n in range(17)}

    reply = http.post("/responses", json={"model": MODEL, "input": "x", "metadata": metadata})

    assert reply.status_code == 400
    assert reply.json() == {
        "error": {
            "message": "Invalid 'metadata': too many properties. Expected an object with at "
            "most 16 properties, but got an object with 17 properties instead.",
            "type": "invalid_request_error",
            "param": "metadata",
            "code": "object_above_max_properties",
        }
    }


def test_metadata_value_too_long_is_400(http: httpx.Client) -> None:
    metadata = {"note": "x" * 600}

    reply = http.post("/responses", json={"model": MODEL, "input": "x", "metadata": metadata})

    assert reply.status_code == 400
    assert reply.json()["error"] == {
        "message": "Invalid 'metadata.note': string too long. Expected a string with maximum "
        "length 512, but got a string with length 600 instead.",
        "type": "invalid_request_error",
        "param": "metadata.note",
        "code": "string_above_max_length",
    }


def test_max_output_tokens_below_16_is_400(http: httpx.Client) -> None:
    reply = http.post("/responses", json={"model": MODEL, "input": "x", "max_output_tokens": 5})

    assert reply.status_code == 400
    assert reply.json()["error"] == {
        "message": "Invalid 'max_output_tokens': integer below minimum value. Expected a value "
        ">= 16, but got 5 instead.",
        "type": "invalid_request_error",
        "param": "max_output_tokens",
        "code": "integer_below_min_value",
    }


def test_unknown_parameter_is_400(http: httpx.Client) -> None:
    reply = http.post("/responses", json={"model": MODEL, "input": "x", "bogus": 1})

    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "unknown_parameter"
    assert reply.json()["error"]["message"] == "Unknown parameter: 'bogus'."


def test_missing_key_is_401(live_app: LiveServer) -> None:
    reply = httpx.get(f"{live_app.v1}/models")

    assert reply.status_code == 401
    assert reply.json()["error"]["code"] == "invalid_api_key"
    assert reply.json()["error"]["type"] == "invalid_request_error"


def test_wrong_key_is_401(live_app: LiveServer) -> None:
    wrong = OpenAI(base_url=live_app.v1, api_key="sk-wrong", max_retries=0)

    with pytest.raises(openai.AuthenticationError) as caught:
        wrong.responses.create(model=MODEL, input="x")

    assert caught.value.code == "invalid_api_key"


def test_unknown_route_is_404_json(http: httpx.Client) -> None:
    reply = http.get("/no/such/route")

    assert reply.status_code == 404
    assert set(reply.json()["error"]) == {"message", "type", "param", "code"}


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/responses/compact"), ("PUT", "/responses"), ("DELETE", "/models"), ("HEAD", "/x")],
)
def test_a_method_a_route_does_not_serve_is_404_invalid_url(
    http: httpx.Client, method: str, path: str
) -> None:
    reply = http.request(method, path)

    assert reply.status_code == 404
    if method != "HEAD":
        assert reply.json()["error"]["message"] == f"Invalid URL ({method} /v1{path})."


@pytest.mark.parametrize("path", ["/v1", "/v1/", "/v1/responses/", "/v1/models/x/"])
def test_near_miss_paths_are_404_json_not_redirects(live_app: LiveServer, path: str) -> None:
    headers = {"Authorization": f"Bearer {live_app.api_key}"}

    reply = httpx.get(live_app.url + path, headers=headers)

    assert reply.status_code == 404
    assert reply.json()["error"]["message"] == f"Invalid URL (GET {path})."


def test_pages_outside_v1_still_get_the_slash_redirect(live_app: LiveServer) -> None:
    reply = httpx.get(live_app.url + "/accounts/login")

    assert reply.status_code == 301
    assert reply.headers["location"] == "/accounts/login/"


def test_delete_of_a_running_store_false_response_is_404(http: httpx.Client) -> None:
    body = {"model": MODEL, "input": "x [delay=30] [tokens=10]", "store": False, "stream": True}
    with http.stream("POST", "/responses", json=body) as reply:
        lines = reply.iter_lines()
        next(lines)  # "event: response.created"
        response_id = json.loads(next(lines).removeprefix("data: "))["response"]["id"]
        deleted = http.delete(f"/responses/{response_id}")
        rest = "\n".join(lines)

    assert deleted.status_code == 404
    assert "event: response.completed" in rest


def test_store_false_is_not_retrievable(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="ephemeral", store=False)

    assert created.output_text == "You said: ephemeral"
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created.id)


def test_max_output_tokens_makes_response_incomplete(client: OpenAI) -> None:
    events = list(
        client.responses.create(
            model=MODEL, input="long [tokens=40]", max_output_tokens=16, stream=True
        )
    )
    final = events[-1].response

    assert events[-1].type == "response.incomplete"
    assert final.status == "incomplete"
    assert final.incomplete_details.reason == "max_output_tokens"
    assert final.output[-1].status == "incomplete"
    assert final.usage.output_tokens == 16
    assert final.completed_at is None


def test_tokens_directive_sets_length(client: OpenAI) -> None:
    response = client.responses.create(model=MODEL, input="long [tokens=40]")

    assert response.status == "completed"
    assert response.usage.output_tokens == 40
    assert response.output_text.endswith(" word35 word36")


def test_failure_mid_stream_raises_api_error(client: OpenAI) -> None:
    seen = []
    with pytest.raises(openai.APIError) as caught:
        for event in client.responses.create(model=MODEL, input="boom [fail]", stream=True):
            seen.append(event.type)

    assert seen.count("response.output_text.delta") == 3
    assert caught.value.code == "server_error"


def test_failure_is_stored_as_failed_with_error_then_failed_event(http: httpx.Client) -> None:
    reply = http.post("/responses", json={"model": MODEL, "input": "boom [fail]", "stream": True})
    events = sse_events(reply.text)

    assert [event["type"] for event in events[-3:]] == [
        "response.output_item.done",
        "error",
        "response.failed",
    ]
    assert events[-2]["error"]["code"] == "server_error"
    stored = http.get(f"/responses/{events[-1]['response']['id']}").json()
    assert stored["status"] == "failed"
    assert stored["error"]["code"] == "server_error"


def test_models_list_and_retrieve(client: OpenAI) -> None:
    models = list(client.models.list())

    assert len(models) == 1
    assert client.models.retrieve(models[0].id).id == models[0].id
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model")


def test_background_returns_at_once_and_completes(client: OpenAI) -> None:
    created = client.responses.create(
        model=MODEL, input="slow [delay=20] [tokens=10]", background=True
    )

    assert created.status == "queued"
    assert created.background is True
    deadline = time.monotonic() + 10
    while (fetched := client.responses.retrieve(created.id)).status in ("queued", "in_progress"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert fetched.status == "completed"
    assert fetched.usage.output_tokens == 10


def test_replay_of_a_running_response_tails_live_events(client: OpenAI) -> None:
    created = client.responses.create(
        model=MODEL, input="slow [delay=20] [tokens=15]", background=True
    )

    events = list(client.responses.retrieve(created.id, stream=True))

    assert [event.sequence_number for event in events] == list(range(len(events)))
    assert events[-1].type == "response.completed"
    assert events[-1].response.output_text.endswith(" word9 word10")


def test_client_disconnect_stops_a_foreground_stream(client: OpenAI, http: httpx.Client) -> None:
    body = {"model": MODEL, "input": "bye [delay=50] [tokens=200]", "stream": True}
    with http.stream("POST", "/responses", json=body) as reply:
        lines = reply.iter_lines()
        next(lines)  # "event: response.created"
        response_id = json.loads(next(lines).removeprefix("data: "))["response"]["id"]

    deadline = time.monotonic() + 10
    while (fetched := client.responses.retrieve(response_id)).status == "in_progress":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert fetched.status == "cancelled"
    assert len(fetched.output_text.split()) < 200


def test_background_stream_disconnect_does_not_stop_the_response(
    client: OpenAI, http: httpx.Client
) -> None:
    body = {"model": MODEL, "input": "bye [delay=20] [tokens=12]", "stream": True}
    body["background"] = True
    with http.stream("POST", "/responses", json=body) as reply:
        lines = reply.iter_lines()
        next(lines)  # "event: response.created"
        response_id = json.loads(next(lines).removeprefix("data: "))["response"]["id"]

    deadline = time.monotonic() + 10
    while (fetched := client.responses.retrieve(response_id)).status in ("queued", "in_progress"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert fetched.status == "completed"
    assert fetched.usage.output_tokens == 12


def test_cancel_stops_a_background_response(client: OpenAI) -> None:
    created = client.responses.create(
        model=MODEL, input="slow [delay=50] [tokens=200]", background=True
    )
    time.sleep(0.3)

    cancelled = client.responses.cancel(created.id)

    assert cancelled.status == "cancelled"
    assert cancelled.completed_at is None
    assert 0 < len(cancelled.output_text.split()) < 200
    assert client.responses.retrieve(created.id).status == "cancelled"
    assert client.responses.cancel(created.id).status == "cancelled"


def test_cancel_of_a_foreground_response_is_400(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="x")

    with pytest.raises(openai.BadRequestError):
        client.responses.cancel(created.id)


def test_a_chain_longer_than_the_window_is_400_unless_truncation_is_auto(client: OpenAI) -> None:
    words = " ".join(["word"] * 5000)  # the scripted engine's window is 8192 words
    first = client.responses.create(model=MODEL, input=words, max_output_tokens=16)

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=words, previous_response_id=first.id)
    second = client.responses.create(
        model=MODEL,
        input=words,
        previous_response_id=first.id,
        truncation="auto",
        max_output_tokens=16,
    )

    assert raised.value.code == "context_length_exceeded"
    assert (second.status, second.error) == ("incomplete", None)  # the 16-token cap
    assert 5000 <= second.usage.input_tokens <= 8192 - 16
