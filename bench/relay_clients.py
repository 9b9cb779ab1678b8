"""The client side of bench/relay.py: users and sessions, one websocket per stream, the summary."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
import uuid

MARK = re.compile(r"\[(\d+)@([\d.]+)\]")
# A socket silent this long has lost its turn's end: the stream is counted as failed, not waited.
STALL_SECONDS = 60
CONNECTING = asyncio.Semaphore(25)


def chats_create(streams: int) -> list[tuple[str, str]]:
    """One user per stream, each with a conversation: (session cookie, conversation id).

    Separate users, as in the Open WebUI measurement: a user's sidebar events go to every socket
    of that user, so one user with N tabs would measure an N-squared fan-out instead of N chats.
    """
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from conversations.models import Conversation

    tag = uuid.uuid4().hex[:8]
    users = User.objects.bulk_create(
        [User(username=f"bench-{tag}-{n}", password="!") for n in range(streams)]
    )
    chats = []
    for user in users:
        conversation = Conversation.objects.create(owner=user, reasoning_effort="none")
        session = SessionStore()
        session[SESSION_KEY], session[HASH_SESSION_KEY] = str(user.pk), user.get_session_auth_hash()
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session.create()
        chats.append((f"sessionid={session.session_key}", str(conversation.pk)))
    return chats


async def stream_follow(
    port: int, cookie: str, conversation: str, ready: asyncio.Queue, start: asyncio.Event
) -> dict:
    """Open the conversation's socket, send one message when told, record every delta frame."""
    from tests.multiprocess.wsclient import WebSocket

    # A few at a time: a thousand handshakes at once overflow the server's listen backlog.
    async with CONNECTING:
        socket = await WebSocket.connect(
            port=port, path=f"/ws/conversations/{conversation}/", cookie=cookie
        )
        # The server answers a frame only after its connect handler (auth, ownership) is done.
        await socket.send_json({"type": "bench.ready"})
        assert (await socket.receive_json())["code"] == "unknown_type"
    ready.put_nowait(None)
    await start.wait()
    sent = time.time()
    await socket.send_json({"type": "message.send", "text": "go"})
    result = {"sent": sent, "first": None, "overheads": [], "indexes": [], "frames": 0, "seqs": []}
    while True:
        try:
            frame = await asyncio.wait_for(socket.receive_json(), STALL_SECONDS)
        except TimeoutError:
            frame = {"type": "stalled"}
        now = time.time()
        if frame["type"] == "turn.delta":
            result["first"] = result["first"] or now
            result["frames"] += 1
            result["seqs"].append(frame["seq"])
            for index, emitted in MARK.findall(frame["delta"]):
                result["indexes"].append(int(index))
                result["overheads"].append(now - float(emitted))
        elif frame["type"] in ("turn.finished", "error", "stalled"):
            result["status"] = frame.get("turn", {}).get("status", frame["type"])
            result["last"] = now
            await socket.close()
            return result


async def direct_ttft(provider_port: int, streams: int) -> float:
    """Median time to the first delta calling the fake provider directly, same concurrency."""
    import httpx

    async def one(client: httpx.AsyncClient) -> float:
        started = time.time()
        async with client.stream("POST", "/v1/responses", json={"stream": True}) as response:
            async for line in response.aiter_lines():
                if "output_text.delta" in line:
                    return time.time() - started
        raise RuntimeError("no delta")

    limits = httpx.Limits(max_connections=None)
    base = f"http://127.0.0.1:{provider_port}"
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        return statistics.median(await asyncio.gather(*(one(client) for _ in range(streams))))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def summary(results: list[dict], *, tokens: int, direct: float, counts: dict) -> dict:
    """One level's row: relay overhead, losses, frame rate, DB writes, TTFT added."""
    streams = len(results)
    overheads = [o for r in results for o in r["overheads"]]
    indexes = [r["indexes"] for r in results]
    frames = sum(r["frames"] for r in results)
    span = max(r["last"] for r in results) - min(r["sent"] for r in results)
    chat_ttft = statistics.median(r["first"] - r["sent"] for r in results if r["first"])
    return {
        "streams": streams,
        "p50_ms": 1000 * _pct(overheads, 0.5),
        "p99_ms": 1000 * _pct(overheads, 0.99),
        "lost": sum(tokens - len(set(i) & set(range(tokens))) for i in indexes),
        "duplicated": sum(len(i) - len(set(i)) for i in indexes),
        "seq_gaps": sum(r["seqs"] != list(range(1, len(r["seqs"]) + 1)) for r in results),
        "frames_per_s": frames / span,
        "writes_per_turn": counts["writes"] / streams,
        "locked": counts["locked"],
        "not_completed": sum(r["status"] != "completed" for r in results),
        "ttft_added_ms": 1000 * (chat_ttft - direct),
        "ttft_chat_ms": 1000 * chat_ttft,
    }
