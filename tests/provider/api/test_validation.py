"""Every validation rule of POST /v1/responses answers OpenAI's exact 400 body (spec §3.4)."""

from __future__ import annotations

import httpx
import openai
import pytest
from openai import OpenAI

MODEL = "test-model"
LONG_KEY = "k" * 70

# (extra body fields, param, code, message)
CASES = [
    (
        {"metadata": {f"k{n}": "v" for n in range(17)}},
        "metadata",
        "object_above_max_properties",
        "Invalid 'metadata': too many properties. Expected an object with at most 16 "
        "properties, but got an object with 17 properties instead.",
    ),
    (
        {"metadata": {LONG_KEY: "v"}},
        f"metadata.{LONG_KEY}",
        "property_name_above_max_length",
        f"Invalid property name in 'metadata': '{LONG_KEY}' is too long. Expected a string "
        "with maximum length 64, but got a string with length 70 instead.",
    ),
    (
        {"metadata": {"a": "v" * 600}},
        "metadata.a",
        "string_above_max_length",
        "Invalid 'metadata.a': string too long. Expected a string with maximum length 512, "
        "but got a string with length 600 instead.",
    ),
    (
        {"metadata": {"a": 5}},
        "metadata.a",
        "invalid_type",
        "Invalid type for 'metadata.a': expected a string, but got an integer instead.",
    ),
    (
        {"bogus": 1},
        "bogus",
        "unknown_parameter",
        "Unknown parameter: 'bogus'.",
    ),
    (
        {"max_output_tokens": 15},
        "max_output_tokens",
        "integer_below_min_value",
        "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, "
        "but got 15 instead.",
    ),
    (
        {"temperature": 2.5},
        "temperature",
        "decimal_above_max_value",
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, "
        "but got 2.5 instead.",
    ),
    (
        {"top_p": -0.5},
        "top_p",
        "decimal_below_min_value",
        "Invalid 'top_p': decimal below minimum value. Expected a value >= 0, "
        "but got -0.5 instead.",
    ),
    (
        {"top_logprobs": 21},
        "top_logprobs",
        "integer_above_max_value",
        "Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, "
        "but got 21 instead.",
    ),
    (
        {"safety_identifier": "s" * 65},
        "safety_identifier",
        "string_above_max_length",
        "Invalid 'safety_identifier': string too long. Expected a string with maximum length "
        "64, but got a string with length 65 instead.",
    ),
    (
        {"reasoning": {"effort": "bogus"}},
        "reasoning.effort",
        "invalid_value",
        "Invalid value: 'bogus'. Supported values are: 'none', 'minimal', 'low', 'medium', "
        "'high', and 'xhigh'.",
    ),
    (
        {"truncation": "bogus"},
        "truncation",
        "invalid_value",
        "Invalid value: 'bogus'. Supported values are: 'auto', and 'disabled'.",
    ),
    (
        {"service_tier": "bogus"},
        "service_tier",
        "invalid_value",
        "Invalid value: 'bogus'. Supported values are: 'auto', 'default', 'flex', 'scale', "
        "'priority', 'fast', and 'ultrafast'.",
    ),
    (
        {"text": {"verbosity": "loud"}},
        "text.verbosity",
        "invalid_value",
        "Invalid value: 'loud'. Supported values are: 'low', 'medium', and 'high'.",
    ),
    (
        {"stream": "yes"},
        "stream",
        "invalid_type",
        "Invalid type for 'stream': expected a boolean, but got a string instead.",
    ),
    (
        {"previous_response_id": "resp_unknown"},
        "previous_response_id",
        "previous_response_not_found",
        "Previous response with id 'resp_unknown' not found.",
    ),
    (
        {"stream_options": {"include_obfuscation": False}},
        "stream_options",
        "invalid_value",
        "Invalid value for 'stream_options': stream_options is only allowed when 'stream' is true.",
    ),
    (
        {"conversation": "conv_a", "previous_response_id": "resp_a"},
        "conversation",
        "mutually_exclusive_parameters",
        "Mutually exclusive parameters: Ensure you are only providing one of: "
        "'previous_response_id' or 'conversation'.",
    ),
]


@pytest.mark.parametrize(("extra", "param", "code", "message"), CASES)
def test_invalid_body_is_400_with_exact_error(
    http: httpx.Client, extra: dict, param: str, code: str, message: str
) -> None:
    reply = http.post("/responses", json={"model": MODEL, "input": "x", **extra})

    assert reply.status_code == 400
    assert reply.json() == {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "param": param,
            "code": code,
        }
    }


@pytest.mark.parametrize(
    ("extra", "param", "code"),
    [
        ({"input": [{"type": "bogus"}]}, "input[0].type", "invalid_value"),
        (
            {"input": [{"role": "user", "content": [{"type": "bogus", "text": "x"}]}]},
            "input[0].content[0].type",
            "invalid_value",
        ),
        (
            {"input": [{"type": "function_call_output", "output": "42"}]},
            "input[0].call_id",
            "missing_required_parameter",
        ),
        (
            {"input": [{"type": "function_call_output", "call_id": "c" * 65, "output": "42"}]},
            "input[0].call_id",
            "string_above_max_length",
        ),
        ({"reasoning": {"effort": "low", "foo": 1}}, "reasoning.foo", "unknown_parameter"),
        (
            {"input": [{"role": "user", "content": [{"type": "input_text"}]}]},
            "input[0].content[0].text",
            "missing_required_parameter",
        ),
        (
            {"input": [{"role": "user", "content": [{"type": "input_text", "text": 5}]}]},
            "input[0].content[0].text",
            "invalid_type",
        ),
        (
            {"input": [{"type": "function_call", "call_id": "c1", "name": "f"}]},
            "input[0].arguments",
            "missing_required_parameter",
        ),
        (
            {"input": [{"type": "function_call_output", "call_id": "c1"}]},
            "input[0].output",
            "missing_required_parameter",
        ),
    ],
)
def test_invalid_items_and_nested_fields_are_400(
    http: httpx.Client, extra: dict, param: str, code: str
) -> None:
    reply = http.post("/responses", json={"model": MODEL, "input": "x", **extra})

    assert reply.status_code == 400
    assert (reply.json()["error"]["param"], reply.json()["error"]["code"]) == (param, code)


def test_include_of_a_query_string_is_checked(client: OpenAI, http: httpx.Client) -> None:
    created = client.responses.create(model=MODEL, input="x")

    for path in (f"/responses/{created.id}", f"/responses/{created.id}/input_items"):
        reply = http.get(path, params={"include[]": "bogus"})
        assert reply.status_code == 400
        assert reply.json()["error"]["param"] == "include[0]"


@pytest.mark.parametrize("missing", ["model", "input"])
def test_missing_required_parameter(http: httpx.Client, missing: str) -> None:
    body = {"model": MODEL, "input": "x"}
    del body[missing]

    error = http.post("/responses", json=body).json()["error"]

    assert error == {
        "message": f"Missing required parameter: '{missing}'.",
        "type": "invalid_request_error",
        "param": missing,
        "code": "missing_required_parameter",
    }


def test_include_values_are_checked(client: OpenAI) -> None:
    ok = client.responses.create(model=MODEL, input="x", include=["reasoning.encrypted_content"])
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", include=["bogus"])

    assert ok.status == "completed"
    assert raised.value.body["param"] == "include[0]"
    assert raised.value.body["code"] == "invalid_value"


def test_sdk_raises_bad_request_with_the_body(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", max_output_tokens=8)

    assert raised.value.status_code == 400
    assert raised.value.body["param"] == "max_output_tokens"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"model": "m", "input": "x", "temperature": NaN}',
        b'{"model": "m", "input": "x", "top_p": -Infinity}',
        b'{"model": "m", "input": "\\ud800 lone surrogate", "stream": true}',
        b'{"model": "m", "input": "x", "metadata": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    ],
    ids=["syntax", "nan", "infinity", "lone-surrogate", "nested-too-deep"],
)
def test_invalid_json_body_is_400(http: httpx.Client, body: bytes) -> None:
    reply = http.post("/responses", content=body, headers={"Content-Type": "application/json"})

    assert reply.status_code == 400
    assert reply.json()["error"]["type"] == "invalid_request_error"
    assert reply.json()["error"]["message"].startswith("We could not parse the JSON body")


def test_paired_surrogate_escapes_are_text(client: OpenAI, http: httpx.Client) -> None:
    body = b'{"model": "m", "input": "\\ud83d\\ude00 smile"}'
    reply = http.post("/responses", content=body, headers={"Content-Type": "application/json"})

    assert reply.json()["output"][0]["content"][0]["text"] == "You said: \U0001f600 smile"


def test_body_above_the_old_form_limit_is_taken(client: OpenAI) -> None:
    words = "word " * 600_000  # 3 MB: Django's default limit for a body read whole is 2.5 MB

    counted = client.responses.input_tokens.count(model=MODEL, input=words)

    assert counted.input_tokens == 600_000


def test_body_above_the_limit_is_413_json(http: httpx.Client, settings) -> None:
    body = b'{"model": "m", "input": "' + b"x" * (64 * 2**20) + b'"}'

    reply = http.post("/responses", content=body, headers={"Content-Type": "application/json"})

    assert reply.status_code == 413
    # Refused from its Content-Length before Django reads it (chatsite.middleware).
    assert reply.json()["error"]["message"] == (
        "The request body is larger than the 64 MiB this address accepts."
    )


def test_encrypted_reasoning_is_opaque_when_included(client: OpenAI) -> None:
    response = client.responses.create(
        model=MODEL,
        input="secret plan",
        reasoning={"effort": "low"},
        include=["reasoning.encrypted_content"],
    )

    reasoning = response.output[0]
    assert reasoning.type == "reasoning"
    assert reasoning.encrypted_content
    assert "secret" not in reasoning.encrypted_content
