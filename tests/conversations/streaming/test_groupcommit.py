"""Group commit: items submitted while a trip to the database thread runs share the next one."""

from __future__ import annotations

import asyncio
import threading

import pytest

from conversations.streaming.groupcommit import GroupCommit

# Each trip goes through channels' database_sync_to_async, which tidies the DB connection.
pytestmark = pytest.mark.django_db(transaction=True)


def recording(calls: list[list[int]], release: threading.Event | None = None):
    def handle(items: list[int]) -> list[int | Exception]:
        if release is not None:
            release.wait(5)
        calls.append(items)
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]

    return handle


async def test_items_queued_during_a_trip_share_the_next_one():
    calls: list[list[int]] = []
    release = threading.Event()
    commit = GroupCommit(recording(calls, release))
    first = asyncio.create_task(commit.submit(0))
    await asyncio.sleep(0.05)  # the first trip is running (held by `release`)
    rest = [asyncio.create_task(commit.submit(n)) for n in (2, 4, 6)]
    await asyncio.sleep(0.05)
    release.set()
    assert await first == 0
    assert await asyncio.gather(*rest) == [20, 40, 60]
    assert calls == [[0], [2, 4, 6]]


async def test_an_exception_result_goes_to_its_submitter_only():
    commit = GroupCommit(recording([]))
    results = await asyncio.gather(
        commit.submit(2), commit.submit(3), commit.submit(4), return_exceptions=True
    )
    assert results[0] == 20 and results[2] == 40
    assert isinstance(results[1], ValueError)


async def test_a_failed_trip_fails_every_item_in_it_and_the_batcher_goes_on():
    def handle(items: list[int]) -> list[int]:
        if 13 in items:
            raise RuntimeError("database down")
        return items

    commit = GroupCommit(handle)
    with pytest.raises(RuntimeError, match="database down"):
        await commit.submit(13)
    assert await commit.submit(1) == 1


async def test_a_submitter_that_stops_waiting_leaves_the_others_served():
    release = threading.Event()
    commit = GroupCommit(recording([], release))
    gone = asyncio.create_task(commit.submit(2))
    kept = asyncio.create_task(commit.submit(4))
    await asyncio.sleep(0.05)
    gone.cancel()
    release.set()
    assert await kept == 40
