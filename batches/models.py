"""A run (prompts x configurations, with its totals) and its items (one request each)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class ItemStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Run(models.Model):
    """One batch run of one user. Totals are counters written with each item's result."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="batch_runs"
    )
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    # The configurations of the sweep, each a dict of request settings (batches.configs).
    configs = models.JSONField(default=list)
    prompt_count = models.PositiveIntegerField(default=0)
    json_schema = models.JSONField(null=True, blank=True)
    concurrency = models.PositiveSmallIntegerField(default=4)
    store = models.BooleanField(default=True)
    reuse = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    input_tokens = models.BigIntegerField(default=0)
    cached_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    reasoning_tokens = models.BigIntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=6, default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One request of a run: a prompt under a configuration, with its result once answered."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="items")
    prompt_index = models.PositiveIntegerField()
    config_index = models.PositiveSmallIntegerField()
    # The `input` string or item list, and a JSONL line's own settings.
    prompt = models.JSONField()
    overrides = models.JSONField(default=dict, blank=True)
    cache_key = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.QUEUED)
    # A worker's claim: whoever holds the token may write the result until the lease expires.
    lease_token = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_id = models.CharField(max_length=200, blank=True, default="")
    output_text = models.TextField(blank=True, default="")
    output_json = models.JSONField(null=True, blank=True)
    schema_valid = models.BooleanField(null=True, blank=True)
    schema_error = models.TextField(blank=True, default="")
    response_status = models.CharField(max_length=32, blank=True, default="")
    error = models.TextField(blank=True, default="")
    input_tokens = models.PositiveIntegerField(null=True, blank=True)
    cached_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    reasoning_tokens = models.PositiveIntegerField(null=True, blank=True)
    first_token_ms = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    cost = models.DecimalField(max_digits=14, decimal_places=8, null=True, blank=True)
    reused = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["prompt_index", "config_index"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "prompt_index", "config_index"], name="batch_item_unique_cell"
            )
        ]
        indexes = [models.Index(fields=["run", "status"], name="batch_item_run_status")]

    def __str__(self) -> str:
        return f"{self.run_id} #{self.prompt_index}/{self.config_index}"
