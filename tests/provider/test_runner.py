"""The run of one response, in process: what its subscribers see and when."""

from __future__ import annotations

import asyncio

import pytest

from provider import runner, store
from provider.params import parse_create

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
