"""The Open Responses compliance tester against the embedded /v1 on the real SmolLM2.

The tester is the shared runner beside the clone (`../shared/tools/openresponses/run`, which
fetches bun and zod from npm on first use); OPENRESPONSES_RUN names another copy.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.live import ROOT, live_server_start

pytestmark = [pytest.mark.model, pytest.mark.conformance, pytest.mark.timeout(900)]

RUNNER = Path(os.environ.get("OPENRESPONSES_RUN") or ROOT.parent / "shared/tools/openresponses/run")
TESTS = 17


def test_every_open_responses_test_passes(tmp_path: Path) -> None:
    if not RUNNER.exists():
        pytest.fail(f"The Open Responses tester is not at {RUNNER} (set OPENRESPONSES_RUN).")
    # Greedy decoding, though not fully reproducible: the tester's concurrent requests are
    # batched differently from run to run, and batched greedy replies differ in places.
    server = live_server_start(
        data_dir=tmp_path / "app", engine="llama", PROVIDER_DEFAULT_TEMPERATURE="0"
    )
    try:
        # Loaded before the tester's concurrent tests start, as on a server that is running.
        warm = {"model": "m", "input": "Hi", "max_output_tokens": 16}
        auth = {"Authorization": f"Bearer {server.api_key}"}
        httpx.post(f"{server.v1}/responses", json=warm, headers=auth, timeout=120)
        command = [str(RUNNER), "-u", server.v1, "-k", server.api_key, "--json"]
        command += ["-m", "smollm2-135m-instruct"]
        run = subprocess.run(command, capture_output=True, text=True, timeout=840, check=False)
    finally:
        server.stop()

    report = json.loads(run.stdout)
    failed = {r["id"]: r.get("errors") for r in report["results"] if r["status"] != "passed"}
    assert report["summary"]["passed"] == TESTS, f"failed: {json.dumps(failed, indent=1)}"
