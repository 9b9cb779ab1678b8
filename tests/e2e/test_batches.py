"""Batch runs in a real browser: pasted prompts x 2 temperatures, live progress, results, CSV."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.batches.workers import Workers
from tests.e2e.conftest import signup
from tests.live import LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(180)]


@pytest.fixture(scope="module")
def batch_worker(live_app: LiveServer) -> Iterator[Workers]:
    """One real db_worker beside the live app, as scripts/run.sh starts it."""
    pool = Workers(server=live_app)
    pool.start(1)
    yield pool
    pool.stop()


def test_run_from_pasted_prompts_reaches_its_total_and_downloads(page: Page, batch_worker):
    signup(page)
    page.get_by_role("link", name="Batches").click()
    prompts = "\n".join(f"Browser prompt {n}" for n in range(1, 16))
    page.get_by_role("textbox", name="Prompts").fill(prompts)
    page.get_by_role("textbox", name="Models").fill("smollm2-135m-instruct")
    page.get_by_role("textbox", name="Temperatures").fill("0.2, 0.9")
    page.get_by_role("textbox", name="Instructions").fill("Answer briefly.")
    page.get_by_role("spinbutton", name="Concurrency").fill("4")
    expect(page.get_by_role("textbox", name="JSON schema")).to_be_empty()
    page.get_by_role("button", name="Start run").click()

    progress = page.get_by_role("progressbar", name="Progress")
    expect(progress).to_have_attribute("aria-valuemax", "30")
    expect(progress).to_have_attribute("aria-valuenow", "30", timeout=90_000)
    expect(page.get_by_role("button", name="Cancel run")).to_be_disabled()

    results = page.get_by_role("table", name="Results")
    expect(results.get_by_role("row")).to_have_count(16)
    expect(results).to_contain_text("You said: Browser prompt 15")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    csv_text = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert csv_text.startswith("prompt_index,prompt,config_index")
    assert len(csv_text.strip().splitlines()) == 31
    expect(page.get_by_role("link", name="Download JSONL")).to_be_visible()
