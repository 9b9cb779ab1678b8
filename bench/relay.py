"""Benchmark of the chat relay: many concurrent streams through one or two daphne processes.

Run: .venv/bin/python bench/relay.py [--levels 1,50,200,400,1000] [--processes 1|2]
                                     [--tokens 64] [--interval 0.01]

One user per stream, as in the Open WebUI measurement. A fast fake provider (its own process)
streams `--tokens` text deltas per response, one every `--interval` seconds; each delta carries
its index and the wall-clock time it was sent. The chat server (daphne, default SQLite set-up,
in-memory channel layer) relays them to one websocket per conversation; all streams of a level
start together. With `--processes 2`, two daphne processes share a real Redis (channel layer and
stream log) and one SQLite file, and the streams alternate between them. Printed per level:
relay overhead from provider event to websocket frame (p50/p99), deltas lost and duplicated, seq
gaps, frames/s, DB writes per turn, `database is locked` errors, failed turns, peak RSS of the
(largest) daphne process, the TTFT the chat path adds over calling the provider directly, and
the chat processes' CPU time per provider event. The header gives the start-up time and idle RSS
of the app as scripts/run.sh serves it, and the targets. Levels go on until one breaks.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from relay_clients import chats_create, direct_ttft, stream_follow, summary  # noqa: E402
from relay_cluster import Cluster, cluster_run, startup_measure  # noqa: E402

TARGETS = """targets (issue 16): relay p50/p99 1 stream <= 1/5 ms, 50 streams <= 5/25 ms;
  +TTFT 1/50/200 streams <= 5/50/200 ms; 1,000 streams on one process: 0 lost, 0 dup,
  TTFT <= 1 s; 1,000 streams on two processes + Redis: relay p50 <= 50 ms; lost/dup/gaps 0"""
HEADER = (
    "streams  p50 ms   p99 ms  lost   dup  gaps  frames/s  writes  locked  failed"
    "  RSS MB  +TTFT ms  TTFT ms  CPU us/ev"
)


async def _level(cluster: Cluster, streams: int, tokens: int) -> dict:
    chats = await asyncio.to_thread(chats_create, streams)
    before = await asyncio.to_thread(cluster.counts)
    start = asyncio.Event()
    ready: asyncio.Queue = asyncio.Queue()
    ports = [chat.port for chat in cluster.chats]
    tasks = [
        asyncio.create_task(stream_follow(ports[n % len(ports)], *chat, ready, start))
        for n, chat in enumerate(chats)
    ]
    for _ in chats:  # every socket connected and past the server's connect handler
        await asyncio.wait_for(ready.get(), timeout=120)
    cpu_before = sum(chat.cpu_seconds() for chat in cluster.chats)  # turns, not connects
    start.set()
    results = await asyncio.wait_for(asyncio.gather(*tasks), timeout=600)
    cpu = sum(chat.cpu_seconds() for chat in cluster.chats) - cpu_before
    direct = await direct_ttft(cluster.provider_port, streams)
    await asyncio.sleep(0.5)  # the servers' write counters flush every 0.1 s
    after = await asyncio.to_thread(cluster.counts)
    counts = {key: after[key] - before[key] for key in after}
    row = summary(results, tokens=tokens, direct=direct, counts=counts)
    return {**row, "cpu_us": cpu / streams / tokens * 1e6}


def _print(row: dict, rss_mb: float) -> None:
    print(
        f"{row['streams']:>7} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['lost']:>5} "
        f"{row['duplicated']:>5} {row['seq_gaps']:>5} {row['frames_per_s']:>9.0f} "
        f"{row['writes_per_turn']:>7.1f} {row['locked']:>7} {row['not_completed']:>7} "
        f"{rss_mb:>8.0f} {row['ttft_added_ms']:>10.1f} {row['ttft_chat_ms']:>9.1f} "
        f"{row['cpu_us']:>10.0f}",
        flush=True,
    )


def _broken(row: dict) -> bool:
    return bool(row["lost"] or row["duplicated"] or row["seq_gaps"] or row["locked"])


def _header(args: argparse.Namespace, data_dir: Path) -> None:
    seconds, cpu, rss_mb = startup_measure(data_dir / "startup")
    print(f"load average {os.getloadavg()[0]:.2f} (2 cores shared: figures move with it)")
    print(
        f"start-up (scripts/run.sh's second start, to the first 200 on /accounts/login/): "
        f"{seconds:.2f} s, {cpu:.2f} s of CPU (target < 3 s); idle RSS before the model "
        f"loads: {rss_mb:.0f} MB (target < 150 MB)"
    )
    shared = "Redis + one SQLite file" if args.processes > 1 else "SQLite, in-memory layer"
    print(
        f"{args.tokens} deltas per stream, one every {args.interval * 1000:.0f} ms; "
        f"{args.processes} chat process(es), {shared}"
    )
    print(TARGETS)


async def _levels(cluster: Cluster, args: argparse.Namespace) -> None:
    await _level(cluster, 1, args.tokens)  # warm-up, not shown
    print(HEADER)
    for streams in args.levels:
        try:
            row = await _level(cluster, streams, args.tokens)
        except Exception as exc:  # a level that breaks ends the run, with the reason
            print(f"{streams:>7} broke: {type(exc).__name__}: {exc}"[:200])
            return
        _print(row, max(chat.peak_rss_mb() for chat in cluster.chats))
        if _broken(row):
            print(f"{streams:>7} broke: deltas lost/duplicated or database locked")
            return


def _bench(args: argparse.Namespace) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-relay-"))
    if not args.no_startup:
        _header(args, data_dir)
    with cluster_run(
        data_dir / "run", processes=args.processes, tokens=args.tokens, interval=args.interval
    ) as cluster:
        os.environ.update(cluster.env)
        import django

        django.setup()
        print(f"load average {os.getloadavg()[0]:.2f} at the first level")
        asyncio.run(_levels(cluster, args))
        print(f"load average {os.getloadavg()[0]:.2f} at the end")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)  # rows show as they come, even into a file
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,50,200,400,1000")
    parser.add_argument("--processes", type=int, choices=(1, 2), default=1)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--interval", type=float, default=0.01)
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up figures")
    args = parser.parse_args()
    args.levels = [int(n) for n in args.levels.split(",")]
    _bench(args)


if __name__ == "__main__":
    main()
