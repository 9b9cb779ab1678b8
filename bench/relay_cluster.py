"""The processes of bench/relay.py: the fake provider, one or two chat servers, Redis; start-up."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SERVERS = [sys.executable, str(Path(__file__).with_name("relay_servers.py"))]
SECRET = "bench-relay-secret-key-0123456789-abcdefghijklmnop"


@dataclass
class Chat:
    """One chat server (daphne) and the file where it counts its SQL writes."""

    process: subprocess.Popen
    port: int
    counts: Path

    def cpu_seconds(self) -> float:
        """User + system CPU time of the process so far."""
        return _cpu_seconds(self.process.pid)

    def peak_rss_mb(self) -> float:
        return _status_kb(self.process.pid, "VmHWM") / 1024

    def read_counts(self) -> dict:
        return json.loads(self.counts.read_text())


@dataclass
class Cluster:
    provider_port: int
    env: dict[str, str]
    chats: list[Chat] = field(default_factory=list)

    def counts(self) -> dict:
        """SQL writes and lock errors, summed over the chat servers."""
        each = [chat.read_counts() for chat in self.chats]
        return {key: sum(c[key] for c in each) for key in ("writes", "locked")}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_kb(pid: int, key: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"{key}:\s+(\d+)", status).group(1))


def bench_env(data_dir: Path, provider_port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chatsite.settings",
        "CHATSITE_DATA_DIR": str(data_dir),
        "SECRET_KEY": SECRET,
        "PROVIDER_ENGINE": "scripted",
        "OPENAI_API_KEY": "sk-bench",
        "OPENAI_BASE_URL": f"http://127.0.0.1:{provider_port}/v1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


@contextlib.contextmanager
def cluster_run(
    data_dir: Path, *, processes: int, tokens: int, interval: float
) -> Iterator[Cluster]:
    """The fake provider and `processes` chat servers (sharing Redis and SQLite when 2)."""
    from tests.live import free_port
    from tests.multiprocess.redis_server import redis_server

    data_dir.mkdir(parents=True)
    with contextlib.ExitStack() as stack:
        extra = {}
        if processes > 1:
            extra["REDIS_URL"] = stack.enter_context(redis_server(data_dir / "redis"))
        provider_port = free_port()
        cluster = Cluster(provider_port, bench_env(data_dir, provider_port, **extra))
        pacing = [str(tokens), str(interval)]
        fake = subprocess.Popen([*SERVERS, "provider", str(provider_port), *pacing])
        stack.callback(_stop, fake)
        migrate = [sys.executable, "manage.py", "migrate", "-v0"]
        subprocess.run(migrate, cwd=ROOT, env=cluster.env, check=True)
        for n in range(processes):
            chat = _chat_start(data_dir, cluster.env, n)
            stack.callback(_stop, chat.process)
            cluster.chats.append(chat)
        for chat in cluster.chats:
            _wait_up(chat)
        yield cluster


def _chat_start(data_dir: Path, env: dict[str, str], n: int) -> Chat:
    from tests.live import free_port

    port, counts = free_port(), data_dir / f"counts-{n}.json"
    log = open(data_dir / f"daphne-{n}.log", "wb")  # noqa: SIM115
    command = [*SERVERS, "chat", str(port), str(counts)]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    return Chat(process, port, counts)


def _wait_up(chat: Chat) -> None:
    for _ in range(600):
        with contextlib.suppress(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{chat.port}/accounts/login/", timeout=2)
            if chat.counts.exists():
                return
        time.sleep(0.1)
    raise RuntimeError("the chat server did not start")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def startup_measure(data_dir: Path) -> tuple[float, float, float]:
    """A second start of the app as scripts/run.sh serves it (default engine, model not yet
    loaded): seconds from exec to the first 200 on /accounts/login/, the CPU seconds it spent
    until then (what a loaded machine doesn't change much), and its RSS in MB once idle."""
    from tests.live import free_port

    data_dir.mkdir(parents=True)
    env = {**os.environ, "CHATSITE_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    for name in ("DJANGO_SETTINGS_MODULE", "PROVIDER_ENGINE", "OPENAI_BASE_URL", "REDIS_URL"):
        env.pop(name, None)
    migrate = [sys.executable, "manage.py", "migrate", "-v0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)
    figures = (0.0, 0.0, 0.0)
    for _ in range(2):  # the first start writes the generated secrets; the second is measured
        port = free_port()
        started = time.monotonic()
        daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
        process = subprocess.Popen(
            [*daphne, "chatsite.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            seconds = _first_200(port, process) - started
            cpu = _cpu_seconds(process.pid)
            time.sleep(1)  # idle: what the process holds once the page is served
            figures = (seconds, cpu, _status_kb(process.pid, "VmRSS") / 1024)
        finally:
            _stop(process)
    return figures


def _first_200(port: int, process: subprocess.Popen) -> float:
    url = f"http://127.0.0.1:{port}/accounts/login/"
    while process.poll() is None:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=5).status_code == 200:
                return time.monotonic()
        time.sleep(0.02)
    raise RuntimeError("daphne exited before serving the login page")
