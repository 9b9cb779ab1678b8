"""A real redis-server on a free loopback port, for tests and the bench."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.live import free_port
from tests.polling import server_wait_ready


@contextmanager
def redis_server(data_dir: Path) -> Iterator[str]:
    """Run Debian's redis-server (scripts/system-deps.sh installs it); yield its URL."""
    executable = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            executable,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data_dir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        server_wait_ready(process, name="redis-server", ping=redis.Redis.from_url(url).ping)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
