"""Response objects and the event log (pure)."""

from __future__ import annotations

import json

from provider.api.params import parse_create
from provider.protocol import EventLog, ResponseState, Usage, sse


def make_log(**body: object) -> EventLog:
    """An event log for a minimal request."""
    return EventLog(ResponseState(params=parse_create({"model": "m", "input": "x", **body})))


def test_sequence_and_indexes_for_reasoning_then_message() -> None:
    log = make_log(reasoning={"effort": "low"})
    log.start()
    log.begin()
    log.reasoning_delta("think")
    log.text_delta("Hi")
    log.text_delta("!")
    log.state.usage = Usage(input_tokens=1, output_tokens=3, reasoning_tokens=1)
    log.finish(status="completed", now=5)

    assert [e["sequence_number"] for e in log.events] == list(range(len(log.events)))
    assert [e["type"] for e in log.events] == [
        "response.created", "response.in_progress",
        "response.output_item.added", "response.content_part.added",
        "response.reasoning_text.delta", "response.reasoning_text.done",
        "response.content_part.done", "response.output_item.done",
        "response.output_item.added", "response.content_part.added",
        "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
        "response.content_part.done", "response.output_item.done", "response.completed",
    ]  # fmt: skip
    assert [e.get("output_index") for e in log.events[2:8]] == [0] * 6
    assert [e.get("output_index") for e in log.events[8:15]] == [1] * 7


def test_final_response_matches_done_items() -> None:
    log = make_log()
    log.start()
    log.text_delta("Hi")
    log.finish(status="completed", now=5)

    final = log.events[-1]["response"]
    done = [e["item"] for e in log.events if e["type"] == "response.output_item.done"]
    assert final["output"] == done
    assert final["output"][0]["content"][0] == {
        "type": "output_text",
        "annotations": [],
        "logprobs": [],
        "text": "Hi",
    }
    assert final["completed_at"] == 5
    assert log.events[0]["response"]["output"] == []


def test_incomplete_marks_last_item() -> None:
    log = make_log()
    log.start()
    log.text_delta("Hi")
    log.finish(status="incomplete", now=5)

    final = log.events[-1]
    assert final["type"] == "response.incomplete"
    assert final["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    assert final["response"]["output"][-1]["status"] == "incomplete"
    assert final["response"]["completed_at"] is None


def test_failure_emits_nested_error_then_failed() -> None:
    log = make_log()
    log.start()
    log.text_delta("Hi")
    log.fail("broken", now=5)

    error, failed = log.events[-2:]
    assert error["error"] == {
        "type": "server_error",
        "code": "server_error",
        "message": "broken",
        "param": None,
    }
    assert failed["type"] == "response.failed"
    assert failed["response"]["error"] == {"code": "server_error", "message": "broken"}
    assert failed["response"]["usage"] is None


def test_obfuscation_only_when_asked() -> None:
    padded, plain = make_log(), make_log(stream=True, stream_options={"include_obfuscation": False})
    for log in (padded, plain):
        log.start()
        log.text_delta("Hi")

    assert "obfuscation" in padded.events[-1]
    assert "obfuscation" not in plain.events[-1]


def test_usage_totals() -> None:
    usage = Usage(input_tokens=3, cached_tokens=1, output_tokens=4, reasoning_tokens=2)

    assert usage.to_dict() == {
        "input_tokens": 3,
        "input_tokens_details": {"cached_tokens": 1, "cache_write_tokens": 0},
        "output_tokens": 4,
        "output_tokens_details": {"reasoning_tokens": 2},
        "total_tokens": 7,
    }


def test_sse_is_one_lf_chunk() -> None:
    chunk = sse({"type": "response.created", "sequence_number": 0, "text": "a\r\nb"})

    head, data, blank, end = chunk.decode().split("\n")
    assert head == "event: response.created"
    assert json.loads(data.removeprefix("data: "))["text"] == "a\r\nb"
    assert (blank, end) == ("", "")
