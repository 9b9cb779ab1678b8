"""Batch reads: the daily-limit token counter and the pause a spent limit puts on a run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import limits
from accounts.models import UserLimits
from batches import selectors
from batches.models import Item, ItemStatus
from batches.parsing import Prompt
from tests.samples import BATCH_CONFIG

pytestmark = pytest.mark.django_db
CONFIG = {**BATCH_CONFIG, "max_output_tokens": 100}


def _answer(item: Item, *, tokens: tuple[int, int], reused: bool = False, ago: int = 0) -> None:
    item.status, item.reused = ItemStatus.DONE, reused
    item.input_tokens, item.output_tokens = tokens
    item.finished_at = timezone.now() - timedelta(seconds=ago)
    item.save(update_fields=["status", "reused", "input_tokens", "output_tokens", "finished_at"])


def test_batch_tokens_count_own_answered_items_since_then_not_reused_ones(run_factory):
    mine, theirs = run_factory(prompts=("a", "b", "c")), run_factory()
    first, second, third = mine.items.all()
    _answer(first, tokens=(5, 3))
    _answer(second, tokens=(7, 1), reused=True)
    _answer(third, tokens=(100, 100), ago=3600)
    _answer(theirs.items.first(), tokens=(50, 50))
    since = timezone.now() - timedelta(minutes=5)
    assert selectors.user_tokens_since(user_id=mine.owner_id, since=since) == 8


def test_batch_tokens_are_registered_with_the_daily_limit(run_factory):
    run = run_factory()
    _answer(run.items.first(), tokens=(40, 2))
    since = timezone.now() - timedelta(minutes=5)
    assert limits.user_tokens_since(user_id=run.owner_id, since=since) >= 42


def test_an_unfinished_run_of_a_user_over_the_limit_shows_paused(run_factory):
    run = run_factory()
    UserLimits.objects.create(user=run.owner, tokens_per_day=10)
    assert selectors.run_progress(run=run)["paused"] == ""
    _answer(run.items.first(), tokens=(8, 2))
    assert selectors.run_progress(run=run)["paused"].startswith("Paused: You have used your 10")


def test_the_estimate_adds_the_output_limit_or_the_default(run_factory):
    prompts = [Prompt(input="word " * 40)] * 2
    limited = selectors.run_estimate(prompts=prompts, configs=[CONFIG])
    unlimited = selectors.run_estimate(
        prompts=prompts, configs=[{**CONFIG, "max_output_tokens": None}]
    )
    assert limited["output_tokens"] == 2 * 100
    assert unlimited["output_tokens"] == 2 * selectors.OUTPUT_TOKENS_DEFAULT
    assert limited["tokens"] == limited["input_tokens"] + limited["output_tokens"]
