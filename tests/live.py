"""Run the whole app in a real daphne process for tests that need a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on loopback that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """A daphne process serving chatsite (pages, websocket and the embedded /v1)."""

    port: int
    api_key: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def v1(self) -> str:
        return f"{self.url}/v1"

    def start(self) -> None:
        """Start daphne and wait until it answers."""
        log = open(self.data_dir / f"daphne-{self.port}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "chatsite.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited; see {log.name}")
            try:
                httpx.get(f"{self.url}/accounts/login/", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("daphne did not start within 60 s")

    def stop(self) -> None:
        """Stop daphne."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def live_server_start(*, data_dir: Path, engine: str = "scripted", **extra: str) -> LiveServer:
    """Migrate a fresh database in data_dir and start the app on a free port."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    api_key = "sk-live-test"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chatsite.settings",
        "CHATSITE_DATA_DIR": str(data_dir),
        "PORT": str(port),
        "PROVIDER_ENGINE": engine,
        "OPENAI_API_KEY": api_key,
        "PYTHONUNBUFFERED": "1",
        **extra,
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    server = LiveServer(port=port, api_key=api_key, data_dir=data_dir, env=env)
    server.start()
    return server
