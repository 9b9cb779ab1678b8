"""Benchmark of a chatsite batch run against the hand-written `multiprocessing.Pool` pattern.

Run: .venv/bin/python bench/batches.py [--items 1000] [--concurrency 16]
(about four minutes on 2 cores)

The peer is the seed's own script: `multiprocessing.Pool(processes=N).map` of
`openai.OpenAI().responses.create` (the official SDK, one client per process), run in a
process of its own. chatsite's side is a run of the same prompts, created through
batches.services and worked by real `manage.py db_worker` processes (started and warm before
the run is enqueued, as scripts/run.sh keeps them), at the same concurrency per worker.

Two providers: a fake one with a fixed latency per response (tests/batches/fake_provider.py,
200 ms, in this process's thread), and the embedded provider on the scripted engine (a daphne
process). For each: requests/s and wall time for all items, and peak memory (RSS summed over
every process of the side, sampled every 50 ms: the Pool's parent and children; chatsite's
workers), and CPU time per request (user + system of those processes during the run; the
Pool's includes its children's start-up, so it is an upper bound). chatsite runs with 1 worker,
then 2 workers at the same concurrency each. Ratios are printed against the Pool. On a shared
machine the CPU figure is the steadiest: wall times follow the load (the load average is printed).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

_client = None


def _peer_init(base_url: str, api_key: str) -> None:
    global _client
    import openai  # imported by the parent before the fork: this only binds it

    _client = openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=2)


def _peer_ready(_: int) -> None:
    time.sleep(0.01)


def _peer_call(n: int) -> int:
    response = _client.responses.create(model=PEER_MODEL, input=f"Bench prompt {n}")
    return len(response.output_text)


PEER_MODEL = "smollm2-135m-instruct"


def peer_main(base_url: str, api_key: str, items: int, processes: int) -> None:
    """The hand-written pattern: Pool(processes=N).map over responses.create, timed once the
    pool's processes are up (as chatsite's workers are), openai imported before the fork."""
    import resource

    import openai  # noqa: F401

    def cpu() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    pool = multiprocessing.Pool(processes, _peer_init, (base_url, api_key))
    pool.map(_peer_ready, range(processes * 4), chunksize=1)
    started, cpu_before = time.monotonic(), cpu()
    pool.map(_peer_call, range(items))
    wall = time.monotonic() - started
    pool.close()
    pool.join()  # children's CPU counts once they are reaped (start-up included: upper bound)
    print(f"{wall:.3f} {cpu() - cpu_before:.3f}")


class PeakMemory:
    """The peak of the summed RSS of some processes and their descendants."""

    def __init__(self, pids: list[int]) -> None:
        import psutil

        self.roots = [psutil.Process(pid) for pid in pids]
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            total = 0
            for root in self.roots:
                try:
                    family = [root, *root.children(recursive=True)]
                    total += sum(p.memory_info().rss for p in family)
                except psutil.NoSuchProcess:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.05)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_peer(base_url: str, api_key: str, items: int, concurrency: int) -> dict:
    command = [sys.executable, __file__, "--peer", base_url, api_key, str(items), str(concurrency)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    memory = PeakMemory([process.pid])
    out, _ = process.communicate()
    wall, cpu = map(float, out.strip().splitlines()[-1].split())
    return {"wall": wall, "rate": items / wall, "memory": memory.stop(), "cpu": cpu}


def chatsite_env(data_dir: Path, base_url: str, api_key: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chatsite.settings",
        "CHATSITE_DATA_DIR": str(data_dir),
        "EMBEDDED_PROVIDER": "false",
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": api_key,
        "BATCH_TASKS_PER_RUN": "2",
    }


def run_chatsite(env: dict[str, str], items: int, concurrency: int, workers: int) -> dict:
    """Start warm workers, enqueue one run, time it until completed."""
    manage = [sys.executable, "manage.py"]
    command = [*manage, "db_worker", "--interval", "0.1", "--no-reload", "--no-startup-delay"]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    time.sleep(3)  # Django imported, first poll done: the workers are warm
    memory = PeakMemory([p.pid for p in processes])
    cpu_before = _cpu(processes)
    script = (
        "import sys, time; from django.contrib.auth.models import User; "
        "from batches import tasks; from batches.parsing import Prompt; "
        "from batches.models import Run; "
        "owner = User.objects.get_or_create(username='bench')[0]; "
        f"prompts = [Prompt(input=f'Bench prompt {{n}}') for n in range({items})]; "
        "config = {'model': '" + PEER_MODEL + "', 'temperature': None, 'instructions': '', "
        "'reasoning_effort': None, 'max_output_tokens': None}; "
        "started = time.monotonic(); "
        f"run = tasks.run_submit(owner=owner, name='bench', prompts=prompts, configs=[config], "
        f"concurrency={concurrency}, store=False); "
        "[time.sleep(0.05) for _ in iter(lambda: Run.objects.get(pk=run.pk).status "
        "in ('completed', 'cancelled'), True)]; "
        "run = Run.objects.get(pk=run.pk); "
        "print(time.monotonic() - started, run.done, run.failed)"
    )
    out = subprocess.run(
        [*manage, "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    peak = memory.stop()
    cpu = _cpu(processes) - cpu_before
    for process in processes:
        process.terminate()
        process.wait()
    wall, done, failed = out.strip().splitlines()[-1].split()
    return {
        "wall": float(wall),
        "rate": items / float(wall),
        "memory": peak,
        "cpu": cpu,
        "done": int(done),
        "failed": int(failed),
    }


def _cpu(processes: list[subprocess.Popen]) -> float:
    """User + system CPU seconds the processes have used so far."""
    import psutil

    times = [psutil.Process(p.pid).cpu_times() for p in processes]
    return sum(t.user + t.system for t in times)


def migrate(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def report(title: str, peer: dict, sides: dict[str, dict], items: int) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n{title}: {items} items (load average {load}, {os.cpu_count()} CPUs)")
    print(
        f"{'side':<24}{'wall s':>8}{'req/s':>8}{'peak MiB':>10}{'CPU ms/req':>12}"
        f"{'req/s ÷ Pool':>14}{'mem ÷ Pool':>12}{'CPU ÷ Pool':>12}"
    )
    for name, side in {"Pool.map (openai SDK)": peer, **sides}.items():
        outcome = f"   ({side['done']} done, {side['failed']} failed)" if "done" in side else ""
        print(
            f"{name:<24}{side['wall']:>8.2f}{side['rate']:>8.1f}{side['memory'] / 2**20:>10.0f}"
            f"{side['cpu'] * 1000 / items:>12.1f}{side['rate'] / peer['rate']:>14.2f}"
            f"{side['memory'] / peer['memory']:>12.2f}{side['cpu'] / peer['cpu']:>12.2f}{outcome}"
        )
    one, two = sides.get("chatsite, 1 worker"), sides.get("chatsite, 2 workers")
    if one and two:
        print(f"scaling 1 -> 2 workers: x{two['rate'] / one['rate']:.2f} requests/s")


def bench(label: str, base_url: str, api_key: str, items: int, concurrency: int) -> None:
    peer = run_peer(base_url, api_key, items, concurrency)
    with tempfile.TemporaryDirectory(prefix="bench-batches-") as data_dir:
        env = chatsite_env(Path(data_dir), base_url, api_key)
        migrate(env)
        sides = {
            "chatsite, 1 worker": run_chatsite(env, items, concurrency, 1),
            "chatsite, 2 workers": run_chatsite(env, items, concurrency, 2),
        }
    report(f"{label}, concurrency {concurrency} per process set", peer, sides, items)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--skip-scripted", action="store_true")
    args = parser.parse_args()
    from tests.batches.fake_provider import FakeProvider

    provider = FakeProvider(latency=0.2).start()
    bench(
        "fake provider (200 ms per response)",
        provider.base_url,
        "sk-fake",
        args.items,
        args.concurrency,
    )
    if args.skip_scripted:
        return
    from tests.live import live_server_start

    with tempfile.TemporaryDirectory(prefix="bench-batches-app-") as app_dir:
        server = live_server_start(data_dir=Path(app_dir), PROVIDER_QUEUE_LIMIT="256")
        try:
            bench(
                "embedded provider, scripted engine",
                server.v1,
                server.api_key,
                args.items,
                args.concurrency,
            )
        finally:
            server.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--peer":
        peer_main(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
