"""The stream log, in memory and in a real Redis (Streams with a TTL)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from conversations import streamlog
from tests.multiprocess.redis_server import redis_server


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with redis_server(tmp_path_factory.mktemp("redis-streamlog")) as url:
        yield url


@pytest.fixture(params=["memory", "redis"])
def backend(request, settings) -> str:
    settings.REDIS_URL = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    settings.STREAM_LOG_TTL_SECONDS = 60
    return request.param


def delta(seq: int, text: str = "x") -> dict:
    return {"type": "turn.delta", "turn_id": 1, "seq": seq, "kind": "text", "delta": text}


async def test_append_then_read_in_order(backend):
    conversation_id = uuid.uuid4()
    frames = [{"type": "turn.created", "turn": {"id": 1}}, delta(1, "a"), delta(2, "b")]
    for frame in frames:
        await streamlog.log_append(conversation_id=conversation_id, message=frame)
    assert await streamlog.log_read(conversation_id=conversation_id) == frames


async def test_reset_starts_a_new_turn(backend):
    conversation_id = uuid.uuid4()
    await streamlog.log_append(conversation_id=conversation_id, message=delta(1))
    await streamlog.log_reset(conversation_id=conversation_id)
    assert await streamlog.log_read(conversation_id=conversation_id) == []


async def test_unknown_conversation_reads_empty(backend):
    assert await streamlog.log_read(conversation_id=uuid.uuid4()) == []


async def test_redis_log_expires(settings, redis_url):
    settings.REDIS_URL, settings.STREAM_LOG_TTL_SECONDS = redis_url, 60
    conversation_id = uuid.uuid4()
    await streamlog.log_append(conversation_id=conversation_id, message=delta(1))
    key = f"{streamlog.KEY_PREFIX}{conversation_id.hex}"
    assert 0 < redis.Redis.from_url(redis_url).ttl(key) <= 60


async def test_memory_log_expires(settings):
    settings.REDIS_URL, settings.STREAM_LOG_TTL_SECONDS = "", -1
    conversation_id = uuid.uuid4()
    await streamlog.log_append(conversation_id=conversation_id, message=delta(1))
    assert await streamlog.log_read(conversation_id=conversation_id) == []


def test_frames_after_keeps_later_deltas_and_turn_events():
    finished = {"type": "turn.finished", "turn": {"id": 1}}
    frames = [{"type": "turn.created"}, delta(1), {"type": "turn.response"}, delta(2), finished]
    assert streamlog.frames_after(frames=frames, after=1) == [
        {"type": "turn.response"},
        delta(2),
        finished,
    ]


def test_frames_after_a_resume_restart_from_its_seq():
    resumed = {"type": "turn.resumed", "turn": {"id": 1}, "seq": 2}
    frames = [resumed, delta(3), delta(4)]
    assert streamlog.frames_after(frames=frames, after=9) == frames


async def test_memory_sweep_drops_expired_logs_of_other_conversations(settings, monkeypatch):
    settings.REDIS_URL, settings.STREAM_LOG_TTL_SECONDS = "", -1
    monkeypatch.setattr(streamlog, "SWEEP_SECONDS", 0)
    expired = uuid.uuid4()
    await streamlog.log_append(conversation_id=expired, message=delta(1))
    settings.STREAM_LOG_TTL_SECONDS = 60
    await streamlog.log_append(conversation_id=uuid.uuid4(), message=delta(1))
    assert expired not in streamlog._memory
