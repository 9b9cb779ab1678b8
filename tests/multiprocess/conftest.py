"""Two daphne processes sharing one SQLite file and one real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live import LiveServer, live_server_start
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


def cluster_start(root: Path, redis_url: str, **extra: str) -> Cluster:
    """Processes A and B on one database and one Redis."""
    shared = {
        "REDIS_URL": redis_url,
        "DATABASE_URL": f"sqlite:///{root / 'shared.sqlite3'}",
        "SECRET_KEY": "cluster-secret-key-for-tests-only-0123456789",
        **FAST_SUPERVISION,
        **extra,
    }
    a = live_server_start(data_dir=root / "a", **shared)
    b = live_server_start(data_dir=root / "b", **shared)
    return Cluster(a=a, b=b, redis_url=redis_url)


@pytest.fixture
def cluster(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[Cluster]:
    """A and B, each calling its own embedded provider (which dies with its process)."""
    cluster = cluster_start(tmp_path_factory.mktemp("cluster"), redis_url)
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
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, provider_server: LiveServer
) -> Iterator[Cluster]:
    """A and B calling one provider in its own process."""
    root = tmp_path_factory.mktemp("cluster-external")
    cluster = cluster_start(root, redis_url, OPENAI_BASE_URL=provider_server.v1)
    yield cluster
    cluster.a.stop()
    cluster.b.stop()
