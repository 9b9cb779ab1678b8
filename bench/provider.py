"""Benchmark of the embedded /v1 provider against xllamacpp called directly, on one GGUF.

Run: .venv/bin/python bench/provider.py   (needs the model extra; takes about a minute)

Prints, side by side: decode tokens/s and time to first token through POST /v1/responses
(streamed, measured at the client) and through Server.handle_chat_completions in-process;
aggregate tokens/s with 1, 2 and 4 concurrent /v1 requests; TTFT and cached/input tokens for
every turn of a chained chat (previous_response_id), without and with the planning pass.
Both sides use the same engine parameters (provider.engines.llama.server_params), greedy
decoding and the same prompts; each side sees each prompt once, so no side gets another's cache.
"""

from __future__ import annotations

import json
import os
import secrets
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
DELTA_PREFIX = 'data: {"type":"response.output_text.delta"'
TERMINAL_PREFIXES = ('data: {"type":"response.completed"', 'data: {"type":"response.incomplete"')
# Lets the other side's engine threads stop polling before a measurement starts.
SETTLE_SECONDS = 0.5
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


def rates(stamps: list[float], started: float) -> tuple[float, float]:
    """(TTFT seconds, decode tokens/s after the first token) from per-token arrival times."""
    decode = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    return stamps[0] - started, decode


def raw_run(server: object, text: str) -> tuple[float, float]:
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


def v1_run(app: LiveServer, text: str) -> tuple[float, float]:
    """One greedy streamed response through /v1/responses."""
    body = {"model": "m", "input": text, "max_output_tokens": TOKENS, "temperature": 0.0}
    stamps, started, _ = v1_stream(app, body)
    return rates(stamps, started)


def side_by_side(server: object, app: LiveServer) -> None:
    """Decode tok/s and TTFT, raw vs /v1, alternating so load changes hit both sides."""
    raw, v1 = [], []
    for n in range(REPEATS):
        time.sleep(SETTLE_SECONDS)
        raw.append(raw_run(server, prompt(n)))
        time.sleep(SETTLE_SECONDS)
        v1.append(v1_run(app, prompt(n)))
    raw_ttft, raw_tps = (statistics.median(x) for x in zip(*raw, strict=True))
    v1_ttft, v1_tps = (statistics.median(x) for x in zip(*v1, strict=True))
    print(f"decode tok/s (median of {REPEATS}, {TOKENS} tokens, greedy)")
    print(f"  xllamacpp direct : {raw_tps:7.1f}   TTFT {raw_ttft * 1000:6.0f} ms")
    print(f"  /v1/responses    : {v1_tps:7.1f}   TTFT {v1_ttft * 1000:6.0f} ms")
    print(f"  ratio /v1 / raw  : {v1_tps / raw_tps:7.3f}")


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
    has ended and the final state is stored)."""
    headers = {"Authorization": f"Bearer {app.api_key}"}
    timings = []
    for n in range(REPEATS):
        body = {"model": "m", "input": prompt(200 + n), "background": True, "stream": True}
        with httpx.stream(
            "POST", f"{app.v1}/responses", json=body, headers=headers, timeout=300
        ) as reply:
            lines = reply.iter_lines()
            response_id = json.loads(next(x for x in lines if x.startswith("data: "))[6:])
            response_id = response_id["response"]["id"]
            deltas = 0
            while deltas < 10:
                deltas += next(lines).startswith(DELTA_PREFIX)
            started = time.perf_counter()
            final = httpx.post(f"{app.v1}/responses/{response_id}/cancel", headers=headers)
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
    with tempfile.TemporaryDirectory() as folder:
        app = live_server_start(data_dir=Path(folder) / "app", engine="llama")
        try:
            server = raw_server(Path(folder))
            raw_run(server, "Hi.")
            v1_run(app, "Hi.")
            print(f"model {Path(settings.PROVIDER_MODEL_PATH).name}, {os.cpu_count()} CPUs")
            side_by_side(server, app)
            aggregate(app)
            chained(app, reasoning=False)
            chained(app, reasoning=True)
            cancel_latency(app)
        finally:
            app.stop()


if __name__ == "__main__":
    main()
