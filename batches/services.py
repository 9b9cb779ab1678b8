"""Writes of batch runs: create, claim items under a lease, store results once, cancel, retry.

Only this module writes runs and items or publishes their progress.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from channels.layers import get_channel_layer
from django.db import connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from batches import configs as sweep
from batches import selectors
from batches.models import Item, ItemStatus, Run, RunStatus
from batches.outcomes import RESULT_FIELDS, TOKEN_FIELDS, ItemOutcome
from batches.parsing import Prompt

UNFINISHED = (ItemStatus.QUEUED, ItemStatus.RUNNING)


@transaction.atomic
def run_create(
    *,
    owner: Any,
    name: str,
    prompts: list[Prompt],
    configs: list[dict[str, Any]],
    json_schema: dict[str, Any] | None = None,
    concurrency: int = 4,
    store: bool = True,
    reuse: bool = False,
) -> Run:
    """Store the run and its items (prompt x configuration); batches.tasks enqueues its work."""
    run = Run.objects.create(
        owner=owner,
        name=name[:200],
        configs=configs,
        prompt_count=len(prompts),
        json_schema=json_schema,
        concurrency=concurrency,
        store=store,
        reuse=reuse,
        total=len(prompts) * len(configs),
    )
    Item.objects.bulk_create(_items(run, prompts, configs, json_schema), batch_size=1000)
    return run


def _items(
    run: Run, prompts: list[Prompt], configs: list[dict[str, Any]], schema: dict | None
) -> Iterable[Item]:
    for p, prompt in enumerate(prompts):
        for c, config in enumerate(configs):
            body = sweep.request_body(
                config=config, prompt=prompt.input, overrides=prompt.overrides, json_schema=schema
            )
            yield Item(
                run=run,
                prompt_index=p,
                config_index=c,
                prompt=prompt.input,
                overrides=prompt.overrides,
                cache_key=sweep.cache_key(body=body),
            )


def run_start(*, run_id: uuid.UUID) -> None:
    """Mark a queued run running (the first worker to reach it)."""
    Run.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    )


def items_claim(
    *, run_id: uuid.UUID, limit: int, lease_seconds: float
) -> tuple[uuid.UUID, list[Item]]:
    """Lease up to `limit` queued items, or running ones whose lease expired, to one token."""
    token, now = uuid.uuid4(), timezone.now()
    claimable = Q(status=ItemStatus.QUEUED) | Q(status=ItemStatus.RUNNING, lease_expires_at__lt=now)
    with transaction.atomic():
        candidates = Item.objects.filter(claimable, run_id=run_id).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:limit])
        # Conditional: an item another worker claimed since the read is not taken twice.
        Item.objects.filter(claimable, pk__in=ids).update(
            status=ItemStatus.RUNNING,
            lease_token=token,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            attempts=F("attempts") + 1,
        )
    return token, list(Item.objects.filter(lease_token=token).order_by("pk"))


def leases_renew(*, tokens: Iterable[uuid.UUID], lease_seconds: float) -> int:
    """Extend the leases a live worker still holds."""
    return Item.objects.filter(lease_token__in=list(tokens), status=ItemStatus.RUNNING).update(
        lease_expires_at=timezone.now() + timedelta(seconds=lease_seconds)
    )


def items_release(*, item_ids: list[int]) -> int:
    """Queue again items claimed but never sent (a worker pausing at the owner's limit)."""
    return Item.objects.filter(pk__in=item_ids, status=ItemStatus.RUNNING).update(
        status=ItemStatus.QUEUED,
        lease_token=None,
        lease_expires_at=None,
        attempts=F("attempts") - 1,
    )


@transaction.atomic
def items_finish(*, run_id: uuid.UUID, outcomes: list[ItemOutcome]) -> int:
    """Store results whose lease still holds, and add exactly those to the run's totals."""
    stored = [outcome for outcome in outcomes if _item_store(outcome)]
    if stored:
        Run.objects.filter(pk=run_id).update(
            done=F("done") + sum(not o.failed for o in stored),
            failed=F("failed") + sum(o.failed for o in stored),
            input_tokens=F("input_tokens") + sum(o.tokens("input_tokens") for o in stored),
            cached_tokens=F("cached_tokens") + sum(o.tokens("cached_tokens") for o in stored),
            output_tokens=F("output_tokens") + sum(o.tokens("output_tokens") for o in stored),
            reasoning_tokens=F("reasoning_tokens")
            + sum(o.tokens("reasoning_tokens") for o in stored),
            cost=F("cost") + sum(o.cost for o in stored),
        )
    return len(stored)


def _item_store(outcome: ItemOutcome) -> bool:
    """The conditional UPDATE: only the lease holder, only while the item is still running."""
    fields = {key: value for key, value in outcome.fields.items() if key in RESULT_FIELDS}
    return bool(
        Item.objects.filter(
            pk=outcome.item_id, lease_token=outcome.lease_token, status=ItemStatus.RUNNING
        ).update(
            **fields,
            status=ItemStatus.FAILED if outcome.failed else ItemStatus.DONE,
            lease_token=None,
            lease_expires_at=None,
            finished_at=timezone.now(),
        )
    )


def run_complete_if_finished(*, run_id: uuid.UUID) -> bool:
    """Mark the run completed once no item is queued or running."""
    if Item.objects.filter(run_id=run_id, status__in=UNFINISHED).exists():
        return False
    Run.objects.filter(pk=run_id, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
        status=RunStatus.COMPLETED, finished_at=timezone.now()
    )
    return True


@transaction.atomic
def run_cancel(*, run: Run) -> int:
    """Cancel every unfinished item; workers see the status and cancel their in-flight calls."""
    cancelled = Item.objects.filter(run=run, status__in=UNFINISHED).update(
        status=ItemStatus.CANCELLED, lease_token=None, lease_expires_at=None
    )
    Run.objects.filter(pk=run.pk).update(
        status=RunStatus.CANCELLED,
        cancelled=F("cancelled") + cancelled,
        finished_at=timezone.now(),
    )
    return cancelled


@transaction.atomic
def run_retry_failed(*, run: Run) -> int:
    """Queue the failed items again (their old results leave the totals); returns how many."""
    failed = Item.objects.filter(run=run, status=ItemStatus.FAILED)
    sums = failed.aggregate(**{name: Sum(name) for name in TOKEN_FIELDS}, cost=Sum("cost"))
    count = failed.update(
        status=ItemStatus.QUEUED, error="", response_status="", attempts=0, finished_at=None
    )
    if count:
        Run.objects.filter(pk=run.pk).update(
            failed=F("failed") - count,
            status=RunStatus.RUNNING,
            finished_at=None,
            **{name: F(name) - (sums[name] or 0) for name in TOKEN_FIELDS},
            cost=F("cost") - (sums["cost"] or 0),
        )
    return count


async def run_progress_publish(*, run_id: uuid.UUID) -> None:
    """Send the run's counters to every tab watching it (group `batch.<id>`)."""
    progress = await selectors.arun_progress(run_id=run_id)
    await get_channel_layer().group_send(
        selectors.run_group(run_id), {"type": "batch.progress", "progress": progress}
    )
