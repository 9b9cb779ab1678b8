"""The task framework's side of batch runs (django-tasks, database backend).

Workers are `manage.py db_worker` processes on any machine sharing the database. Each run
enqueues BATCH_TASKS_PER_RUN tasks, so that many workers can share it; a task works until the
run has nothing left to claim (waiting out leases of workers that died), or until the owner's
daily token limit is spent: then it enqueues itself for later and the run waits, paused.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from batches import selectors, services
from batches.models import Run
from batches.running import worker

# A run paused at its owner's token limit looks again this often (staff may raise the limit).
PAUSE_RECHECK = timedelta(minutes=5)


@task()
def batch_work(run_id: str) -> None:
    """Work on one run in this worker process; paused at the owner's limit, come back later."""
    paused = worker.run_work(run_id=uuid.UUID(run_id))
    if paused is not None:
        resume_at = timezone.now() + PAUSE_RECHECK
        if paused.resets_at is not None:
            resume_at = min(resume_at, paused.resets_at)
        batch_work.using(run_after=resume_at).enqueue(run_id=run_id)


def run_enqueue(*, run_id: uuid.UUID) -> None:
    """Enqueue the run's tasks once the current transaction commits."""

    def enqueue() -> None:
        for _ in range(settings.BATCH_TASKS_PER_RUN):
            batch_work.enqueue(run_id=str(run_id))

    transaction.on_commit(enqueue)


@transaction.atomic
def run_submit(**options: Any) -> Run:
    """Create a run (services.run_create's arguments) and enqueue its work."""
    run = services.run_create(**options)
    run_enqueue(run_id=run.pk)
    return run


@transaction.atomic
def run_retry(*, run: Run) -> int:
    """Queue a run's failed items again and enqueue workers for them."""
    count = services.run_retry_failed(run=run)
    if count:
        run_enqueue(run_id=run.pk)
    return count


def runs_resume() -> int:
    """Enqueue work for every unfinished run (after a restart of everything); returns how many."""
    runs = selectors.runs_unfinished_ids()
    for run_id in runs:
        run_enqueue(run_id=run_id)
    return len(runs)
