"""Two daphne processes sharing one database (a SQLite file, or a real PostgreSQL) and one
real Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from tests.live import LiveServer, live_server_start
from tests.multiprocess.postgres_server import postgres_server
from tests.multiprocess.redis_server import redis_server

# Short intervals so the reaper acts within a test; production defaults are seconds longer.
# The stale limit leaves room for a loaded 2-core CI box: a live worker whose heartbeat is merely
# late must not look dead (a second worker would then relay the same turn).
FAST_SUPERVISION = {
    "GENERATION_CHECKPOINT_SECONDS": "0.3",
    "GENERATION_STALE_SECONDS": "5",
    "GENERATION_REAPER_SECONDS": "0.3",
}


@dataclass
class Cluster:
    a: LiveServer
    b: LiveServer
    redis_url: str


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server on a free loopback port."""
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh database for one cluster: a SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'shared.sqlite3'}"
    server = request.getfixturevalue("postgres_url")
    name = f"cluster_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server.rsplit("/", 1)[0] + f"/{name}"


def cluster_start(root: Path, redis_url: str, database_url: str, **extra: str) -> Cluster:
    """Processes A and B on one database and one Redis."""
    shared = {
        "REDIS_URL": redis_url,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "cluster-secret-key-for-tests-only-0123456789",
        **FAST_SUPERVISION,
        **extra,
    }
    a = live_server_start(data_dir=root / "a", **shared)
    b = live_server_start(data_dir=root / "b", **shared)
    return Cluster(a=a, b=b, redis_url=redis_url)


@pytest.fixture
def cluster(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, database_url: str
) -> Iterator[Cluster]:
    """A and B, each calling its own embedded provider (which dies with its process)."""
    cluster = cluster_start(tmp_path_factory.mktemp("cluster"), redis_url, database_url)
    yield cluster
    cluster.a.stop()
    cluster.b.stop()


@pytest.fixture
def provider_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A third process whose embedded provider outlives A and B."""
    server = live_server_start(data_dir=tmp_path_factory.mktemp("provider"))
    yield server
    server.stop()


@pytest.fixture
def cluster_external(
    tmp_path_factory: pytest.TempPathFactory,
    redis_url: str,
    database_url: str,
    provider_server: LiveServer,
) -> Iterator[Cluster]:
    """A and B calling one provider in its own process."""
    root = tmp_path_factory.mktemp("cluster-external")
    cluster = cluster_start(root, redis_url, database_url, OPENAI_BASE_URL=provider_server.v1)
    yield cluster
    cluster.a.stop()
    cluster.b.stop()
