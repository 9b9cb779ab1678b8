"""input_tokens counting, /v1/models, store:false and DELETE through the SDK (scripted engine)."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai import OpenAI

MODEL = "test-model"


def test_input_tokens_count_matches_usage(client: OpenAI) -> None:
    counted = client.responses.input_tokens.count(
        model=MODEL, input="one two three", instructions="be brief"
    )
    created = client.responses.create(model=MODEL, input="one two three", instructions="be brief")

    assert counted.object == "response.input_tokens"
    assert counted.input_tokens == created.usage.input_tokens == 5


def test_input_tokens_include_the_chain(client: OpenAI) -> None:
    first = client.responses.create(model=MODEL, input="alpha beta")

    counted = client.responses.input_tokens.count(
        model=MODEL, input="gamma", previous_response_id=first.id
    )
    chained = client.responses.create(model=MODEL, input="gamma", previous_response_id=first.id)

    assert counted.input_tokens == chained.usage.input_tokens == 2 + 4 + 1


def test_input_tokens_include_a_conversation(client: OpenAI) -> None:
    conversation = client.conversations.create(
        items=[{"type": "message", "role": "user", "content": "a b c"}]
    )

    counted = client.responses.input_tokens.count(
        model=MODEL, input="d", conversation=conversation.id
    )

    assert counted.input_tokens == 4


def test_input_tokens_reject_unknown_fields(http: httpx.Client) -> None:
    reply = http.post("/responses/input_tokens", json={"input": "x", "stream": True})

    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == "stream"


def test_models_list_through_the_sdk(client: OpenAI) -> None:
    models = list(client.models.list())

    assert len(models) == 1
    assert models[0].object == "model"
    assert client.models.retrieve(models[0].id).id == models[0].id


def test_store_false_streams_but_is_forgotten(client: OpenAI) -> None:
    with client.responses.stream(model=MODEL, input="secret", store=False) as stream:
        final = stream.get_final_response()

    assert final.output_text == "You said: secret"
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(final.id)
    with pytest.raises(openai.BadRequestError):
        client.responses.create(model=MODEL, input="x", previous_response_id=final.id)


def test_delete_returns_the_exact_body(http: httpx.Client, client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="bye")

    reply = http.delete(f"/responses/{created.id}")

    assert reply.json() == {"id": created.id, "object": "response.deleted", "deleted": True}
    with pytest.raises(openai.NotFoundError):
        client.responses.delete(created.id)


def test_sdk_delete_returns_none(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="bye")

    assert client.responses.delete(created.id) is None
    with pytest.raises(openai.NotFoundError):
        client.responses.input_items.list(created.id)


def test_chain_through_a_deleted_middle_still_works(client: OpenAI) -> None:
    first = client.responses.create(model=MODEL, input="one")
    second = client.responses.create(model=MODEL, input="two", previous_response_id=first.id)
    client.responses.delete(first.id)

    third = client.responses.create(model=MODEL, input="[recall]", previous_response_id=second.id)

    assert third.output_text == "Earlier you said: one | two"


def test_input_tokens_personality_is_checked(http: httpx.Client) -> None:
    body = {"model": "m", "input": "x"}
    good = http.post("/responses/input_tokens", json={**body, "personality": "friendly"})
    bad = http.post("/responses/input_tokens", json={**body, "personality": "weird"})

    assert good.status_code == 200
    assert (bad.status_code, bad.json()["error"]["param"]) == (400, "personality")
