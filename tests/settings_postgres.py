"""Test settings on a real PostgreSQL server: `CHATSITE_TEST_POSTGRES_URL`, or one started on
loopback for this run and thrown away at exit.

    .venv/bin/python -m pytest --ds tests.settings_postgres tests/conversations/test_search.py
"""

from __future__ import annotations

import atexit
import os

import dj_database_url

from tests.settings import *  # noqa: F403

if not os.environ.get("CHATSITE_TEST_POSTGRES_URL"):
    from tests.multiprocess.postgres_server import postgres_server

    _server = postgres_server()
    os.environ["CHATSITE_TEST_POSTGRES_URL"] = _server.__enter__()
    atexit.register(_server.__exit__, None, None, None)

DATABASES = {"default": dj_database_url.parse(os.environ["CHATSITE_TEST_POSTGRES_URL"])}
