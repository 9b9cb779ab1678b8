"""The complete /v1 API on the real local model (SmolLM2 through xllamacpp)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pytest
from openai import OpenAI
from pydantic import BaseModel, Field

from tests.live import LiveServer, live_server_start

pytestmark = pytest.mark.model

CITY = {
    "type": "object",
    "properties": {"city": {"type": "string", "maxLength": 20}, "rank": {"type": "integer"}},
    "required": ["city", "rank"],
    "additionalProperties": False,
}
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string", "maxLength": 20}, "unit": {"enum": ["c", "f"]}},
        "required": ["city", "unit"],
        "additionalProperties": False,
    },
    "strict": True,
}


class Flight(BaseModel):
    """A pattern with shorthands (\\d, \\w, \\s) that the engine's converter cannot read."""

    code: str = Field(pattern=r"^[A-Z]{2}\s?\d{3,4}$")
    gate: str = Field(pattern=r"^\w\d$")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenAI]:
    """The SDK against the app with PROVIDER_ENGINE=llama."""
    server: LiveServer = live_server_start(
        data_dir=tmp_path_factory.mktemp("llama-api"), engine="llama"
    )
    yield OpenAI(base_url=server.v1, api_key=server.api_key, max_retries=0)
    server.stop()


def test_json_schema_output_validates(client: OpenAI) -> None:
    fmt = {"type": "json_schema", "name": "city", "schema": CITY, "strict": True}

    response = client.responses.create(
        model="m", input="Name a big city.", text={"format": fmt}, max_output_tokens=64
    )

    value = json.loads(response.output_text)
    assert set(value) == {"city", "rank"}
    assert isinstance(value["city"], str)
    assert isinstance(value["rank"], int)


def test_parse_enforces_patterns_with_shorthands(client: OpenAI) -> None:
    parsed = client.responses.parse(
        model="m",
        input="Give an example flight.",
        text_format=Flight,
        max_output_tokens=48,
        temperature=0,
    )

    assert parsed.status == "completed"
    assert isinstance(parsed.output_parsed, Flight)


def test_json_object_output_parses(client: OpenAI) -> None:
    response = client.responses.create(
        model="m",
        input='What color is the sky? Answer as JSON like {"color": "..."}.',
        text={"format": {"type": "json_object"}},
        max_output_tokens=96,
        temperature=0,
    )

    assert response.status == "completed"
    assert isinstance(json.loads(response.output_text), dict)


def test_forced_call_has_schema_valid_arguments(client: OpenAI) -> None:
    with client.responses.stream(
        model="m",
        input="What is the weather in Paris?",
        tools=[WEATHER],
        tool_choice={"type": "function", "name": "get_weather"},
        max_output_tokens=64,
    ) as stream:
        final = stream.get_final_response()

    [call] = final.output
    arguments = json.loads(call.arguments)
    assert call.type == "function_call"
    assert set(arguments) == {"city", "unit"}
    assert arguments["unit"] in ("c", "f")


def test_auto_calls_a_tool_for_a_question_it_answers(client: OpenAI) -> None:
    # The choice pass is greedy, so these are the model's fixed decisions for these prompts.
    weather = client.responses.create(
        model="m", input="What's the weather like in Paris?", tools=[WEATHER], max_output_tokens=64
    )
    greeting = client.responses.create(
        model="m", input="Say hello in exactly 3 words.", tools=[WEATHER], max_output_tokens=32
    )

    assert [(item.type, item.name) for item in weather.output] == [("function_call", "get_weather")]
    assert [item.type for item in greeting.output] == ["message"]


def test_compaction_summary_continues_a_conversation(client: OpenAI) -> None:
    history = [
        {"role": "user", "content": "Remember the code word: slate."},
        {"role": "assistant", "content": "OK."},
    ]
    output = client.post(
        "/responses/compact", body={"model": "m", "input": history}, cast_to=object
    )["output"]

    response = client.responses.create(
        model="m", input=[*output, {"role": "user", "content": "Say OK."}], max_output_tokens=32
    )

    assert [item["type"] for item in output] == ["compaction"]
    assert response.status in ("completed", "incomplete")
    assert response.usage.input_tokens > 0


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"$ref": "#"}, "JSON schema error at #: unsupported $ref #"),
        ({"type": "object", "properties": {"a": {"type": "str"}}}, "unrecognized type str"),
        ({"type": "string", "pattern": "^(a$"}, "Invalid pattern ^(a$: unbalanced parentheses"),
    ],
    ids=["recursive-ref", "unknown-type", "bad-pattern"],
)
def test_a_schema_the_engine_cannot_compile_is_400(
    client: OpenAI, schema: dict, reason: str
) -> None:
    fmt = {"type": "json_schema", "name": "out", "schema": schema}

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model="m", input="x", text={"format": fmt}, max_output_tokens=16)

    error = raised.value.body
    assert error["param"] == "text.format.schema"
    assert error["message"].startswith("Invalid schema for response_format 'out': ")
    assert reason in error["message"]
    assert "Unable to generate parser" not in error["message"]


@pytest.mark.parametrize("reasoning", [None, {"effort": "low"}], ids=["plain", "planned"])
def test_input_tokens_match_usage(client: OpenAI, reasoning: dict | None) -> None:
    request = {"input": "Say hi.", "instructions": "Be brief.", "tools": [WEATHER]}
    if reasoning:
        request["reasoning"] = reasoning  # the plan is output, not input

    counted = client.responses.input_tokens.count(model="m", **request)
    response = client.responses.create(model="m", max_output_tokens=16, **request)

    assert counted.input_tokens == response.usage.input_tokens


def test_chained_turn_reuses_the_kv_prefix(client: OpenAI) -> None:
    first = client.responses.create(
        model="m", input="Tell me about the sea.", max_output_tokens=32, temperature=0
    )
    second = client.responses.create(
        model="m",
        input="And about rivers?",
        previous_response_id=first.id,
        max_output_tokens=32,
        temperature=0,
    )

    assert second.usage.input_tokens > first.usage.input_tokens
    assert second.usage.input_tokens_details.cached_tokens >= first.usage.input_tokens - 2


def test_image_input_is_answered(client: OpenAI) -> None:
    image = {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo="}
    response = client.responses.create(
        model="m",
        input=[
            {"role": "user", "content": [{"type": "input_text", "text": "What is this?"}, image]}
        ],
        max_output_tokens=32,
    )

    assert response.status in ("completed", "incomplete")
    assert response.output_text.strip()


def test_a_context_past_the_window_is_400_or_truncated(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    server = live_server_start(
        data_dir=tmp_path_factory.mktemp("llama-window"),
        engine="llama",
        PROVIDER_CONTEXT_TOKENS="1024",  # a small window keeps the prompts short
    )
    client = OpenAI(base_url=server.v1, api_key=server.api_key, max_retries=0)
    long_turn = "The quick brown fox jumps over the lazy dog. " * 60  # about 600 tokens
    try:
        first = client.responses.create(model="m", input=long_turn, max_output_tokens=16)
        with pytest.raises(openai.BadRequestError) as raised:
            client.responses.create(model="m", input=long_turn, previous_response_id=first.id)
        second = client.responses.create(
            model="m",
            input=long_turn + "Say hi.",
            previous_response_id=first.id,
            truncation="auto",
            max_output_tokens=16,
        )
    finally:
        server.stop()

    assert raised.value.code == "context_length_exceeded"
    assert (second.status, second.error) in (("completed", None), ("incomplete", None))
    assert 600 < second.usage.input_tokens <= 1024 - 16
