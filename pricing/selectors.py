"""Reads of the price table: which price applies to a model, and what a usage costs."""

from __future__ import annotations

from decimal import Decimal

from pricing.models import ModelPrice

MILLION = Decimal(1_000_000)


def price_for_model(*, model: str) -> ModelPrice | None:
    """The exact row for `model`, else the longest row that is a prefix of it, else None."""
    candidates = ModelPrice.objects.filter(model__in=_prefixes(model))
    return max(candidates, key=lambda price: len(price.model), default=None)


def prices_by_model(*, models: list[str]) -> dict[str, ModelPrice | None]:
    """`price_for_model` for several models with one query."""
    wanted = {prefix for model in models for prefix in _prefixes(model)}
    rows = {price.model: price for price in ModelPrice.objects.filter(model__in=wanted)}
    return {
        model: next((rows[p] for p in reversed(_prefixes(model)) if p in rows), None)
        for model in models
    }


def _prefixes(model: str) -> list[str]:
    """Every prefix of the model id ending at a separator, shortest first, then the id itself."""
    cuts = [i for i, char in enumerate(model) if char in "-:/@." and i > 0]
    return [model[:i] for i in cuts] + [model]


def cost_compute(
    *,
    price: ModelPrice | None,
    input_tokens: int | None,
    cached_tokens: int | None,
    output_tokens: int | None,
) -> Decimal | None:
    """Dollars for one usage; cached tokens are part of the input and billed at their own rate."""
    if price is None:
        return None
    cached = min(cached_tokens or 0, input_tokens or 0)
    fresh = (input_tokens or 0) - cached
    total = (
        fresh * price.input_per_million
        + cached * price.cached_input_per_million
        + (output_tokens or 0) * price.output_per_million
    )
    return total / MILLION


def cost_for_usage(
    *, model: str, input_tokens: int | None, cached_tokens: int | None, output_tokens: int | None
) -> Decimal | None:
    """`cost_compute` with the price looked up for `model` (None when the model has no price)."""
    return cost_compute(
        price=price_for_model(model=model),
        input_tokens=input_tokens,
        cached_tokens=cached_tokens,
        output_tokens=output_tokens,
    )
