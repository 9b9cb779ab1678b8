"""Prices: which row applies to a model, and the cost of a usage."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pricing.models import ModelPrice
from pricing.selectors import cost_compute, cost_for_usage, price_for_model, prices_by_model

pytestmark = pytest.mark.django_db


def test_seeded_with_common_models_and_a_free_local_one():
    assert price_for_model(model="gpt-4o-mini").output_per_million == Decimal("0.6")
    assert price_for_model(model="smollm2-135m-instruct").input_per_million == 0


def test_longest_prefix_prices_a_dated_snapshot():
    assert price_for_model(model="gpt-4o-mini-2024-07-18").model == "gpt-4o-mini"
    assert prices_by_model(models=["gpt-4o-2024-08-06", "nope"]) == {
        "gpt-4o-2024-08-06": ModelPrice.objects.get(model="gpt-4o"),
        "nope": None,
    }


def test_unknown_model_has_no_cost():
    assert cost_for_usage(model="nope", input_tokens=5, cached_tokens=0, output_tokens=5) is None


def test_cached_tokens_are_billed_at_their_rate():
    price = ModelPrice(
        model="x", input_per_million=2, cached_input_per_million=1, output_per_million=8
    )
    cost = cost_compute(
        price=price, input_tokens=1_000_000, cached_tokens=250_000, output_tokens=500_000
    )
    # 750k fresh x $2 + 250k cached x $1 + 500k out x $8 per 1M.
    assert cost == Decimal("1.5") + Decimal("0.25") + Decimal("4")


def test_missing_counts_read_as_zero():
    price = ModelPrice(model="x", input_per_million=1, output_per_million=1)
    assert cost_compute(price=price, input_tokens=None, cached_tokens=None, output_tokens=10) == (
        Decimal("0.00001")
    )
