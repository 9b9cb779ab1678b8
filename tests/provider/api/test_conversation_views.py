"""The Conversations API through the openai SDK (scripted engine)."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai import OpenAI

MODEL = "test-model"


def user(text: str) -> dict:
    """An easy user message item."""
    return {"type": "message", "role": "user", "content": text}


def test_create_retrieve_update_delete(client: OpenAI) -> None:
    created = client.conversations.create(items=[user("hi")], metadata={"topic": "demo"})

    assert created.id.startswith("conv_")
    assert created.object == "conversation"
    assert isinstance(created.created_at, int)
    assert client.conversations.retrieve(created.id).metadata == {"topic": "demo"}
    updated = client.conversations.update(created.id, metadata={"topic": "other"})
    assert updated.metadata == {"topic": "other"}
    deleted = client.conversations.delete(created.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (
        created.id,
        "conversation.deleted",
        True,
    )
    with pytest.raises(openai.NotFoundError):
        client.conversations.retrieve(created.id)


def test_create_without_body_fields(client: OpenAI) -> None:
    created = client.conversations.create()

    assert created.metadata == {}
    assert list(client.conversations.items.list(created.id)) == []


def test_items_auto_paginate_in_both_orders(client: OpenAI) -> None:
    texts = [f"m{n}" for n in range(20)]
    conversation = client.conversations.create(items=[user(text) for text in texts])

    newest_first = client.conversations.items.list(conversation.id, limit=3)
    oldest_first = client.conversations.items.list(conversation.id, limit=7, order="asc")

    assert [item.content[0].text for item in newest_first] == texts[::-1]
    assert [item.content[0].text for item in oldest_first] == texts


def test_items_page_envelope(http: httpx.Client, client: OpenAI) -> None:
    conversation = client.conversations.create(items=[user("a"), user("b"), user("c")])

    page = http.get(f"/conversations/{conversation.id}/items", params={"limit": 2}).json()

    assert page["object"] == "list"
    assert [item["content"][0]["text"] for item in page["data"]] == ["c", "b"]
    assert page["first_id"] == page["data"][0]["id"]
    assert page["last_id"] == page["data"][1]["id"]
    assert page["has_more"] is True


def test_items_create_retrieve_delete(client: OpenAI) -> None:
    conversation = client.conversations.create()

    added = client.conversations.items.create(conversation.id, items=[user("x"), user("y")])
    first = added.data[0]
    fetched = client.conversations.items.retrieve(first.id, conversation_id=conversation.id)
    after_delete = client.conversations.items.delete(first.id, conversation_id=conversation.id)

    assert [item.content[0].text for item in added.data] == ["x", "y"]
    assert fetched.id == first.id
    assert after_delete.id == conversation.id
    assert after_delete.object == "conversation"
    remaining = client.conversations.items.list(conversation.id)
    assert [item.content[0].text for item in remaining] == ["y"]
    with pytest.raises(openai.NotFoundError):
        client.conversations.items.retrieve(first.id, conversation_id=conversation.id)


def test_response_in_a_conversation_sees_and_extends_it(client: OpenAI) -> None:
    conversation = client.conversations.create(items=[user("first words")])

    one = client.responses.create(model=MODEL, input="second words", conversation=conversation.id)
    two = client.responses.create(
        model=MODEL, input="[recall]", conversation={"id": conversation.id}
    )

    assert one.conversation.id == conversation.id
    assert two.output_text == "Earlier you said: first words | second words"
    items = client.conversations.items.list(conversation.id, order="asc")
    assert [(item.type, getattr(item, "role", None)) for item in items] == [
        ("message", "user"),
        ("message", "user"),
        ("message", "assistant"),
        ("message", "user"),
        ("message", "assistant"),
    ]


def test_conversation_with_previous_response_id_is_400(client: OpenAI) -> None:
    conversation = client.conversations.create()
    previous = client.responses.create(model=MODEL, input="x")

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL,
            input="y",
            conversation=conversation.id,
            previous_response_id=previous.id,
        )

    assert raised.value.body["code"] == "mutually_exclusive_parameters"
    assert raised.value.body["param"] == "conversation"


def test_unknown_conversation_is_404(client: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.responses.create(model=MODEL, input="x", conversation="conv_nope")
    with pytest.raises(openai.NotFoundError):
        client.conversations.items.list("conv_nope")


def test_more_than_twenty_items_is_400(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.conversations.create(items=[user(str(n)) for n in range(21)])

    assert raised.value.body["param"] == "items"
    assert raised.value.body["code"] == "array_above_max_length"


def test_update_needs_metadata(http: httpx.Client, client: OpenAI) -> None:
    conversation = client.conversations.create()

    reply = http.post(f"/conversations/{conversation.id}", json={})

    assert reply.status_code == 400
    assert reply.json()["error"]["code"] == "missing_required_parameter"
    assert reply.json()["error"]["param"] == "metadata"


def test_metadata_limits_apply_to_conversations(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.conversations.create(metadata={f"k{n}": "v" for n in range(17)})

    assert raised.value.body["code"] == "object_above_max_properties"


def test_an_item_reference_in_a_conversation_is_appended_as_a_fresh_copy(client: OpenAI) -> None:
    conversation = client.conversations.create(items=[user("ref me")])
    referenced = next(iter(client.conversations.items.list(conversation.id)))

    client.responses.create(
        model=MODEL,
        conversation=conversation.id,
        input=[{"type": "item_reference", "id": referenced.id}, user("hello")],
    )
    recall = client.responses.create(model=MODEL, conversation=conversation.id, input="[recall]")

    items = list(client.conversations.items.list(conversation.id, order="asc"))
    assert len({item.id for item in items}) == len(items)
    assert items[1].type == "message"
    assert items[1].content[0].text == "ref me"
    assert recall.output_text.startswith("Earlier you said: ref me | ref me | hello")


def test_an_item_id_already_in_the_conversation_is_400(client: OpenAI) -> None:
    conversation = client.conversations.create(items=[{**user("a"), "id": "msg_same"}])

    with pytest.raises(openai.BadRequestError) as raised:
        client.conversations.items.create(conversation.id, items=[{**user("b"), "id": "msg_same"}])

    assert raised.value.body["param"] == "items[0].id"
    assert [item.id for item in client.conversations.items.list(conversation.id)] == ["msg_same"]


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/conversations", {"items": [{"role": "bot", "content": "x"}]}, "items[0].role"),
        ("/conversations", {"bogus": 1}, "bogus"),
    ],
)
def test_conversation_bodies_are_checked(
    http: httpx.Client, path: str, body: dict, param: str
) -> None:
    reply = http.post(path, json=body)

    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == param


def test_include_of_the_item_endpoints_is_checked(client: OpenAI, http: httpx.Client) -> None:
    conversation = client.conversations.create(items=[user("a")])
    item = next(iter(client.conversations.items.list(conversation.id)))
    base = f"/conversations/{conversation.id}/items"

    replies = [
        http.get(f"{base}/{item.id}", params={"include[]": "bogus"}),
        http.post(base, params={"include[]": "bogus"}, json={"items": [user("b")]}),
    ]

    assert [reply.status_code for reply in replies] == [400, 400]
    assert [reply.json()["error"]["param"] for reply in replies] == ["include[0]", "include[0]"]


def test_item_references_on_the_item_endpoints_are_copies_or_400(
    client: OpenAI, http: httpx.Client
) -> None:
    conversation = client.conversations.create(items=[user("original")])
    original = next(iter(client.conversations.items.list(conversation.id)))

    added = client.conversations.items.create(
        conversation.id, items=[{"type": "item_reference", "id": original.id}]
    )
    unknown = http.post(
        f"/conversations/{conversation.id}/items",
        json={"items": [{"type": "item_reference", "id": "msg_nope"}]},
    )

    [copy] = added.data
    assert copy.id != original.id
    assert (copy.type, copy.content[0].text) == ("message", "original")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["param"] == "items[0].id"
