"""Shaping provider objects for the audit pages: tolerant of quirks, never trusting content."""

from __future__ import annotations

import pytest

from conversations.audit.display import item_view, response_view, usage_view


def image(url: str) -> dict:
    return {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_image", "image_url": url}],
    }


@pytest.mark.parametrize("url", ["data:image/png;base64,AAAA", "https://example.com/a.png"])
def test_images_become_thumbnails(url):
    assert item_view(image(url))["parts"] == [{"image": url}]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>"])
def test_other_image_urls_are_shown_as_text(url):
    assert "image" not in item_view(image(url))["parts"][0]


def test_function_call_arguments_are_decoded_and_indented():
    item = {"type": "function_call", "name": "get_weather", "arguments": '{"city":"Oslo"}'}
    assert item_view(item)["parts"] == [{"label": "get_weather", "json": '{\n  "city": "Oslo"\n}'}]


def test_easy_message_with_string_content():
    parts = item_view({"role": "assistant", "content": "Hi"})["parts"]
    assert parts == [{"text": "Hi"}]


def test_usage_without_details_counts_zero():
    assert usage_view({"input_tokens": 3, "output_tokens": 4}) == {
        "input": 3,
        "cached": 0,
        "output": 4,
        "reasoning": 0,
    }


def test_response_without_usage_or_output():
    view = response_view({"id": "resp_1", "status": "queued", "usage": None, "created_at": 0})
    assert view["usage"] is None
    assert view["output"] == []
    assert view["created_at"].year == 1970
