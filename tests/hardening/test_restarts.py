"""Processes killed and servers restarted under live streams (two daphne processes, real Redis).

SIGKILL of the process streaming a turn: the other process re-attaches to its background response
(completed) or ends it interrupted with its checkpointed text. Redis and PostgreSQL restarted
mid-stream: every turn ends (no turn stuck), no process dies, and the next turn works.
"""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
from pathlib import Path

import httpx
import pytest

from tests.hardening.servers import PostgresServer, RedisServer
from tests.live import live_server_start
from tests.multiprocess.conftest import cluster_start
from tests.multiprocess.session import conversation_new, cookie_header, signup
from tests.multiprocess.wsclient import WebSocket

pytestmark = [pytest.mark.long, pytest.mark.timeout(3600)]
KILLS = int(os.environ.get("HARDENING_KILLS", "20"))
RESTARTS = int(os.environ.get("HARDENING_RESTARTS", "3"))
WAIT, SETTLE = 90, 120  # seconds before a missing frame or ending counts as a hang
TERMINAL = {"completed", "incomplete", "failed", "cancelled", "interrupted"}


async def open_socket(server, http: httpx.Client, conversation: str) -> WebSocket:
    return await WebSocket.connect(
        port=server.port, path=f"/ws/conversations/{conversation}/", cookie=cookie_header(http)
    )


async def until(socket: WebSocket, kind: str) -> list[dict]:
    frames: list[dict] = []
    while not frames or frames[-1]["type"] != kind:
        frames.append(await asyncio.wait_for(socket.receive_json(), WAIT))
    return frames


def last_turn(server, http: httpx.Client, conversation: str) -> dict:
    turns = http.get(
        f"{server.url}/c/{conversation}/turns/", headers={"Accept": "application/json"}
    )
    return turns.json()["turns"][-1]


async def settled(server, http: httpx.Client, conversation: str) -> dict:
    """The conversation's last turn once it has ended (or as it is after SETTLE seconds)."""
    deadline = asyncio.get_running_loop().time() + SETTLE
    while True:
        try:
            turn = await asyncio.to_thread(last_turn, server, http, conversation)
        except (httpx.HTTPError, ValueError):
            turn = {"status": "unreachable"}
        if turn["status"] in TERMINAL or asyncio.get_running_loop().time() > deadline:
            return turn
        await asyncio.sleep(0.5)


@pytest.fixture
def root() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="chatsite-hardening-"))
    os.chmod(folder, 0o755)
    return folder


async def test_sigkill_mid_stream(root, table):
    redis_server = RedisServer(root)
    redis_server.start()
    provider = live_server_start(data_dir=root / "provider")
    database = f"sqlite:///{root / 'shared.sqlite3'}"
    cluster = cluster_start(root, redis_server.url, database, OPENAI_BASE_URL=provider.v1)
    try:
        http = signup(cluster.b)
        for n in range(KILLS):
            conversation = conversation_new(http)
            on_a = await open_socket(cluster.a, http, conversation)
            on_b = await open_socket(cluster.b, http, conversation)
            await on_a.send_json({"type": "message.send", "text": f"[delay=60] [tokens=200] {n}"})
            await until(on_b, "turn.delta")
            await asyncio.sleep(0.5)  # past a checkpoint
            cluster.a.process.send_signal(signal.SIGKILL)
            cluster.a.process.wait()
            turn = (await until(on_b, "turn.finished"))[-1]["turn"]
            ok = turn["status"] == "completed" or (
                turn["status"] == "interrupted" and turn["output_text"].startswith("You said")
            )
            table.record("Worker SIGKILLed mid-stream", ok, f"{n}: {turn['status']}")
            await on_b.close()
            cluster.a.start()
    finally:
        for process in (cluster.a, cluster.b, provider, redis_server):
            process.stop()
    row = table.row("Worker SIGKILLed mid-stream")
    assert row.passed == row.tried == KILLS, row.failures


async def restart_during_streams(cluster, server, case: str, table) -> None:
    """Restart `server` while a turn streams, RESTARTS times; then a new turn must complete."""
    http = signup(cluster.b)
    for n in range(RESTARTS):
        conversation = conversation_new(http)
        on_a = await open_socket(cluster.a, http, conversation)
        await on_a.send_json({"type": "message.send", "text": f"[delay=40] [tokens=150] {n}"})
        await until(on_a, "turn.delta")
        server.stop()
        await asyncio.sleep(2)
        server.start()
        turn = await settled(cluster.b, http, conversation)
        alive = cluster.a.process.poll() is None and cluster.b.process.poll() is None
        fresh = conversation_new(http)
        socket = await open_socket(cluster.b, http, fresh)
        await socket.send_json({"type": "message.send", "text": "after the restart"})
        try:
            after = (await until(socket, "turn.finished"))[-1]["turn"]["status"]
        except TimeoutError:
            after = f"no turn.finished within {WAIT} s"
        ok = turn["status"] in TERMINAL and alive and after == "completed"
        table.record(case, ok, f"{n}: {turn['status']} alive={alive} next={after}")
        for sock in (on_a, socket):
            await sock.close()
    row = table.row(case)
    assert row.passed == row.tried == RESTARTS, row.failures


async def test_redis_restarted_during_streams(root, table):
    redis_server = RedisServer(root)
    redis_server.start()
    cluster = cluster_start(root, redis_server.url, f"sqlite:///{root / 'shared.sqlite3'}")
    try:
        await restart_during_streams(cluster, redis_server, "Redis restarted during streams", table)
    finally:
        for process in (cluster.a, cluster.b, redis_server):
            process.stop()


async def test_postgres_restarted_during_streams(root, table):
    for name in ("redis", "pg"):
        (root / name).mkdir()
    redis_server, postgres = RedisServer(root / "redis"), PostgresServer(root / "pg")
    redis_server.start()
    postgres.start()
    cluster = cluster_start(root, redis_server.url, postgres.url)
    try:
        case = "PostgreSQL restarted during streams"
        await restart_during_streams(cluster, postgres, case, table)
    finally:
        for process in (cluster.a, cluster.b, postgres, redis_server):
            process.stop()
