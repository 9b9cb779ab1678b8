"""Real task-worker processes (`manage.py db_worker`) beside a live app, and reading its DB."""

from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.live import ROOT, LiveServer

WORKER_ENV = {
    "BATCH_LEASE_SECONDS": "2",
    "BATCH_TASKS_PER_RUN": "2",
    "BATCH_PROGRESS_POLL_SECONDS": "0.2",
}


@dataclass
class Workers:
    """db_worker processes sharing the live app's database."""

    server: LiveServer
    processes: list[subprocess.Popen] = field(default_factory=list)

    def start(self, count: int = 1) -> list[subprocess.Popen]:
        started = []
        for _ in range(count):
            log = open(self.server.data_dir / "workers.log", "ab")  # noqa: SIM115
            command = [sys.executable, "manage.py", "db_worker", "--interval", "0.1"]
            command += ["--no-reload", "--no-startup-delay"]
            started.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=self.server.env, stdout=log, stderr=subprocess.STDOUT
                )
            )
        self.processes += started
        return started

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL: no clean-up at all."""
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def db_rows(server: LiveServer, query: str, *params: Any) -> list[tuple]:
    """Read the live app's SQLite database (read-only)."""
    uri = f"file:{server.data_dir / 'db.sqlite3'}?mode=ro"
    with sqlite3.connect(uri, uri=True, timeout=30) as connection:
        return connection.execute(query, params).fetchall()


def run_row(server: LiveServer, run_id: str) -> dict[str, Any]:
    names = ["status", "total", "done", "failed", "cancelled", "input_tokens", "output_tokens"]
    row = db_rows(server, f"SELECT {', '.join(names)} FROM batches_run WHERE id = ?", run_id)
    return dict(zip(names, row[0], strict=True))


def wait_for(check: Callable[[], Any], *, timeout: float = 120, interval: float = 0.2) -> Any:
    """Poll until check() is truthy; its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"not reached within {timeout} s")


def run_submit(http: httpx.Client, **fields: Any) -> str:
    """Post the new-run form; the run's id (hex, as SQLite stores it)."""
    page = http.get("/batches/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = {"csrfmiddlewaretoken": token, "concurrency": "4", "store": "on", **fields}
    response = http.post("/batches/", data=data)
    assert response.status_code == 200, response.text[:2000]
    match = re.search(r"/batches/([0-9a-f-]{36})/$", str(response.url))
    assert match, f"no run created: {response.url}"
    return match.group(1).replace("-", "")
