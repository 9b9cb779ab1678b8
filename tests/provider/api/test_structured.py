"""Structured output and function tools through the openai SDK (scripted engine)."""

from __future__ import annotations

import json
from enum import StrEnum

import openai
import pytest
from openai import OpenAI
from pydantic import BaseModel

MODEL = "test-model"
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "unit": {"enum": ["c", "f"]}},
        "required": ["city", "unit"],
        "additionalProperties": False,
    },
    "strict": True,
}
TIME = {
    "type": "function",
    "name": "get_time",
    "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}},
}


class Weather(BaseModel):
    """A structured reply."""

    city: str
    degrees: float


def test_parse_with_a_pydantic_schema(client: OpenAI) -> None:
    parsed = client.responses.parse(model=MODEL, input="Paris", text_format=Weather)

    assert parsed.output_parsed == Weather(city="Paris", degrees=1.5)
    assert parsed.text.format.type == "json_schema"
    assert parsed.text.format.strict is True


class Color(StrEnum):
    """An enum: pydantic puts it in `$defs`."""

    RED = "red"
    BLUE = "blue"


class Point(BaseModel):
    """A model referenced twice: `$defs` and `$ref`s."""

    x: int
    y: int


class Line(BaseModel):
    """Two points and a color."""

    start: Point
    end: Point
    color: Color


class Node(BaseModel):
    """A recursive model: `$ref` cycles through a list and through an Optional."""

    name: str
    children: list[Node]
    next: Node | None


def test_parse_follows_refs_into_defs(client: OpenAI) -> None:
    parsed = client.responses.parse(model=MODEL, input="x", text_format=Line)

    assert parsed.output_parsed == Line(start=Point(x=1, y=1), end=Point(x=1, y=1), color="red")


def test_parse_of_a_recursive_model_ends_its_cycles(client: OpenAI) -> None:
    parsed = client.responses.parse(model=MODEL, input="root", text_format=Node)

    leaf = Node(name="root", children=[], next=None)
    assert parsed.output_parsed == Node(name="root", children=[], next=leaf)


def test_json_object_output_parses(client: OpenAI) -> None:
    response = client.responses.create(
        model=MODEL, input="give json", text={"format": {"type": "json_object"}}
    )

    assert json.loads(response.output_text) == {"reply": "You said: give json"}


def test_json_schema_streams_valid_json(client: OpenAI) -> None:
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    fmt = {"type": "json_schema", "name": "num", "schema": schema, "strict": True}

    with client.responses.stream(model=MODEL, input="x", text={"format": fmt}) as stream:
        final = stream.get_final_response()

    assert json.loads(final.output_text) == {"n": 1}


def test_json_schema_needs_a_name(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL, input="x", text={"format": {"type": "json_schema", "schema": {}}}
        )

    assert raised.value.body["param"] == "text.format.name"
    assert raised.value.body["code"] == "missing_required_parameter"


def test_bad_format_type_is_400(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", text={"format": {"type": "yaml"}})

    assert raised.value.body["param"] == "text.format.type"
    assert raised.value.body["code"] == "invalid_value"


def test_named_tool_choice_forces_a_valid_call(client: OpenAI) -> None:
    response = client.responses.create(
        model=MODEL,
        input="Oslo",
        tools=[TIME, WEATHER],
        tool_choice={"type": "function", "name": "get_weather"},
    )

    [call] = response.output
    assert call.type == "function_call"
    assert call.name == "get_weather"
    assert call.call_id.startswith("call_")
    assert call.id.startswith("fc_")
    assert json.loads(call.arguments) == {"city": "Oslo", "unit": "c"}
    assert [tool.strict for tool in response.tools] == [True, True]


def test_required_picks_among_tools(client: OpenAI) -> None:
    response = client.responses.create(
        model=MODEL, input="when", tools=[TIME, WEATHER], tool_choice="required"
    )

    assert [(item.type, item.name) for item in response.output] == [("function_call", "get_time")]
    assert json.loads(response.output[0].arguments) == {"zone": "when"}


def test_auto_replies_in_text_unless_the_engine_calls(client: OpenAI) -> None:
    text = client.responses.create(model=MODEL, input="hello", tools=[WEATHER])
    called = client.responses.create(model=MODEL, input="Rome [call]", tools=[WEATHER])
    none = client.responses.create(
        model=MODEL, input="Rome [call]", tools=[WEATHER], tool_choice="none"
    )

    assert text.output_text == "You said: hello"
    assert called.output[0].type == "function_call"
    assert none.output[0].type == "message"


def test_function_call_stream_events(client: OpenAI) -> None:
    with client.responses.stream(
        model=MODEL, input="Oslo city", tools=[WEATHER], tool_choice="required"
    ) as stream:
        events = list(stream)
        final = stream.get_final_response()

    types = [event.type for event in events]
    assert types[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert types[-3:] == [
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    deltas = [e.delta for e in events if e.type == "response.function_call_arguments.delta"]
    done = next(e for e in events if e.type == "response.function_call_arguments.done")
    assert "".join(deltas) == done.arguments == final.output[0].arguments
    assert events[2].item.status == "in_progress"
    assert events[2].item.arguments == ""
    assert final.output[0].status == "completed"


def test_function_call_output_continues_the_chain(client: OpenAI) -> None:
    first = client.responses.create(
        model=MODEL, input="Oslo", tools=[WEATHER], tool_choice="required"
    )
    call = first.output[0]

    second = client.responses.create(
        model=MODEL,
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny"}],
        tools=[WEATHER],
    )

    assert second.output_text == f"You said: Result of {call.call_id}: sunny"
    items = client.responses.input_items.list(second.id, order="asc")
    assert [item.type for item in items] == ["message", "function_call", "function_call_output"]


def allowed(mode: str, *names: str) -> dict:
    """An allowed_tools tool_choice over these function names."""
    tools = [{"type": "function", "name": name} for name in names]
    return {"type": "allowed_tools", "mode": mode, "tools": tools}


def test_allowed_tools_limit_the_calls_to_their_subset(client: OpenAI) -> None:
    tools = [TIME, WEATHER]
    required = client.responses.create(
        model=MODEL, input="Oslo", tools=tools, tool_choice=allowed("required", "get_weather")
    )
    auto_called = client.responses.create(
        model=MODEL, input="Oslo [call]", tools=tools, tool_choice=allowed("auto", "get_weather")
    )
    auto_text = client.responses.create(
        model=MODEL, input="Oslo", tools=tools, tool_choice=allowed("auto", "get_weather")
    )

    assert [(item.type, item.name) for item in required.output] == [
        ("function_call", "get_weather")
    ]
    assert [(item.type, item.name) for item in auto_called.output] == [
        ("function_call", "get_weather")
    ]
    assert auto_text.output_text == "You said: Oslo"
    assert required.tool_choice.type == "allowed_tools"


@pytest.mark.parametrize(
    ("choice", "param"),
    [
        ({**allowed("auto", "get_time"), "mode": "sometimes"}, "tool_choice.mode"),
        (allowed("required", "nope"), "tool_choice"),
        ({"type": "allowed_tools", "mode": "auto", "tools": []}, "tool_choice.tools"),
        (
            {"type": "allowed_tools", "tools": [{"type": "function", "name": "get_time"}]},
            "tool_choice.mode",
        ),
        (
            {"type": "allowed_tools", "mode": "auto", "tools": [{"type": "function"}]},
            "tool_choice.tools[0].name",
        ),
    ],
)
def test_bad_allowed_tools_are_400(client: OpenAI, choice: dict, param: str) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", tools=[TIME], tool_choice=choice)

    assert raised.value.body["param"] == param


def test_unknown_named_tool_is_400(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL,
            input="x",
            tools=[WEATHER],
            tool_choice={"type": "function", "name": "nope"},
        )

    assert raised.value.body["param"] == "tool_choice"


def test_required_without_tools_is_400(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", tool_choice="required")

    assert raised.value.body["param"] == "tool_choice"


def test_hosted_tool_is_400(client: OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", tools=[{"type": "web_search"}])

    assert raised.value.body["param"] == "tools[0].type"


def test_image_input_is_accepted_and_described(client: OpenAI) -> None:
    image = {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo="}
    response = client.responses.create(
        model=MODEL,
        input=[{"role": "user", "content": [{"type": "input_text", "text": "what?"}, image]}],
    )

    assert response.output_text.startswith("You said: what?\n[An image is attached here")
    items = client.responses.input_items.list(response.id)
    assert items.data[0].content[1].detail == "auto"


def test_remote_image_url_is_400(client: OpenAI) -> None:
    image = {"type": "input_image", "image_url": "https://example.com/cat.png"}
    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input=[{"role": "user", "content": [image]}])

    assert raised.value.body["code"] == "invalid_image_url"
    assert raised.value.body["param"] == "input[0].content[0].image_url"


@pytest.mark.parametrize(
    ("name", "code"),
    [("get weather", "invalid_value"), ("f" * 65, "string_above_max_length")],
)
def test_bad_tool_names_are_400(client: OpenAI, name: str, code: str) -> None:
    tool = {**WEATHER, "name": name}

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", tools=[tool])

    assert (raised.value.body["param"], raised.value.body["code"]) == ("tools[0].name", code)


def test_a_schema_the_engine_refuses_is_400_before_any_response(client: OpenAI) -> None:
    fmt = {"type": "json_schema", "name": "tree", "schema": {"$ref": "#"}}

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="x", text={"format": fmt})

    assert raised.value.body["param"] == "text.format.schema"
    assert raised.value.body["code"] == "invalid_json_schema"
    assert raised.value.body["message"] == (
        "Invalid schema for response_format 'tree': JSON schema error at #: unsupported $ref #, "
        "only references into the same document are supported"
    )


def test_a_forced_call_with_refused_parameters_is_400(client: OpenAI) -> None:
    node = {"type": "object", "properties": {"next": {"$ref": "#"}}}
    tool = {"type": "function", "name": "walk", "parameters": node}

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(
            model=MODEL, input="x", tools=[TIME, tool], tool_choice="required", stream=True
        )

    assert raised.value.body["param"] == "tools[1].parameters"
    assert raised.value.body["message"].startswith(
        "Invalid schema for function 'walk': JSON schema error at #/properties/next"
    )


def test_auto_calls_the_tool_the_input_names(client: OpenAI) -> None:
    response = client.responses.create(
        model=MODEL, input="get_weather for Oslo please", tools=[TIME, WEATHER]
    )

    assert [(item.type, item.name) for item in response.output] == [
        ("function_call", "get_weather")
    ]


def test_parallel_calls_when_the_input_names_several(client: OpenAI) -> None:
    tools = [TIME, WEATHER]
    both = client.responses.create(model=MODEL, input="get_weather and get_time", tools=tools)
    one = client.responses.create(
        model=MODEL, input="get_weather and get_time", tools=tools, parallel_tool_calls=False
    )

    assert [item.name for item in both.output] == ["get_time", "get_weather"]
    assert len({item.call_id for item in both.output}) == 2
    assert [item.name for item in one.output] == ["get_time"]


def test_parallel_call_stream_events_nest_per_item(client: OpenAI) -> None:
    with client.responses.stream(
        model=MODEL, input="get_weather and get_time", tools=[TIME, WEATHER]
    ) as stream:
        events = list(stream)
        final = stream.get_final_response()

    kinds = [e.type for e in events if e.type != "response.function_call_arguments.delta"]
    per_call = [
        "response.output_item.added",
        "response.function_call_arguments.done",
        "response.output_item.done",
    ]
    assert kinds == ["response.created", "response.in_progress", *per_call, *per_call,
                     "response.completed"]  # fmt: skip
    added = [e for e in events if e.type == "response.output_item.added"]
    assert [(e.output_index, e.item.type, e.item.name) for e in added] == [
        (0, "function_call", "get_time"),
        (1, "function_call", "get_weather"),
    ]
    for index, call in enumerate(final.output):
        deltas = [
            e.delta
            for e in events
            if e.type == "response.function_call_arguments.delta" and e.output_index == index
        ]
        assert "".join(deltas) == call.arguments
