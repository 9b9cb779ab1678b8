"""Mapping provider events to turn records and socket frames."""

from __future__ import annotations

import pytest

from conversations.streaming.events import (
    Created,
    Delta,
    Finished,
    ReasoningDone,
    StreamError,
    delta_message,
    event_parse,
)
from responses_client.usage import Usage

USAGE = {
    "input_tokens": 9,
    "input_tokens_details": {"cached_tokens": 2, "cache_write_tokens": 0},
    "output_tokens": 27,
    "output_tokens_details": {"reasoning_tokens": 18},
    "total_tokens": 36,
}
MESSAGE = {
    "type": "message",
    "content": [{"type": "output_text", "text": "Hello"}, {"type": "output_text", "text": "!"}],
}


def test_created_gives_response_id():
    event = {"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}}
    assert event_parse(event=event) == Created(response_id="resp_1")


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("response.reasoning_text.delta", "reasoning"),
        ("response.reasoning_summary_text.delta", "reasoning"),
        ("response.output_text.delta", "text"),
    ],
)
def test_deltas(kind, expected):
    assert event_parse(event={"type": kind, "delta": "abc"}) == Delta(kind=expected, text="abc")


def test_reasoning_item_done_ends_reasoning():
    event = {"type": "response.output_item.done", "item": {"type": "reasoning", "summary": []}}
    assert event_parse(event=event) == ReasoningDone()


def test_message_item_done_ignored():
    assert event_parse(event={"type": "response.output_item.done", "item": MESSAGE}) is None


def test_unknown_events_ignored():
    assert event_parse(event={"type": "response.web_search_call.searching"}) is None


def test_error_event_gives_message_and_whether_a_retry_may_pass():
    event = {"type": "error", "error": {"message": "quota", "code": "insufficient_quota"}}
    assert event_parse(event=event) == StreamError(message="quota", retryable=False)


def test_completed_gives_usage_and_output():
    reasoning = {
        "type": "reasoning",
        "summary": [],
        "content": [{"type": "reasoning_text", "text": "Plan"}],
    }
    response = {"status": "completed", "output": [reasoning, MESSAGE], "usage": USAGE}
    assert event_parse(event={"type": "response.completed", "response": response}) == Finished(
        status="completed",
        usage=Usage(input_tokens=9, output_tokens=27, reasoning_tokens=18, cached_tokens=2),
        error="",
        output_text="Hello!",
        reasoning_text="Plan",
        output=(reasoning, MESSAGE),
    )


def test_function_calls_are_picked_out_of_the_output():
    call = {"type": "function_call", "call_id": "c1", "name": "calculator", "arguments": "{}"}
    response = {"status": "completed", "output": [MESSAGE, call]}
    finished = event_parse(event={"type": "response.completed", "response": response})
    assert finished.function_calls == (call,)
    assert finished.output == (MESSAGE, call)


def test_summary_used_when_no_raw_reasoning():
    reasoning = {"type": "reasoning", "summary": [{"type": "summary_text", "text": "Greeting."}]}
    response = {"output": [reasoning, MESSAGE]}
    finished = event_parse(event={"type": "response.completed", "response": response})
    assert finished.reasoning_text == "Greeting."


def test_empty_output_leaves_texts_unknown():
    finished = event_parse(event={"type": "response.completed", "response": {"output": []}})
    assert finished.output_text is None
    assert finished.reasoning_text is None
    assert finished.usage is None


def test_failed_carries_error_message():
    response = {"status": "failed", "error": {"code": "server_error", "message": "Engine died."}}
    finished = event_parse(event={"type": "response.failed", "response": response})
    assert (finished.status, finished.error) == ("failed", "Engine died.")


@pytest.mark.parametrize(
    ("code", "retryable"),
    [
        ("server_error", True),
        ("rate_limit_exceeded", True),
        (None, True),
        ("context_length_exceeded", False),
        ("invalid_prompt", False),
    ],
)
def test_failed_says_whether_a_retry_may_pass(code, retryable):
    response = {"status": "failed", "error": {"code": code, "message": "No."}}
    finished = event_parse(event={"type": "response.failed", "response": response})
    assert finished.retryable is retryable


def test_incomplete_explains_reason():
    response = {"incomplete_details": {"reason": "max_output_tokens"}, "output": [MESSAGE]}
    finished = event_parse(event={"type": "response.incomplete", "response": response})
    assert finished.status == "incomplete"
    assert finished.error == "The answer is incomplete: it reached the output limit."
    assert finished.output_text == "Hello!"


def test_incomplete_names_an_unknown_reason():
    response = {"incomplete_details": {"reason": "something_new"}, "output": [MESSAGE]}
    finished = event_parse(event={"type": "response.incomplete", "response": response})
    assert finished.error == "The answer is incomplete: something_new."


def test_delta_message_shape():
    assert delta_message(turn_id=7, seq=1, kind="text", delta="Hi") == {
        "type": "turn.delta",
        "turn_id": 7,
        "seq": 1,
        "kind": "text",
        "delta": "Hi",
    }
