"""A provider that rate-limits: retry-after and x-ratelimit-* headers pace the run (batch_run)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.batches.fake_provider import FakeProvider
from tests.live import ROOT

pytestmark = pytest.mark.timeout(180)


def test_429s_and_exhausted_windows_fail_nothing_and_overshoot_nothing(tmp_path):
    provider = FakeProvider(
        latency=0.02, limit=10, window_seconds=0.5, reject_every=9, retry_after=0.2
    ).start()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "chatsite.settings",
        "CHATSITE_DATA_DIR": str(tmp_path),
        "EMBEDDED_PROVIDER": "false",
        "OPENAI_BASE_URL": provider.base_url,
        "OPENAI_API_KEY": "sk-fake",
        "BATCH_MAX_ATTEMPTS": "8",
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [
            *manage,
            "shell",
            "-c",
            "from django.contrib.auth.models import User; "
            "User.objects.create_superuser('admin', '', 'pw')",
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("".join(f"Question {n}\n" for n in range(60)))
    out = tmp_path / "results.jsonl"
    subprocess.run(
        [
            *manage,
            "batch_run",
            str(prompts),
            "--model",
            "fake-model",
            "--concurrency",
            "8",
            "--no-store",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=150,
    )
    results = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(results) == 60
    assert [r["status"] for r in results].count("done") == 60
    assert provider.rejected > 0  # the injected 429s happened and were retried
    assert provider.over_limit == 0  # nothing sent after remaining hit 0 before the reset
