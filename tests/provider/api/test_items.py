"""Input items: normalisation, and every spec item type through to chat messages (pure)."""

from __future__ import annotations

import pytest

from provider.api.items import normalize_input
from provider.errors import ApiError
from provider.generation.prompt import IMAGE_NOTE, chat_messages

SPEC_ITEMS = [
    {"role": "developer", "content": "be terse"},
    {"role": "user", "content": [{"type": "input_text", "text": "look"},
                                 {"type": "input_image", "image_url": "data:image/png;base64,AA"},
                                 {"type": "input_file", "filename": "a.pdf", "file_data": "x"}]},
    {"type": "message", "role": "assistant", "id": "msg_1", "status": "completed",
     "content": [{"type": "output_text", "text": "seen", "annotations": []},
                 {"type": "refusal", "refusal": "no"}]},
    {"type": "reasoning", "id": "rs_1", "summary": []},
    {"type": "function_call", "call_id": "call_1", "name": "f", "arguments": "{}"},
    {"type": "function_call_output", "call_id": "call_1", "output": "42"},
    {"type": "web_search_call", "id": "ws_1", "status": "completed"},
]  # fmt: skip


def test_string_input_is_one_user_message() -> None:
    [item] = normalize_input("hello")

    assert item["type"] == "message"
    assert item["role"] == "user"
    assert item["status"] == "completed"
    assert item["content"] == [{"type": "input_text", "text": "hello"}]
    assert item["id"].startswith("msg_")


def test_assistant_string_content_becomes_output_text() -> None:
    [item] = normalize_input([{"role": "assistant", "content": "hi"}])

    assert item["content"] == [{"type": "output_text", "text": "hi", "annotations": []}]


def test_every_spec_item_type_converts() -> None:
    items = normalize_input(SPEC_ITEMS)

    messages = chat_messages(items, instructions="sys")

    assert messages == [
        {"role": "system", "content": "sys"},
        {"role": "system", "content": "be terse"},
        {"role": "user", "content": f"look\n{IMAGE_NOTE}\n[file a.pdf]"},
        {"role": "assistant", "content": "seen\nno"},
        {"role": "assistant", "content": "Called f({})"},
        {"role": "user", "content": "Result of call_1: 42"},
    ]
    assert items[4]["id"].startswith("fc_")
    assert items[5]["id"].startswith("fco_")


def test_existing_ids_are_kept() -> None:
    items = normalize_input(SPEC_ITEMS)

    assert items[2]["id"] == "msg_1"
    assert items[3]["id"] == "rs_1"


def test_bad_role_is_400() -> None:
    with pytest.raises(ApiError) as caught:
        normalize_input([{"role": "robot", "content": "x"}])

    assert caught.value.param == "input[0].role"
    assert caught.value.code == "invalid_value"


def test_non_object_item_is_400() -> None:
    with pytest.raises(ApiError) as caught:
        normalize_input(["text"])

    assert caught.value.param == "input[0]"
