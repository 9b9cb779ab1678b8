"""Tool rounds against a mocked provider: calls run, outputs chained, limits, Stop, errors."""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from channels.db import database_sync_to_async

from conversations import services
from conversations.models import Turn, TurnStatus
from conversations.streaming import generation
from conversations.tools import registry
from conversations.tools.base import Tool
from tests.conversations.streaming.mockprovider import (
    answer_in_turn,
    answering,
    call_item,
    calling,
)
from tests.fakes.openai import CITED_MESSAGE, WEB_SEARCH_CALL

pytestmark = pytest.mark.django_db(transaction=True)

MULTIPLY = call_item(call_id="call_1", name="calculator", arguments='{"expression": "1234*5678"}')


@pytest.fixture
def tool_turn(conversation_factory):
    """A turn of a conversation with tools on (the calculator unless told otherwise)."""

    def create(*, tools=("calculator",), text="what is 1234*5678?"):
        conversation = conversation_factory(tools=list(tools))
        return services.turn_create(conversation=conversation, text=text)

    return create


async def run(turn: Turn) -> Turn:
    job = generation.generation_start(turn=turn)
    await job.task
    return await Turn.objects.aget(pk=turn.pk)


async def test_a_call_runs_and_its_output_is_chained_to_the_next_response(
    provider, published, tool_turn
):
    answer_in_turn(provider, calling("resp_1", MULTIPLY), answering("resp_2", "It is 7006652."))
    saved = await run(await database_sync_to_async(tool_turn)())
    assert provider.bodies[0]["tools"][0]["name"] == "calculator"
    second = provider.bodies[1]
    assert second["previous_response_id"] == "resp_1"
    assert second["input"] == [
        {"type": "function_call_output", "call_id": "call_1", "output": "1234*5678 = 7006652"}
    ]
    assert second["tools"] == provider.bodies[0]["tools"] and "tool_choice" not in second
    assert (saved.status, saved.output_text, saved.response_id) == (
        TurnStatus.COMPLETED,
        "It is 7006652.",
        "resp_2",
    )
    [call] = saved.tool_calls
    assert call == {
        "call_id": "call_1",
        "name": "calculator",
        "arguments": '{"expression": "1234*5678"}',
        "response_id": "resp_1",
        "output": "1234*5678 = 7006652",
        "ok": True,
    }
    assert (saved.input_tokens, saved.output_tokens) == (10, 14)  # both responses counted
    assert saved.provider_response_ids == ["resp_1", "resp_2"]


async def test_each_call_is_announced_running_then_done_before_the_turn_ends(
    provider, published, tool_turn
):
    answer_in_turn(provider, calling("resp_1", MULTIPLY), answering("resp_2", "Done."))
    await run(await database_sync_to_async(tool_turn)())
    frames = [m for m in published if m["type"] in ("turn.tool_call", "turn.finished")]
    assert [(f["type"], f.get("call", {}).get("ok")) for f in frames] == [
        ("turn.tool_call", None),
        ("turn.tool_call", True),
        ("turn.finished", None),
    ]
    assert frames[-1]["turn"]["tool_calls"][0]["output"] == "1234*5678 = 7006652"


async def test_text_before_a_call_is_kept_and_parted_from_the_answer(
    provider, published, tool_turn
):
    first = calling("resp_1", MULTIPLY)
    first.insert(1, {"type": "response.output_text.delta", "delta": "Let me compute."})
    first[-1]["response"]["output"].insert(
        0, {"type": "message", "content": [{"type": "output_text", "text": "Let me compute."}]}
    )
    answer_in_turn(provider, first, answering("resp_2", "It is 7006652."))
    saved = await run(await database_sync_to_async(tool_turn)())
    assert saved.output_text == "Let me compute.\n\nIt is 7006652."
    relayed = "".join(m["delta"] for m in published if m["type"] == "turn.delta")
    assert relayed == saved.output_text


async def test_errors_go_back_to_the_model_as_outputs(provider, published, tool_turn):
    calls = [
        call_item(call_id="c1", name="calculator", arguments="{not json"),
        call_item(call_id="c2", name="calculator", arguments='{"expression": "1/0"}'),
        call_item(call_id="c3", name="current_time", arguments="{}"),  # not turned on
        call_item(call_id="c4", name="calculator", arguments='{"expr": "1"}'),
    ]
    answer_in_turn(provider, calling("resp_1", *calls), answering("resp_2", "Sorry."))
    saved = await run(await database_sync_to_async(tool_turn)())
    outputs = {item["call_id"]: item["output"] for item in provider.bodies[1]["input"]}
    assert outputs["c1"].startswith("Error: the arguments are not valid JSON")
    assert outputs["c2"] == "Error: Division by zero."
    assert outputs["c3"] == "Error: there is no tool named 'current_time' in this conversation."
    assert outputs["c4"].startswith("Error: the arguments do not match the tool's schema")
    assert saved.status == TurnStatus.COMPLETED
    assert [call["ok"] for call in saved.tool_calls] == [False] * 4


async def test_after_the_last_round_the_model_must_answer(provider, published, tool_turn, settings):
    settings.CHAT_TOOL_ROUNDS = 2
    # A model that goes on calling, even when told to answer.
    answer_in_turn(provider, *(calling(f"resp_{n}", MULTIPLY) for n in (1, 2, 3)))
    saved = await run(await database_sync_to_async(tool_turn)())
    assert len(provider.bodies) == 3
    assert [body.get("tool_choice") for body in provider.bodies] == [None, None, "none"]
    assert saved.status == TurnStatus.COMPLETED
    assert len(saved.tool_calls) == 2


async def test_a_stateless_provider_gets_the_whole_input_back(
    provider, published, tool_turn, settings
):
    settings.OPENAI_STATELESS = True
    answer_in_turn(provider, calling("resp_1", MULTIPLY), answering("resp_2", "7006652"))
    await run(await database_sync_to_async(tool_turn)())
    second = provider.bodies[1]
    assert "previous_response_id" not in second
    assert second["input"] == [
        {"role": "user", "content": "what is 1234*5678?"},
        MULTIPLY,
        {"type": "function_call_output", "call_id": "call_1", "output": "1234*5678 = 7006652"},
    ]


@pytest.fixture
def slow_tool(monkeypatch):
    """A registered tool that takes a second; the event is set once it runs."""
    started = threading.Event()

    def run_slowly(context, **kwargs):
        started.set()
        time.sleep(1.0)
        return "late"

    tool = Tool(name="slow", description="Slow.", parameters={"type": "object"}, run=run_slowly)
    monkeypatch.setitem(registry._tools, "slow", tool)
    return started


async def test_stop_while_a_tool_runs_cancels_the_turn(provider, published, tool_turn, slow_tool):
    call = call_item(call_id="c1", name="slow", arguments="{}")
    answer_in_turn(provider, calling("resp_1", call), answering("resp_2", "never"))
    turn = await database_sync_to_async(tool_turn)(tools=["slow"])
    generation.generation_start(turn=turn)
    assert await asyncio.to_thread(slow_tool.wait, 10)
    assert await generation.generation_stop(conversation_id=turn.conversation_id)
    saved = await Turn.objects.aget(pk=turn.pk)
    assert saved.status == TurnStatus.CANCELLED
    assert len(provider.bodies) == 1  # the loop went no further
    [call] = saved.tool_calls
    assert (call["ok"], call["output"]) == (False, "Not run to the end: the turn ended first.")


async def test_a_slow_tool_is_cut_off_and_the_model_told(
    provider, published, tool_turn, slow_tool, settings
):
    settings.CHAT_TOOL_TIMEOUT_SECONDS = 0.05
    call = call_item(call_id="c1", name="slow", arguments="{}")
    answer_in_turn(provider, calling("resp_1", call), answering("resp_2", "Too slow."))
    saved = await run(await database_sync_to_async(tool_turn)(tools=["slow"]))
    assert provider.bodies[1]["input"][0]["output"] == "Error: slow did not finish within 0.05 s."
    assert saved.status == TurnStatus.COMPLETED


async def test_deleting_the_conversation_queues_every_round_s_response(
    provider, published, tool_turn
):
    from conversations.models import ProviderDeletion

    answer_in_turn(provider, calling("resp_1", MULTIPLY), answering("resp_2", "7006652"))
    saved = await run(await database_sync_to_async(tool_turn)())
    conversation = await database_sync_to_async(lambda: saved.conversation)()
    await database_sync_to_async(services.conversation_delete)(conversation=conversation)
    queued = {d.response_id async for d in ProviderDeletion.objects.all()}
    assert queued == {"resp_1", "resp_2"}


def test_tool_definitions_carry_the_registered_schema():
    [definition] = registry.tool_definitions(names=["calculator", "no-such-tool"])
    assert definition["type"] == "function" and definition["name"] == "calculator"
    assert json.dumps(definition["parameters"])  # plain JSON for the provider


async def test_hosted_tools_are_passed_through_and_their_items_recorded(
    provider, published, tool_turn
):
    done = {"status": "completed", "output": [WEB_SEARCH_CALL, CITED_MESSAGE], "usage": None}
    answer_in_turn(
        provider,
        [
            {"type": "response.created", "response": {"id": "resp_1"}},
            {"type": "response.output_item.done", "item": WEB_SEARCH_CALL},
            {"type": "response.output_text.delta", "delta": "Capybaras live 8 to 10 years."},
            {"type": "response.completed", "response": {"id": "resp_1", **done}},
        ],
    )
    saved = await run(await database_sync_to_async(tool_turn)(tools=["web_search"]))
    assert provider.bodies[0]["tools"] == [{"type": "web_search"}]
    assert provider.bodies[0]["include"] == ["web_search_call.action.sources"]
    assert len(provider.bodies) == 1  # the provider ran it: no round of ours
    [call] = saved.tool_calls
    assert (call["name"], call["links"]) == (
        "web_search",
        ["https://en.wikipedia.org/wiki/Capybara"],
    )
    assert saved.citations == [
        {"url": "https://en.wikipedia.org/wiki/Capybara", "title": "Capybara - Wikipedia"}
    ]
    frame = next(m for m in published if m["type"] == "turn.tool_call")
    assert frame["call"]["name"] == "web_search"


async def test_a_provider_that_refuses_a_hosted_tool_says_so_in_the_turn(
    provider_settings, conversation_factory
):
    conversation = await database_sync_to_async(conversation_factory)(tools=["web_search"])
    turn = await database_sync_to_async(services.turn_create)(conversation=conversation, text="hi")
    saved = await run(turn)
    assert saved.status == TurnStatus.FAILED and not saved.retryable
    assert saved.error.startswith("The provider rejected the request: ")
    assert saved.error.endswith(
        "This provider does not offer a tool turned on in this conversation's Settings "
        "(hosted tools need OpenAI): turn it off there."
    )
