"""JSON schemas for the scripted engine: deterministic instances, and the `$ref`s it refuses."""

from __future__ import annotations

from typing import Any


def example(schema: dict[str, Any], text: str) -> Any:
    """A value valid for `schema` (the common strict-mode subset), strings filled with text."""
    for key in ("const", "enum", "anyOf", "oneOf"):
        if key in schema:
            return _choice(schema, key, text)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return _object(schema, text)
    if kind == "array":
        return [example(schema.get("items") or {}, text)] * schema.get("minItems", 0)
    return _scalar(kind, text)


def _choice(schema: dict[str, Any], key: str, text: str) -> Any:
    """The const, the first enum value or the first alternative."""
    if key == "const":
        return schema["const"]
    if key == "enum":
        return schema["enum"][0]
    return example(schema[key][0], text)


def _object(schema: dict[str, Any], text: str) -> dict[str, Any]:
    """Every listed property (strict mode requires them all); a bare object gets `reply`."""
    properties = schema.get("properties")
    if not properties:
        return {"reply": text}
    return {name: example(sub, text) for name, sub in properties.items()}


def _scalar(kind: object, text: str) -> Any:
    """A string, number, integer, boolean or null."""
    values: dict[object, Any] = {"number": 1.5, "integer": 1, "boolean": True, "null": None}
    return values.get(kind, text)


def foreign_ref(schema: object, path: str = "#") -> tuple[str, str] | None:
    """Where and what the first `$ref` outside `#/...` is (the local engine refuses those)."""
    if isinstance(schema, list):
        found = (foreign_ref(item, f"{path}/{index}") for index, item in enumerate(schema))
        return next((hit for hit in found if hit), None)
    if not isinstance(schema, dict):
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str) and not ref.startswith("#/"):
        return path, ref
    found = (foreign_ref(value, f"{path}/{key}") for key, value in schema.items())
    return next((hit for hit in found if hit), None)
