"""Compaction (spec §19): /v1/responses/compact and context_management, through the SDK."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai import OpenAI

MODEL = "test-model"
HISTORY = [
    {"role": "user", "content": "The launch code is cobalt."},
    {"role": "assistant", "content": "Noted."},
    {"role": "user", "content": "Compress this conversation."},
]
# The scripted reply to it is short ([tokens=5]), as a real reply to such a prompt would be.
LONG = "[tokens=5] " + " ".join(["filler"] * 1100)


def compact(http: httpx.Client, **body) -> httpx.Response:
    """POST /responses/compact (the SDK 3.54 has no method for it)."""
    return http.post("/responses/compact", json={"model": MODEL, **body})


def test_compact_seals_the_summary_and_keeps_the_newest_user_turn(http: httpx.Client) -> None:
    reply = compact(http, input=HISTORY)

    body = reply.json()
    assert reply.status_code == 200
    assert body["object"] == "response.compaction"
    [item, kept] = body["output"]
    assert item["type"] == "compaction"
    assert item["id"].startswith("cmp_")
    assert "cobalt" not in item["encrypted_content"]
    assert kept["content"][0]["text"] == "Compress this conversation."
    assert body["usage"]["input_tokens"] > 0
    assert body["usage"]["output_tokens"] > 0


def test_compact_needs_a_model(http: httpx.Client) -> None:
    reply = http.post("/responses/compact", json={"input": HISTORY})

    assert reply.status_code == 400
    assert reply.json()["error"]["param"] == "model"


def test_a_compacted_window_continues_the_conversation(http: httpx.Client, client: OpenAI) -> None:
    output = compact(http, input=HISTORY).json()["output"]

    response = client.responses.create(
        model=MODEL, input=[*output, {"role": "user", "content": "[recall]"}]
    )

    assert "cobalt" in response.output_text
    items = client.responses.input_items.list(response.id, order="asc")
    assert [item.type for item in items][:1] == ["compaction"]


@pytest.mark.parametrize("change", ["tamper", "foreign"])
def test_a_compaction_item_not_made_here_is_400(
    http: httpx.Client, client: OpenAI, change: str
) -> None:
    [item, _] = compact(http, input=HISTORY).json()["output"]
    sealed = item["encrypted_content"]
    flipped = sealed[:10] + ("A" if sealed[10] != "A" else "B") + sealed[11:]
    item["encrypted_content"] = flipped if change == "tamper" else "gAAAAABforeign"

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=[item, {"role": "user", "content": "go"}])

    assert raised.value.body["param"] == "input[0].encrypted_content"
    assert raised.value.body["code"] == "invalid_encrypted_content"


def test_context_management_compacts_a_long_prompt(client: OpenAI) -> None:
    management = [{"type": "compaction", "compact_threshold": 1000}]
    first = client.responses.create(
        model=MODEL,
        input=[*HISTORY[:2], {"role": "user", "content": LONG}],
        context_management=management,
    )
    second = client.responses.create(
        model=MODEL, input="[recall]", previous_response_id=first.id, context_management=management
    )

    assert [item.type for item in first.output] == ["compaction", "message"]
    assert "cobalt" in second.output_text
    assert second.output[0].type == "message"
    assert second.usage.input_tokens < first.usage.input_tokens
    items = client.responses.input_items.list(second.id, order="asc")
    assert [item.type for item in items] == ["compaction", "message", "message"]


def test_a_short_prompt_is_not_compacted(client: OpenAI) -> None:
    response = client.responses.create(
        model=MODEL,
        input="short",
        context_management=[{"type": "compaction", "compact_threshold": 1000}],
    )

    assert [item.type for item in response.output] == ["message"]


def test_compaction_streams_as_one_added_and_done_item(client: OpenAI) -> None:
    with client.responses.stream(
        model=MODEL,
        input=LONG,
        context_management=[{"type": "compaction", "compact_threshold": 1000}],
    ) as stream:
        events = list(stream)

    kinds = [(e.type, e.output_index) for e in events if e.type.startswith("response.output_item")]
    assert kinds == [
        ("response.output_item.added", 0),
        ("response.output_item.done", 0),
        ("response.output_item.added", 1),
        ("response.output_item.done", 1),
    ]
    assert events[2].item.type == "compaction"


def test_compact_threshold_has_a_minimum(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL,
            input="x",
            context_management=[{"type": "compaction", "compact_threshold": 999}],
        )

    assert raised.value.body["param"] == "context_management[0].compact_threshold"
