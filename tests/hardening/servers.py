"""Redis and PostgreSQL servers on a fixed loopback port that a test can stop and start again."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import redis

from tests.live import free_port
from tests.multiprocess.postgres_server import postgres_bin
from tests.polling import server_wait_ready


class Restartable:
    """A server process: start() and stop() keep its port and data."""

    name = ""
    process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def ping(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        log = open(self.folder / f"{self.name}.log", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(self.command(), stdout=log, stderr=log)
        server_wait_ready(self.process, name=self.name, ping=self.ping)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


class RedisServer(Restartable):
    name = "redis-server"

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        return [
            executable,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.folder),
        ]

    def ping(self) -> None:
        redis.Redis.from_url(self.url).ping()


class PostgresServer(Restartable):
    name = "postgres"

    def __init__(self, folder: Path) -> None:
        # As root the server runs as the package's user, which must reach its folder.
        self.folder, self.port = folder, free_port()
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(folder, "postgres")
        subprocess.run(
            [
                *self.as_user,
                str(postgres_bin() / "initdb"),
                "-D",
                str(folder / "cluster"),
                "-U",
                "chatsite",
                "-A",
                "trust",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.url = f"postgres://chatsite@127.0.0.1:{self.port}/postgres"

    def command(self) -> list[str]:
        return [
            *self.as_user,
            str(postgres_bin() / "postgres"),
            "-D",
            str(self.folder / "cluster"),
            "-p",
            str(self.port),
            "-h",
            "127.0.0.1",
            "-k",
            str(self.folder),
            "-c",
            "fsync=off",
        ]

    def ping(self) -> None:
        psycopg.connect(self.url).close()
