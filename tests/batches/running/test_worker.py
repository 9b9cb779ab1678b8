"""The worker against a fake provider in this process: a run pauses at its owner's daily token
limit (nothing lost, the rest stays queued) and carries on, counting nothing twice."""

from __future__ import annotations

import pytest

from batches.models import ItemStatus, Run, RunStatus
from batches.running import worker
from batches.selectors import run_progress
from tests.batches.fake_provider import FakeProvider
from tests.samples import BATCH_CONFIG

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(60)]
TOKENS_PER_ITEM = 8  # the fake's usage: 5 input + 3 output


@pytest.fixture
def fake_provider(settings):
    provider = FakeProvider(latency=0.2).start()
    settings.OPENAI_BASE_URL = provider.base_url
    settings.OPENAI_API_KEY = "sk-fake"
    settings.OPENAI_BACKGROUND = False
    return provider


def _limit_tokens(settings, tokens: int) -> None:
    settings.USER_LIMIT_DEFAULTS = {**settings.USER_LIMIT_DEFAULTS, "tokens_per_day": tokens}


def _statuses(run: Run) -> list[str]:
    return list(run.items.values_list("status", flat=True))


def test_a_run_pauses_at_the_token_limit_and_resumes_losing_nothing(
    settings, fake_provider, run_factory
):
    _limit_tokens(settings, 2 * TOKENS_PER_ITEM)
    run = run_factory(
        prompts=[f"p{n}" for n in range(20)],
        configs=[{**BATCH_CONFIG, "model": "fake-model"}],
        concurrency=1,
        store=False,
    )
    paused = worker.run_work(run_id=run.pk)
    run.refresh_from_db()
    statuses = _statuses(run)
    assert paused is not None and paused.limit == "tokens_per_day"
    assert run.status == RunStatus.RUNNING and 2 <= run.done < 20 and run.failed == 0
    assert statuses.count(ItemStatus.DONE) == run.done
    assert statuses.count(ItemStatus.QUEUED) == 20 - run.done  # none left leased or failed
    assert run_progress(run=run)["paused"].startswith("Paused: You have used your 16 tokens")

    _limit_tokens(settings, 10_000)
    assert worker.run_work(run_id=run.pk) is None
    run.refresh_from_db()
    assert (run.status, run.done, run.failed) == (RunStatus.COMPLETED, 20, 0)
    assert run.input_tokens + run.output_tokens == 20 * TOKENS_PER_ITEM
    assert fake_provider.served == 20  # each item sent once, across the pause
    assert run_progress(run=run)["paused"] == ""
