"""The task side: a worker paused at its owner's limit enqueues itself for later."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.limits import LimitExceeded
from batches import tasks

pytestmark = pytest.mark.django_db


def _paused_until(monkeypatch, resets_at):
    limit = LimitExceeded("tokens_per_day", "spent", resets_at)
    monkeypatch.setattr(tasks.worker, "run_work", lambda *, run_id: limit)


def test_a_paused_run_looks_again_after_the_recheck_interval(monkeypatch):
    _paused_until(monkeypatch, timezone.now() + timedelta(hours=6))
    run_id = str(uuid.uuid4())
    before = timezone.now()
    tasks.batch_work.call(run_id=run_id)
    again = DBTaskResult.objects.get()
    assert again.args_kwargs["kwargs"] == {"run_id": run_id}
    assert before + tasks.PAUSE_RECHECK <= again.run_after <= timezone.now() + tasks.PAUSE_RECHECK


def test_a_limit_that_resets_sooner_resumes_at_the_reset(monkeypatch):
    resets_at = timezone.now() + timedelta(seconds=20)
    _paused_until(monkeypatch, resets_at)
    tasks.batch_work.call(run_id=str(uuid.uuid4()))
    assert DBTaskResult.objects.get().run_after == resets_at


def test_a_finished_worker_enqueues_nothing(monkeypatch):
    monkeypatch.setattr(tasks.worker, "run_work", lambda *, run_id: None)
    tasks.batch_work.call(run_id=str(uuid.uuid4()))
    assert not DBTaskResult.objects.exists()
