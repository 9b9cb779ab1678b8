"""Benchmark of the chat relay: many concurrent streams through one daphne process.

Run: .venv/bin/python bench/relay.py [--levels 1,50,200,400,800] [--tokens 64] [--interval 0.01]

One user per stream, as in the Open WebUI measurement. A fast fake provider (its own process)
streams `--tokens` text deltas per response, one every `--interval` seconds; each delta carries
its index and the wall-clock time it was sent. The chat server (daphne, default SQLite set-up,
in-memory channel layer) relays them to one websocket per conversation; all streams of a level
start together. Printed per level: relay overhead from
provider event to websocket frame (p50/p99), deltas lost and duplicated, frames/s, DB writes per
turn, `database is locked` errors, failed turns, peak RSS of the daphne process, and the TTFT the
chat path adds over calling the provider directly. Levels go on until one breaks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MARK = re.compile(r"\[(\d+)@([\d.]+)\]")
SECRET = "bench-relay-secret-key-0123456789-abcdefghijklmnop"


def _env(data_dir: Path, provider_port: int, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chatsite.settings",
        "CHATSITE_DATA_DIR": str(data_dir),
        "SECRET_KEY": SECRET,
        "PORT": str(port),
        "PROVIDER_ENGINE": "scripted",
        "OPENAI_API_KEY": "sk-bench",
        "OPENAI_BASE_URL": f"http://127.0.0.1:{provider_port}/v1",
        "PYTHONUNBUFFERED": "1",
    }


def _chats(streams: int) -> list[tuple[str, str]]:
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


async def _stream(
    port: int, cookie: str, conversation: str, ready: asyncio.Queue, start: asyncio.Event
) -> dict:
    from tests.multiprocess.wsclient import WebSocket

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
        frame = await socket.receive_json()
        now = time.time()
        if frame["type"] == "turn.delta":
            result["first"] = result["first"] or now
            result["frames"] += 1
            result["seqs"].append(frame["seq"])
            for index, emitted in MARK.findall(frame["delta"]):
                result["indexes"].append(int(index))
                result["overheads"].append(now - float(emitted))
        elif frame["type"] in ("turn.finished", "error"):
            result["status"] = frame.get("turn", {}).get("status", frame["type"])
            result["last"] = now
            await socket.close()
            return result


async def _direct_ttft(provider_port: int, streams: int) -> float:
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


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _level(port: int, provider_port: int, streams: int, counts: Path, pid: int) -> dict:
    chats = await asyncio.to_thread(_chats, streams)
    before = json.loads(await asyncio.to_thread(counts.read_text))
    start = asyncio.Event()
    ready: asyncio.Queue = asyncio.Queue()
    tasks = [asyncio.create_task(_stream(port, *chat, ready, start)) for chat in chats]
    for _ in chats:  # every socket connected and past the server's connect handler
        await ready.get()
    cpu_before = _cpu_seconds(pid)  # the turns' CPU, not the sockets' connects
    start.set()
    results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=300)
    cpu = _cpu_seconds(pid) - cpu_before
    direct = await _direct_ttft(provider_port, streams)
    await asyncio.sleep(0.5)  # the server's write counter flushes every 0.1 s
    after = json.loads(await asyncio.to_thread(counts.read_text))
    summary = _summary(results, streams, direct, before, after)
    return {**summary, "cpu_us": cpu / streams / TOKENS * 1e6}


def _summary(results: list[dict], streams: int, direct: float, before: dict, after: dict) -> dict:
    overheads = [o for r in results for o in r["overheads"]]
    indexes = [r["indexes"] for r in results]
    lost = sum(len(set(range(TOKENS))) - len(set(i)) for i in indexes)
    duplicated = sum(len(i) - len(set(i)) for i in indexes)
    gaps = sum(r["seqs"] != list(range(1, len(r["seqs"]) + 1)) for r in results)
    frames = sum(r["frames"] for r in results)
    span = max(r["last"] for r in results) - min(r["sent"] for r in results)
    chat_ttft = statistics.median(r["first"] - r["sent"] for r in results if r["first"])
    return {
        "streams": streams,
        "p50_ms": 1000 * _pct(overheads, 0.5),
        "p99_ms": 1000 * _pct(overheads, 0.99),
        "lost": lost,
        "duplicated": duplicated,
        "seq_gaps": gaps,
        "frames_per_s": frames / span,
        "writes_per_turn": (after["writes"] - before["writes"]) / streams,
        "locked": after["locked"] - before["locked"],
        "not_completed": sum(r["status"] != "completed" for r in results),
        "ttft_added_ms": 1000 * (chat_ttft - direct),
        "ttft_chat_ms": 1000 * chat_ttft,
    }


def _print(row: dict, rss_mb: float) -> None:
    print(
        f"{row['streams']:>7} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['lost']:>5} "
        f"{row['duplicated']:>5} {row['seq_gaps']:>5} {row['frames_per_s']:>9.0f} "
        f"{row['writes_per_turn']:>7.1f} {row['locked']:>7} {row['not_completed']:>7} "
        f"{rss_mb:>8.0f} {row['ttft_added_ms']:>10.1f} {row['ttft_chat_ms']:>9.1f} "
        f"{row['cpu_us']:>10.0f}",
        flush=True,
    )


HEADER = (
    "streams  p50 ms   p99 ms  lost   dup  gaps  frames/s  writes  locked  failed"
    "  RSS MB  +TTFT ms  TTFT ms  CPU us/ev"
)
TOKENS = 64


def _broken(row: dict) -> bool:
    return bool(row["lost"] or row["duplicated"] or row["seq_gaps"] or row["locked"])


def _start(args: argparse.Namespace, data_dir: Path) -> tuple[subprocess.Popen, ...]:
    from tests.live import free_port

    provider_port, port = free_port(), free_port()
    env = _env(data_dir, provider_port, port)
    servers = [sys.executable, str(Path(__file__).with_name("relay_servers.py"))]
    pacing = [str(args.tokens), str(args.interval)]
    fake = subprocess.Popen([*servers, "provider", str(provider_port), *pacing], env=env)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    log = open(data_dir / "daphne.log", "wb")  # noqa: SIM115
    chat = subprocess.Popen(
        [*servers, "chat", str(port), str(data_dir / "counts.json")],
        env=env,
        stdout=log,
        stderr=log,
    )
    return fake, chat, provider_port, port


async def _bench(args: argparse.Namespace) -> None:
    global TOKENS
    TOKENS = args.tokens
    data_dir = Path(tempfile.mkdtemp(prefix="bench-relay-"))
    fake, chat, provider_port, port = _start(args, data_dir)
    os.environ.update(_env(data_dir, provider_port, port))
    import django

    django.setup()
    try:
        await _wait_up(port, data_dir / "counts.json")
        print(f"{args.tokens} deltas per stream, one every {args.interval * 1000:.0f} ms; SQLite")
        await _level(
            port, provider_port, 1, data_dir / "counts.json", chat.pid
        )  # warm-up, not shown
        print(HEADER)
        for streams in args.levels:
            try:
                row = await _level(port, provider_port, streams, data_dir / "counts.json", chat.pid)
            except Exception as exc:  # a level that breaks ends the run, with the reason
                print(f"{streams:>7} broke: {type(exc).__name__}: {exc}"[:200])
                break
            _print(row, _peak_rss_mb(chat.pid))
            if _broken(row):
                print(f"{streams:>7} broke: deltas lost/duplicated or database locked")
                break
    finally:
        for process in (chat, fake):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def _wait_up(port: int, counts: Path) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                await client.get(f"http://127.0.0.1:{port}/accounts/login/")
                if await asyncio.to_thread(counts.exists):
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the chat server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,50,200,400,800,1200")
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--interval", type=float, default=0.01)
    args = parser.parse_args()
    args.levels = [int(n) for n in args.levels.split(",")]
    asyncio.run(_bench(args))


if __name__ == "__main__":
    main()
