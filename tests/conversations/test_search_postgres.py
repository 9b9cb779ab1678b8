"""The search tests again, on a real PostgreSQL server (its own test database, in a subprocess:
this process's Django is configured for SQLite)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.live import ROOT
from tests.multiprocess.postgres_server import postgres_server

SEARCH_TESTS = [
    "tests/conversations/test_search.py",
    "tests/conversations/test_searchindex.py",
    "tests/conversations/test_views_search.py",
    "tests/conversations/migrations/test_0009_search_owner.py",
]


def test_search_suite_passes_on_postgresql():
    with postgres_server() as url:
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
            + ["--ds", "tests.settings_postgres", *SEARCH_TESTS],
            cwd=ROOT,
            env={**os.environ, "CHATSITE_TEST_POSTGRES_URL": url},
            capture_output=True,
            text=True,
            timeout=300,
        )
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else run.stderr
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    # Everything ran on PostgreSQL except the two tests of SQLite's own index.
    assert re.search(r"\b\d+ passed, 2 skipped\b", summary), summary
