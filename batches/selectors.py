"""Reads of batch runs, always filtered by owner where a person asks."""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import limits
from batches import configs as sweep
from batches.models import Item, ItemStatus, Run, RunStatus
from batches.outcomes import RESULT_FIELDS, TOKEN_FIELDS
from batches.parsing import prompt_label
from pricing.selectors import cost_compute, prices_by_model

PROGRESS_FIELDS = ("status", "total", "done", "failed", "cancelled", *TOKEN_FIELDS, "cost")
PROMPTS_PER_PAGE = 50
UNFINISHED_RUN = (RunStatus.QUEUED, RunStatus.RUNNING)
# The preview's output tokens per answer where no max_output_tokens caps it (a long answer).
OUTPUT_TOKENS_DEFAULT = 1000


def run_group(run_id: uuid.UUID | str) -> str:
    """The channel-layer group of a run's watchers."""
    return f"batch.{run_id}"


def run_list(*, owner: Any) -> QuerySet[Run]:
    """The owner's runs, newest first."""
    return Run.objects.filter(owner=owner)


def run_get(*, owner: Any, run_id: uuid.UUID) -> Run:
    """One run of the owner (Run.DoesNotExist for anyone else's)."""
    return Run.objects.get(owner=owner, pk=run_id)


async def arun_owned(*, owner_id: int, run_id: uuid.UUID) -> bool:
    """Whether the run exists and belongs to this user (the socket's check)."""
    return await Run.objects.filter(pk=run_id, owner_id=owner_id).aexists()


def run_for_worker(*, run_id: uuid.UUID) -> Run:
    """A run as a worker reads it (no owner: the task names the run)."""
    return Run.objects.get(pk=run_id)


def runs_unfinished_ids() -> list[uuid.UUID]:
    """Runs not yet completed or cancelled."""
    return list(Run.objects.filter(status__in=UNFINISHED_RUN).values_list("pk", flat=True))


def user_tokens_since(*, user_id: int, since: datetime) -> int:
    """Input plus output tokens of the user's answered items since then (reused ones spent none):
    the batch runs' counter for the daily limit."""
    items = Item.objects.filter(run__owner_id=user_id, finished_at__gte=since, reused=False)
    spent = items.aggregate(
        tokens=Sum(Coalesce("input_tokens", 0) + Coalesce("output_tokens", 0), default=0)
    )
    return spent["tokens"]


def run_start_limit_exceeded(*, owner_id: int) -> limits.LimitExceeded | None:
    """The limit a new run of this user would pass (runs per minute, tokens today), or None."""
    now = timezone.now()
    recent = Run.objects.filter(owner_id=owner_id, created_at__gt=now - limits.MINUTE)
    return limits.batch_limit_exceeded(
        user_id=owner_id,
        started_in_last_minute=list(recent.values_list("created_at", flat=True)),
        now=now,
    )


def run_pause_reason(*, owner_id: int) -> limits.LimitExceeded | None:
    """Why the owner's unfinished runs wait (the daily token limit is spent), or None."""
    return limits.tokens_exceeded(user_id=owner_id, now=timezone.now())


def run_status(*, run_id: uuid.UUID) -> str:
    """The run's status, re-read (workers watch it for Cancel)."""
    return Run.objects.values_list("status", flat=True).get(pk=run_id)


def run_unfinished_count(*, run_id: uuid.UUID) -> int:
    """Items still queued or running."""
    return Item.objects.filter(
        run_id=run_id, status__in=[ItemStatus.QUEUED, ItemStatus.RUNNING]
    ).count()


def _progress(row: dict[str, Any], started_at: Any, finished_at: Any, now: Any) -> dict[str, Any]:
    answered = row["done"] + row["failed"]
    elapsed = ((finished_at or now) - started_at).total_seconds() if started_at else 0.0
    rate = answered / elapsed if elapsed > 0 else 0.0
    left = row["total"] - answered - row["cancelled"]
    return {
        **row,
        "cost": str(row["cost"]),
        "answered": answered,
        "elapsed": round(elapsed, 1),
        "rate": round(rate, 2),
        "eta": round(left / rate, 1) if rate > 0 and left > 0 else None,
        "cached_ratio": round(row["cached_tokens"] / row["input_tokens"], 3)
        if row["input_tokens"]
        else 0.0,
    }


def run_progress(*, run: Run) -> dict[str, Any]:
    """Counters, rate, elapsed time and ETA as the run page and its socket show them."""
    row = {name: getattr(run, name) for name in PROGRESS_FIELDS}
    progress = _progress(row, run.started_at, run.finished_at, timezone.now())
    paused = run.status in UNFINISHED_RUN and run_pause_reason(owner_id=run.owner_id)
    progress["paused"] = f"Paused: {paused.message}" if paused else ""
    return progress


async def arun_progress(*, run_id: uuid.UUID) -> dict[str, Any]:
    """`run_progress` read from the async side."""
    run = await Run.objects.aget(pk=run_id)
    return await sync_to_async(run_progress)(run=run)


def cached_outcome(*, owner_id: int, key: str) -> dict[str, Any] | None:
    """An answered item of the same owner with the same cache key, as result fields."""
    # An earlier answer's error and reuse are its own: the new item is a reuse without error.
    fields = [name for name in RESULT_FIELDS if name not in ("error", "reused")]
    return (
        Item.objects.filter(run__owner_id=owner_id, cache_key=key, status=ItemStatus.DONE)
        .values(*fields)
        .first()
    )


def config_columns(*, run: Run) -> list[dict[str, Any]]:
    """Each configuration with its column label."""
    variants = sweep.instructions_variants(configs=run.configs)
    return [
        {"index": i, "label": sweep.config_label(config=c, index=i, instructions=variants), **c}
        for i, c in enumerate(run.configs)
    ]


def _p(values: list[int], fraction: float) -> int | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    return values[max(0, math.ceil(fraction * len(values)) - 1)]


def config_stats(*, run: Run) -> list[dict[str, Any]]:
    """Per configuration: latency mean/p50/p95, tokens, cost, failure and schema-valid rates."""
    rows = Item.objects.filter(run=run).values_list(
        "config_index", "status", "latency_ms", "schema_valid", *TOKEN_FIELDS, "cost"
    )
    stats = [
        {"answered": 0, "failed": 0, "latencies": [], "valid": 0, "tokens": 0, "cost": Decimal(0)}
        for _ in run.configs
    ]
    for index, status, latency, valid, inp, _cached, out, _reasoning, cost in rows.iterator():
        entry = stats[index]
        if status not in (ItemStatus.DONE, ItemStatus.FAILED):
            continue
        entry["answered"] += 1
        entry["failed"] += status == ItemStatus.FAILED
        entry["valid"] += bool(valid)
        entry["tokens"] += (inp or 0) + (out or 0)
        entry["cost"] += cost or 0
        if latency is not None and status == ItemStatus.DONE:
            entry["latencies"].append(latency)
    return [
        _summary(column, entry, run)
        for column, entry in zip(config_columns(run=run), stats, strict=True)
    ]


def _summary(column: dict[str, Any], entry: dict[str, Any], run: Run) -> dict[str, Any]:
    latencies = sorted(entry.pop("latencies"))
    answered = entry["answered"]
    return {
        **column,
        **entry,
        "latency_mean": round(sum(latencies) / len(latencies)) if latencies else None,
        "latency_p50": _p(latencies, 0.5),
        "latency_p95": _p(latencies, 0.95),
        "failure_rate": entry["failed"] / answered if answered else None,
        "valid_rate": entry["valid"] / answered if answered and run.json_schema else None,
    }


def results_page(*, run: Run, page: int, failures_only: bool = False) -> tuple[Page, list]:
    """One page of prompts, each with its items in configuration order."""
    items = Item.objects.filter(run=run)
    if failures_only:
        failing = items.filter(status=ItemStatus.FAILED).values("prompt_index")
        items = items.filter(prompt_index__in=failing)
    indexes = items.order_by("prompt_index").values_list("prompt_index", flat=True).distinct()
    paginator = Paginator(indexes, PROMPTS_PER_PAGE)
    current = paginator.get_page(page)
    cells: dict[int, dict[int, Item]] = {}
    for item in items.filter(prompt_index__in=list(current.object_list)):
        cells.setdefault(item.prompt_index, {})[item.config_index] = item
    rows = [
        {
            "index": index,
            "label": prompt_label(next(iter(cells[index].values())).prompt),
            "cells": [cells[index].get(c) for c in range(len(run.configs))],
        }
        for index in current.object_list
    ]
    return current, rows


def items_for_export(*, run: Run) -> Iterator[Item]:
    """Every item of the run in order, read in chunks (exports stream 10,000 of them)."""
    return Item.objects.filter(run=run).order_by("prompt_index", "config_index").iterator(500)


def run_estimate(*, prompts: list[Any], configs: list[dict[str, Any]]) -> dict[str, Any]:
    """The preview: N prompts x M configurations = K requests, with input and output tokens (each
    answer taken at its max output tokens, or OUTPUT_TOKENS_DEFAULT without one) and their cost."""
    models = {config["model"] for config in configs}
    models |= {prompt.overrides["model"] for prompt in prompts if "model" in prompt.overrides}
    prices = prices_by_model(models=sorted(models))
    estimates = [
        _request_estimate(prompt=prompt, config=config, prices=prices)
        for config in configs
        for prompt in prompts
    ]
    tokens_in = sum(estimate[0] for estimate in estimates)
    tokens_out = sum(estimate[1] for estimate in estimates)
    costs = [estimate[2] for estimate in estimates]
    return {
        "prompts": len(prompts),
        "configs": len(configs),
        "requests": len(estimates),
        "input_tokens": tokens_in,
        "output_tokens": tokens_out,
        "tokens": tokens_in + tokens_out,
        "output_default": OUTPUT_TOKENS_DEFAULT,
        "cost": None if None in costs else sum(costs, Decimal(0)),
    }


def _request_estimate(
    *, prompt: Any, config: dict[str, Any], prices: dict[str, Any]
) -> tuple[int, int, Decimal | None]:
    """One request's input and output tokens, and their cost (None: the model has no price)."""
    settings = {**config, **prompt.overrides}
    instructions = settings.get("instructions") or ""
    tokens_in = sweep.tokens_estimate(text=prompt_label(prompt.input)) + (
        sweep.tokens_estimate(text=instructions) if instructions else 0
    )
    tokens_out = settings.get("max_output_tokens") or OUTPUT_TOKENS_DEFAULT
    cost = cost_compute(
        price=prices.get(settings["model"]),
        input_tokens=tokens_in,
        cached_tokens=0,
        output_tokens=tokens_out,
    )
    return tokens_in, tokens_out, cost
