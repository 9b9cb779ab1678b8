"""Claims, exactly-once results, Cancel and Retry failed items, on the database."""

from __future__ import annotations

import uuid

import pytest

from batches import services
from batches.models import Item, Run
from batches.outcomes import ItemOutcome
from batches.parsing import Prompt

pytestmark = pytest.mark.django_db

CONFIG = {
    "model": "m",
    "temperature": None,
    "instructions": "",
    "reasoning_effort": None,
    "max_output_tokens": None,
}


@pytest.fixture
def run(user_factory) -> Run:
    prompts = [Prompt(input=f"p{n}") for n in range(3)]
    return services.run_create(owner=user_factory(), name="r", prompts=prompts, configs=[CONFIG])


def _done(item: Item, token: uuid.UUID, tokens: int = 5) -> ItemOutcome:
    return ItemOutcome(item.pk, token, False, {"output_text": "ok", "output_tokens": tokens})


def test_a_claim_takes_each_item_once(run):
    _, first = services.items_claim(run_id=run.pk, limit=2, lease_seconds=30)
    _, second = services.items_claim(run_id=run.pk, limit=5, lease_seconds=30)
    assert len(first) == 2 and len(second) == 1
    assert not {i.pk for i in first} & {i.pk for i in second}


def test_an_expired_lease_is_claimed_again(run):
    services.items_claim(run_id=run.pk, limit=3, lease_seconds=-1)
    _, again = services.items_claim(run_id=run.pk, limit=3, lease_seconds=30)
    assert [item.attempts for item in again] == [2, 2, 2]


def test_a_result_is_stored_and_counted_once(run):
    old_token, items = services.items_claim(run_id=run.pk, limit=1, lease_seconds=-1)
    new_token, _ = services.items_claim(run_id=run.pk, limit=1, lease_seconds=30)
    # The first worker lost its lease: its late result is dropped; the holder's counts once.
    assert services.items_finish(run_id=run.pk, outcomes=[_done(items[0], old_token)]) == 0
    assert services.items_finish(run_id=run.pk, outcomes=[_done(items[0], new_token)]) == 1
    assert services.items_finish(run_id=run.pk, outcomes=[_done(items[0], new_token)]) == 0
    run.refresh_from_db()
    assert (run.done, run.output_tokens) == (1, 5)


def test_cancel_cancels_unfinished_items_and_late_results_are_dropped(run):
    token, items = services.items_claim(run_id=run.pk, limit=1, lease_seconds=30)
    assert services.run_cancel(run=run) == 3
    assert services.items_finish(run_id=run.pk, outcomes=[_done(items[0], token)]) == 0
    run.refresh_from_db()
    assert (run.status, run.cancelled, run.done) == ("cancelled", 3, 0)


def test_retry_failed_requeues_them_and_takes_them_out_of_the_totals(run):
    token, items = services.items_claim(run_id=run.pk, limit=3, lease_seconds=30)
    failed = ItemOutcome(items[0].pk, token, True, {"error": "boom", "input_tokens": 7})
    services.items_finish(run_id=run.pk, outcomes=[failed, _done(items[1], token)])
    assert services.run_retry_failed(run=run) == 1
    run.refresh_from_db()
    assert (run.failed, run.done, run.input_tokens, run.status) == (0, 1, 0, "running")
    assert Item.objects.get(pk=items[0].pk).status == "queued"


def test_completed_once_nothing_is_unfinished(run):
    token, items = services.items_claim(run_id=run.pk, limit=3, lease_seconds=30)
    assert not services.run_complete_if_finished(run_id=run.pk)
    services.items_finish(run_id=run.pk, outcomes=[_done(item, token) for item in items])
    assert services.run_complete_if_finished(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "completed"
