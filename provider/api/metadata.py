"""`metadata` maps: at most 16 keys, keys up to 64 and string values up to 512 characters."""

from __future__ import annotations

from provider.errors import ApiError, invalid_type, string_length


def validate_metadata(value: object) -> dict[str, str]:
    """`metadata`: at most 16 string values, keys up to 64 and values up to 512 characters."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid_type("metadata", "an object", value)
    if len(value) > 16:
        raise ApiError(
            "Invalid 'metadata': too many properties. Expected an object with at most 16 "
            f"properties, but got an object with {len(value)} properties instead.",
            param="metadata",
            code="object_above_max_properties",
        )
    for key, item in value.items():
        _metadata_entry(key, item)
    return dict(value)


def _metadata_entry(key: str, item: object) -> None:
    """Check one metadata key and value."""
    param = f"metadata.{key}"
    if len(key) > 64:
        raise ApiError(
            f"Invalid property name in 'metadata': '{key}' is too long. Expected a string with "
            f"maximum length 64, but got a string with length {len(key)} instead.",
            param=param,
            code="property_name_above_max_length",
        )
    if not isinstance(item, str):
        raise invalid_type(param, "a string", item)
    if len(item) > 512:
        raise string_length(param, item, high=512)
