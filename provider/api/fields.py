"""Typed readers of optional JSON body fields, raising OpenAI's 400 errors."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from provider.errors import ApiError, invalid_type, invalid_value


def known_keys(body: dict[str, Any], known: Collection[str], *, prefix: str = "") -> None:
    """400 `unknown_parameter` for the first key of the body that is not in `known`."""
    for key in body:
        if key not in known:
            param = f"{prefix}{key}"
            raise ApiError(f"Unknown parameter: '{param}'.", param=param, code="unknown_parameter")


def string_field(body: dict[str, Any], key: str) -> str | None:
    """An optional string field."""
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise invalid_type(key, "a string", value)
    return value


def bool_field(body: dict[str, Any], key: str, default: bool) -> bool:
    """An optional boolean field."""
    value = body.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise invalid_type(key, "a boolean", value)
    return value


def integer_field(body: dict[str, Any], key: str) -> int | None:
    """An optional integer field."""
    value = body.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise invalid_type(key, "an integer", value)
    return value


def enum_field(body: dict[str, Any], key: str, allowed: list[str]) -> str | None:
    """An optional string field restricted to `allowed`."""
    value = string_field(body, key)
    if value is not None and value not in allowed:
        raise invalid_value(key, value, allowed)
    return value


def number_field(body: dict[str, Any], key: str, default: float, *, high: float) -> float:
    """An optional number in [0, high]."""
    value = body.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid_type(key, "a number", value)
    if value < 0:
        raise out_of_range(key, value, "below minimum", ">= 0", "decimal_below_min_value")
    if value > high:
        limit = f"<= {high:g}"
        raise out_of_range(key, value, "above maximum", limit, "decimal_above_max_value")
    return float(value)


def out_of_range(key: str, value: float, side: str, limit: str, code: str) -> ApiError:
    """400 for a number outside its range, in OpenAI's wording."""
    return ApiError(
        f"Invalid '{key}': decimal {side} value. Expected a value {limit}, "
        f"but got {value:g} instead.",
        param=key,
        code=code,
    )
