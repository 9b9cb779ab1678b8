"""Admin: staff edit the price table."""

from __future__ import annotations

from django.contrib import admin

from pricing.models import ModelPrice


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin):
    list_display = [
        "model",
        "input_per_million",
        "cached_input_per_million",
        "output_per_million",
        "updated_at",
    ]
    list_editable = ["input_per_million", "cached_input_per_million", "output_per_million"]
    search_fields = ["model"]
