"""A throw-away PostgreSQL server on a free loopback port (Debian's postgresql package)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.live import free_port
from tests.polling import server_wait_ready


def postgres_bin() -> Path | None:
    """The directory of Debian's initdb and postgres, newest version first; None if absent."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(found[0]).parent if found else None


@contextmanager
def postgres_server() -> Iterator[str]:
    """initdb a fresh cluster in a temporary directory, run it on loopback, yield its URL."""
    # Its own directory under /tmp: pytest's are private to root, and as root the server runs
    # as another user (below), which must be able to reach its files.
    with tempfile.TemporaryDirectory(prefix="chatsite-postgres-") as folder:
        yield from _serve(Path(folder))


def _serve(data_dir: Path) -> Iterator[str]:
    binaries = postgres_bin()
    assert binaries is not None, "PostgreSQL is not installed (scripts/system-deps.sh does it)"
    # PostgreSQL refuses to run as root: run it as the package's own user then.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(data_dir, "postgres")
    cluster = data_dir / "cluster"
    subprocess.run(
        [*as_user, str(binaries / "initdb"), "-D", str(cluster), "-U", "chatsite", "-A", "trust"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    server = [str(binaries / "postgres"), "-D", str(cluster), "-p", str(port)]
    options = ["-h", "127.0.0.1", "-k", str(data_dir), "-c", "fsync=off"]
    log = open(data_dir / "postgres.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([*as_user, *server, *options], stdout=log, stderr=log)
    url = f"postgres://chatsite@127.0.0.1:{port}/postgres"
    try:
        server_wait_ready(process, name="postgres", ping=lambda: psycopg.connect(url).close())
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
