"""A live app with real task workers for the batch tests (module-scoped: processes are costly)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.batches.workers import WORKER_ENV, Workers
from tests.live import LiveServer, live_server_start


@pytest.fixture(scope="module")
def batch_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app (scripted engine) with short leases, so a dead worker's items return fast."""
    server = live_server_start(data_dir=tmp_path_factory.mktemp("batch-app"), **WORKER_ENV)
    yield server
    server.stop()


@pytest.fixture
def workers(batch_app: LiveServer) -> Iterator[Workers]:
    """Start db_worker processes on demand; all are stopped after the test."""
    pool = Workers(server=batch_app)
    yield pool
    pool.stop()
