"""The relay: immediate sends while the process keeps up, coalescing under load, seq order."""

from __future__ import annotations

import asyncio

import pytest

from conversations import services
from conversations.streaming import pacing, relay


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sent(monkeypatch) -> list[dict]:
    """The frames the relay publishes, in order."""
    frames: list[dict] = []

    async def publish(*, conversation_id, message, first=False):
        frames.append(message)

    monkeypatch.setattr(services, "turn_publish", publish)
    return frames


@pytest.fixture
def pacer() -> pacing.Pacer:
    return pacing.Pacer(sampling=False)


def relay_new(pacer: pacing.Pacer, clock: FakeClock) -> relay.Relay:
    return relay.Relay(conversation_id=None, turn_id=1, pacer=pacer, clock=clock)


def frames_of(sent: list[dict]) -> list[tuple[int, str, str]]:
    return [(m["seq"], m["kind"], m["delta"]) for m in sent]


async def test_an_idle_process_sends_every_delta_as_it_arrives(sent, pacer):
    r = relay_new(pacer, FakeClock())
    for text in ["a", "b", "c"]:
        await r.add(kind="text", text=text)
        # Sent before add returns: no timer, no window.
        assert sent[-1]["delta"] == text
    assert frames_of(sent) == [(1, "text", "a"), (2, "text", "b"), (3, "text", "c")]
    assert pacer.frames == 3


async def test_under_load_deltas_of_one_window_share_a_frame(sent, pacer):
    pacer.window = 3600  # capped at COALESCE_SECONDS; longer than the test either way
    r = relay_new(pacer, FakeClock())
    for kind, text in [("reasoning", "a"), ("reasoning", "b"), ("text", "c"), ("text", "d")]:
        await r.add(kind=kind, text=text)
    await r.close()
    # The first delta goes out at once; the rest of the window waits, split where kinds change.
    assert frames_of(sent) == [(1, "reasoning", "a"), (2, "reasoning", "b"), (3, "text", "cd")]


async def test_under_load_a_delta_after_a_quiet_window_goes_at_once(sent, pacer):
    pacer.window = 0.05
    clock = FakeClock()
    r = relay_new(pacer, clock)
    await r.add(kind="text", text="a")
    clock.now += 0.06
    await r.add(kind="text", text="b")
    assert frames_of(sent) == [(1, "text", "a"), (2, "text", "b")]


async def test_under_load_the_window_end_flushes_without_another_delta(sent, pacer):
    pacer.window = 0.02
    r = relay.Relay(conversation_id=None, turn_id=1, pacer=pacer)
    await r.add(kind="text", text="a")
    await r.add(kind="text", text="b")
    assert frames_of(sent) == [(1, "text", "a")]
    await asyncio.sleep(0.1)
    assert frames_of(sent) == [(1, "text", "a"), (2, "text", "b")]


async def test_the_relay_follows_the_pacer_from_immediate_to_coalesced_and_back(sent, pacer):
    clock = FakeClock()
    r = relay_new(pacer, clock)
    await r.add(kind="text", text="a")
    for _ in range(10):  # the loop falls behind
        pacer.observe(lag=0.05, frames_per_second=0)
    await r.add(kind="text", text="b")  # within the new window after "a": held
    assert frames_of(sent) == [(1, "text", "a")]
    for _ in range(100):  # the loop keeps up again
        pacer.observe(lag=0.0, frames_per_second=10)
    assert pacer.window == 0
    clock.now += 0.001
    await r.add(kind="text", text="c")  # the pending timer frame takes "c" along
    await r.close()
    await r.add(kind="text", text="d")
    assert frames_of(sent) == [(1, "text", "a"), (2, "text", "bc"), (3, "text", "d")]


async def test_abandon_drops_what_is_held(sent, pacer):
    pacer.window = 3600
    r = relay_new(pacer, FakeClock())
    await r.add(kind="text", text="a")
    await r.add(kind="text", text="b")
    r.abandon()
    await r.close()
    assert frames_of(sent) == [(1, "text", "a")]
    assert "".join(r.texts["text"]) == "ab"  # relayed as far as checkpoints go


async def test_empty_deltas_send_nothing(sent, pacer):
    r = relay_new(pacer, FakeClock())
    await r.add(kind="text", text="")
    await r.close()
    assert sent == []


async def test_the_relay_reports_how_long_a_frame_took_to_publish(monkeypatch, pacer):
    clock = FakeClock()
    reported = []
    monkeypatch.setattr(pacer, "frame_sent", lambda **kw: reported.append(kw["publish_seconds"]))

    async def slow_publish(*, conversation_id, message, first=False):
        clock.now += 0.03

    monkeypatch.setattr(services, "turn_publish", slow_publish)
    await relay_new(pacer, clock).add(kind="text", text="a")
    assert reported == [pytest.approx(0.03)]


async def test_a_job_stopped_mid_publish_loses_no_frame_and_keeps_the_order(monkeypatch, pacer):
    sent, blocked = [], asyncio.Event()

    async def publish(*, conversation_id, message, first=False):
        if message["seq"] == 1 and not blocked.is_set():
            blocked.set()
            await asyncio.Event().wait()  # through Redis a publish awaits the server
        sent.append(message)

    monkeypatch.setattr(services, "turn_publish", publish)
    r = relay_new(pacer, FakeClock())
    job = asyncio.create_task(r.add(kind="text", text="a"))
    await blocked.wait()
    job.cancel()  # the user pressed Stop while "a" was being published
    with pytest.raises(asyncio.CancelledError):
        await job
    await r.add(kind="text", text="b")  # the job's end flushes what came after
    await r.close()
    assert frames_of(sent) == [(1, "text", "a"), (2, "text", "b")]
