"""A socket dropped mid-stream and reconnected with ?after=<last seq>: no delta lost or repeated."""

from __future__ import annotations

import os
import random

import pytest
from channels.db import database_sync_to_async

from accounts.models import UserLimits
from conversations.models import Turn
from tests.conversations.streaming.sockets import connect

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.long, pytest.mark.timeout(1800)]
WAIT = 60
DROPS = int(os.environ.get("HARDENING_DROPS", "200"))


async def deltas_until(communicator, *, count: int | None) -> tuple[list[dict], dict | None]:
    """Text deltas until `count` of them (None: until turn.finished); and the finished turn."""
    deltas = []
    while count is None or len(deltas) < count:
        frame = await communicator.receive_json_from(timeout=WAIT)
        if frame["type"] == "turn.delta" and frame["kind"] == "text":
            deltas.append(frame)
        elif frame["type"] == "turn.finished":
            return deltas, frame["turn"]
    return deltas, None


async def test_reconnects_mid_stream_lose_and_repeat_nothing(
    provider_settings, conversation_factory, table
):
    conversation = await database_sync_to_async(conversation_factory)(reasoning_effort="none")
    await UserLimits.objects.acreate(user=conversation.owner, messages_per_minute=10_000)
    rng = random.Random(17)
    for n in range(DROPS):
        first = await connect(conversation.owner, conversation.pk)
        await first.send_json_to({"type": "message.send", "text": f"[delay=3] [tokens=40] go {n}"})
        before, ended = await deltas_until(first, count=rng.randint(1, 30))
        await first.disconnect()  # dropped mid-stream
        after = before[-1]["seq"]
        second = await connect(conversation.owner, conversation.pk, after=after)
        rest, ended = await deltas_until(second, count=None)
        await second.disconnect()
        seqs = [frame["seq"] for frame in before + rest]
        stored = await Turn.objects.aget(pk=ended["id"])
        text = "".join(frame["delta"] for frame in before + rest)
        ok = seqs == list(range(1, len(seqs) + 1)) and text == stored.output_text != ""
        table.record("Websocket dropped mid-stream, reconnected", ok, f"turn {n}: seqs {seqs}")
    row = table.row("Websocket dropped mid-stream, reconnected")
    assert row.passed == row.tried == DROPS, row.failures
