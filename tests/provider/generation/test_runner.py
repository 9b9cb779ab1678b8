"""The run of one response, in process: what its subscribers see and when."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from django.utils import timezone

from provider import store
from provider.api.params import parse_create
from provider.generation import runner
from provider.models import StoredResponse
from provider.protocol import ResponseState

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_terminal_event_waits_until_the_response_is_stored(monkeypatch):
    # A client chains on `response.completed` at once: by then the response must be found.
    saving, release = asyncio.Event(), asyncio.Event()
    real_save = store.response_save_end

    async def slow_save(**fields):
        saving.set()
        await release.wait()
        await real_save(**fields)

    monkeypatch.setattr(store, "response_save_end", slow_save)
    params = parse_create({"model": "m", "input": "hi", "stream": True})
    items = await store.context_items(
        previous_response_id=None, new_items=params.input_items, prior=[]
    )
    run = runner.run_start(params, items=items)
    seen: list[str] = []

    async def follow() -> None:
        async for event in run.subscribe():
            seen.append(event["type"])

    follower = asyncio.create_task(follow())
    await saving.wait()
    await asyncio.sleep(0.05)
    assert run.log.events[-1]["type"] == "response.completed"
    assert "response.completed" not in seen
    release.set()
    await follower
    assert seen[-1] == "response.completed"
    assert (await store.response_body(run.state.id))["status"] == "completed"


async def test_a_running_response_renews_its_heartbeat(monkeypatch):
    monkeypatch.setattr(runner, "HEARTBEAT_SECONDS", 0.05)
    params = parse_create({"model": "m", "input": "slow [delay=50] [tokens=10]", "stream": True})
    run = runner.run_start(params, items=params.input_items)
    await asyncio.sleep(0.1)
    first = await _heartbeat_at(run.state.id)

    await asyncio.sleep(0.2)

    assert await _heartbeat_at(run.state.id) > first
    run.request_cancel()
    await run.finished.wait()


async def _heartbeat_at(response_id: str):
    """The stored heartbeat of a response."""
    row = await StoredResponse.objects.aget(pk=response_id)
    return row.heartbeat_at


async def test_a_running_response_whose_heartbeat_stopped_reads_as_failed():
    params = parse_create({"model": "m", "input": "lost", "background": True})
    body = ResponseState(params=params, created_at=0, status="in_progress").to_dict()
    await store.response_save_start(body=body, items=params.input_items)
    silent = timezone.now() - timedelta(seconds=store.HEARTBEAT_STALE_SECONDS + 1)
    await StoredResponse.objects.filter(pk=body["id"]).aupdate(heartbeat_at=silent)

    read = await store.response_body(body["id"])
    events = await store.response_events(body["id"], after=-1)

    assert (read["status"], read["error"]["message"]) == ("failed", store.LOST)
    assert [event["type"] for event in events] == ["response.created", "error", "response.failed"]
    assert [event["sequence_number"] for event in events] == [0, 1, 2]
    assert len(await store.response_events(body["id"], after=-1)) == 3  # settled once


async def test_a_running_response_with_a_live_heartbeat_stays_running():
    params = parse_create({"model": "m", "input": "alive", "background": True})
    body = ResponseState(params=params, created_at=0, status="in_progress").to_dict()
    await store.response_save_start(body=body, items=params.input_items)

    assert (await store.response_body(body["id"]))["status"] == "in_progress"
