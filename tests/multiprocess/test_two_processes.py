"""A turn followed, stopped and orphaned across two processes sharing a database and Redis."""

from __future__ import annotations

import asyncio
import signal

import httpx
import pytest

from tests.live import LiveServer
from tests.multiprocess.session import conversation_new, cookie_header, signup
from tests.multiprocess.wsclient import WebSocket
from tests.polling import eventually

pytestmark = pytest.mark.timeout(180)


async def open_socket(server: LiveServer, http: httpx.Client, conversation: str, **query):
    suffix = "".join(f"?{key}={value}" for key, value in query.items())
    return await WebSocket.connect(
        port=server.port,
        path=f"/ws/conversations/{conversation}/{suffix}",
        cookie=cookie_header(http),
    )


async def frames_until(socket: WebSocket, predicate) -> list[dict]:
    frames = []
    while not frames or not predicate(frames[-1]):
        frames.append(await asyncio.wait_for(socket.receive_json(), 60))
    return frames


def turn_status(server: LiveServer, http: httpx.Client, conversation: str) -> dict:
    turns = http.get(
        f"{server.url}/c/{conversation}/turns/", headers={"Accept": "application/json"}
    )
    return turns.json()["turns"][-1]


async def checkpointed_text(server: LiveServer, http: httpx.Client, conversation: str) -> str:
    """Wait until the running turn's partial text has been checkpointed to the database."""
    return await eventually(
        lambda: asyncio.to_thread(lambda: turn_status(server, http, conversation)["output_text"])
    )


def is_text_delta(frame: dict) -> bool:
    return frame["type"] == "turn.delta" and frame["kind"] == "text"


async def one_chat_on_both(cluster) -> tuple[httpx.Client, str, WebSocket, WebSocket]:
    """A new user's new conversation, with a socket on process A and one on process B."""
    http = signup(cluster.a)
    conversation = conversation_new(http)
    on_a = await open_socket(cluster.a, http, conversation)
    on_b = await open_socket(cluster.b, http, conversation)
    return http, conversation, on_a, on_b


async def test_follow_and_stop_through_the_other_process(cluster):
    http, conversation, on_a, on_b = await one_chat_on_both(cluster)
    await on_a.send_json({"type": "message.send", "text": "[delay=80] [tokens=300] from A"})
    seen_on_b = await frames_until(on_b, is_text_delta)
    await on_b.send_json({"type": "turn.stop"})
    seen_on_b += await frames_until(on_b, lambda f: f["type"] == "turn.finished")
    seen_on_a = await frames_until(on_a, lambda f: f["type"] == "turn.finished")
    finished = seen_on_b[-1]["turn"]
    assert finished["status"] == "cancelled" == seen_on_a[-1]["turn"]["status"]
    relayed = "".join(f["delta"] for f in seen_on_b if is_text_delta(f))
    assert finished["output_text"] == relayed and relayed.startswith("You")
    assert turn_status(cluster.b, http, conversation)["status"] == "cancelled"
    # A socket joining B late resumes A's turn from its Redis stream log.
    late = await open_socket(cluster.b, http, conversation, after=0)
    replayed = await frames_until(late, lambda f: f["type"] == "turn.finished")
    assert "".join(f["delta"] for f in replayed if is_text_delta(f)) == relayed
    for socket in (on_a, on_b, late):
        await socket.close()


async def test_sigkill_mid_stream_ends_interrupted(cluster):
    http, conversation, on_a, on_b = await one_chat_on_both(cluster)
    await on_a.send_json({"type": "message.send", "text": "[delay=100] [tokens=400] doomed"})
    await frames_until(on_b, is_text_delta)
    await checkpointed_text(cluster.b, http, conversation)
    cluster.a.process.send_signal(signal.SIGKILL)
    cluster.a.process.wait()
    finished = (await frames_until(on_b, lambda f: f["type"] == "turn.finished"))[-1]["turn"]
    assert finished["status"] == "interrupted"
    assert finished["output_text"].startswith("You")  # the last checkpoint is kept
    assert turn_status(cluster.b, http, conversation)["status"] == "interrupted"
    await on_b.close()


async def test_sigkill_mid_stream_reattaches_to_the_background_response(
    cluster_external, provider_server
):
    cluster = cluster_external
    http, conversation, on_a, on_b = await one_chat_on_both(cluster)
    await on_a.send_json({"type": "message.send", "text": "[delay=60] [tokens=200] survive"})
    seen = await frames_until(on_b, is_text_delta)
    await checkpointed_text(cluster.b, http, conversation)
    cluster.a.process.send_signal(signal.SIGKILL)
    cluster.a.process.wait()
    seen += await frames_until(on_b, lambda f: f["type"] == "turn.finished")
    finished = seen[-1]["turn"]
    assert finished["status"] == "completed"
    assert any(f["type"] == "turn.resumed" for f in seen)
    upstream = await asyncio.to_thread(provider_response, provider_server, finished["response_id"])
    provider_text = upstream["output"][-1]["content"][0]["text"]
    assert finished["output_text"] == provider_text
    assert shown_text(seen) == provider_text
    await on_b.close()


def provider_response(server: LiveServer, response_id: str) -> dict:
    """GET /v1/responses/{id} at the provider."""
    headers = {"Authorization": f"Bearer {server.api_key}"}
    return httpx.get(f"{server.v1}/responses/{response_id}", headers=headers).json()


def shown_text(frames: list[dict]) -> str:
    """The answer as a tab renders it: deltas, reset to the checkpoint by a turn.resumed."""
    text, last_seq = "", 0
    for frame in frames:
        if frame["type"] == "turn.resumed":
            text, last_seq = frame["turn"]["output_text"], frame["seq"]
        elif is_text_delta(frame) and frame["seq"] > last_seq:
            text, last_seq = text + frame["delta"], frame["seq"]
    return text
