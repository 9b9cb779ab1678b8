"""The single-process channel layer: the stock in-memory layer with a rate-limited sweep."""

from __future__ import annotations

import asyncio

import pytest

from chatsite import layers
from chatsite.layers import LocalChannelLayer


async def test_group_send_reaches_every_member_in_order():
    layer = LocalChannelLayer()
    channels = [await layer.new_channel() for _ in range(3)]
    for channel in channels:
        await layer.group_add("chat", channel)
    for n in range(2):
        await layer.group_send("chat", {"type": "m", "n": n})
    for channel in channels:
        assert [(await layer.receive(channel))["n"] for _ in range(2)] == [0, 1]


async def test_a_full_channel_does_not_stop_the_others():
    layer = LocalChannelLayer(capacity=1)
    full, other = await layer.new_channel(), await layer.new_channel()
    await layer.group_add("chat", full)
    await layer.group_add("chat", other)
    await layer.send(full, {"type": "m", "n": 0})
    await layer.group_send("chat", {"type": "m", "n": 1})
    assert (await layer.receive(other))["n"] == 1
    assert (await layer.receive(full))["n"] == 0


async def test_receivers_get_their_own_copy():
    layer = LocalChannelLayer()
    first, second = await layer.new_channel(), await layer.new_channel()
    for channel in (first, second):
        await layer.group_add("chat", channel)
    await layer.group_send("chat", {"type": "m", "items": []})
    (await layer.receive(first))["items"].append("changed")
    assert (await layer.receive(second))["items"] == []


@pytest.mark.parametrize(("sweep_seconds", "swept"), [(0, True), (3600, False)])
async def test_expired_messages_go_at_the_next_sweep(monkeypatch, sweep_seconds, swept):
    layer = LocalChannelLayer(expiry=0)
    channel = await layer.new_channel()
    await layer.group_add("chat", channel)
    layer._clean_expired()  # the first call always sweeps; the interval counts from here
    monkeypatch.setattr(layers, "SWEEP_SECONDS", sweep_seconds)
    await layer.group_send("chat", {"type": "m"})
    await asyncio.sleep(0.01)
    layer._clean_expired()
    assert (channel not in layer.groups.get("chat", {})) is swept


def test_a_message_copy_is_deep_and_equal():
    message = {"type": "m", "turn": {"usage": {"n": 1}, "items": [[1], {"a": "b"}]}, "t": (1, [2])}
    copied = layers.message_copy(message)
    assert copied == message
    assert copied["turn"]["usage"] is not message["turn"]["usage"]
    assert copied["turn"]["items"][0] is not message["turn"]["items"][0]
    assert copied["t"][1] is not message["t"][1]
