"""Provider faults in batch runs: each item is retried per policy, then failed with a clear
error; the run ends and no item is left queued or leased (the worker runs in this process)."""

from __future__ import annotations

import asyncio
import threading

import pytest

from batches.models import ItemStatus, RunStatus
from batches.running import worker
from tests.hardening.fake_provider import FakeProvider
from tests.live import free_port
from tests.samples import BATCH_CONFIG

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]
ITEMS = 3
ATTEMPTS = 3
FAULTS = ["429", "500", "503", "timeout", "cut", "malformed", "refused"]


@pytest.fixture
def provider(settings):
    """The misbehaving provider, served from a loop of its own (the worker runs its own)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = FakeProvider()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(5)
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = fake.url, "sk-fake"
    settings.OPENAI_BACKGROUND, settings.OPENAI_TIMEOUT_SECONDS = False, 0.5
    settings.BATCH_MAX_ATTEMPTS = ATTEMPTS
    yield fake
    asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(5)
    loop.call_soon_threadsafe(loop.stop)


@pytest.mark.parametrize("fault", FAULTS)
def test_each_fault_fails_items_clearly_and_ends_the_run(
    provider, settings, run_factory, fault, table
):
    provider.fault = fault
    if fault == "refused":
        settings.OPENAI_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens
    run = run_factory(
        prompts=[f"p{n}" for n in range(ITEMS)],
        configs=[{**BATCH_CONFIG, "model": "fake-model"}],
        concurrency=1,
        store=False,
    )
    worker.run_work(run_id=run.pk)
    run.refresh_from_db()
    sent = 0 if fault == "refused" else ITEMS * ATTEMPTS
    for item in run.items.all():
        ok = (
            item.status == ItemStatus.FAILED
            and bool(item.error.strip())
            and run.status == RunStatus.COMPLETED
        )
        table.record(
            f"Provider fault (batch): {fault}",
            ok,
            f"{item.status} {item.error!r} run={run.status}",
        )
    table.note(f"batch item, provider {fault}: {item.error!r}")
    row = table.row(f"Provider fault (batch): {fault}")
    assert provider.requests == sent  # each item tried ATTEMPTS times, with backoff
    assert row.passed == row.tried == ITEMS, row.failures
