"""The price table: one row per model (or model-name prefix), in US dollars per 1M tokens."""

from __future__ import annotations

from django.db import models


class ModelPrice(models.Model):
    """What one model costs per 1M input, cached input and output tokens."""

    model = models.CharField(
        max_length=200,
        unique=True,
        help_text="A model id, or a prefix of one: 'gpt-4o-mini' prices 'gpt-4o-mini-2024-07-18'.",
    )
    input_per_million = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    cached_input_per_million = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    output_per_million = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model"]

    def __str__(self) -> str:
        return self.model
