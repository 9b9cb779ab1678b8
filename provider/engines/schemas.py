"""JSON schemas for the engines: deterministic instances (scripted), `$ref`s the local engine
refuses, and patterns spelled so that it enforces them."""

from __future__ import annotations

import re
from typing import Any

# Pattern shorthands the local engine's schema converter cannot read (it then accepts any
# string), as the classes it can. ASCII subsets, so what they match still matches the
# original; \s is a space alone, since a raw tab or newline would not be JSON in a string.
SHORTHANDS = {"d": "0-9", "w": "a-zA-Z0-9_", "s": " "}
# Keywords whose values are data, not subschemas: a "pattern" key inside them is no pattern.
VALUE_KEYWORDS = frozenset(("const", "enum", "default", "examples"))
# A character class (group 1: its negation, group 2: its content) or an escaped character.
CLASS_OR_ESCAPE = re.compile(r"\[(\^?)((?:\\.|[^\]\\])*)\]|\\(.)", flags=re.DOTALL)


def example(schema: dict[str, Any], text: str) -> Any:
    """A value valid for `schema` (the common strict-mode subset), strings filled with text."""
    return _value(schema, text=text, root=schema, refs=())


def _value(
    schema: dict[str, Any], *, text: str, root: dict[str, Any], refs: tuple[str, ...]
) -> Any:
    """An instance of `schema`; `refs` are the `$ref`s being expanded, which choices avoid."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        return _value(_resolve(root, ref), text=text, root=root, refs=(*refs, ref))
    for key in ("const", "enum", "anyOf", "oneOf"):
        if key in schema:
            return _choice(schema, key, text=text, root=root, refs=refs)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return _object(schema, text=text, root=root, refs=refs)
    if kind == "array":
        items = schema.get("items") or {}
        count = schema.get("minItems", 0)  # none at all closes a `$ref` cycle through a list
        return [_value(items, text=text, root=root, refs=refs) for _ in range(count)]
    return _scalar(kind, text)


def _resolve(root: dict[str, Any], ref: str) -> Any:
    """The subschema a `#/...` JSON pointer names."""
    node: Any = root
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _choice(
    schema: dict[str, Any], key: str, *, text: str, root: dict[str, Any], refs: tuple[str, ...]
) -> Any:
    """The const, the first enum value or the first alternative that does not recurse."""
    if key == "const":
        return schema["const"]
    if key == "enum":
        return schema["enum"][0]
    options = [option for option in schema[key] if option.get("$ref") not in refs]
    return _value((options or schema[key])[0], text=text, root=root, refs=refs)


def _object(
    schema: dict[str, Any], *, text: str, root: dict[str, Any], refs: tuple[str, ...]
) -> dict[str, Any]:
    """Every listed property (strict mode requires them all); a bare object gets `reply`."""
    properties = schema.get("properties")
    if not properties:
        extra = schema.get("additionalProperties")
        typed = isinstance(extra, dict)
        return {"reply": _value(extra, text=text, root=root, refs=refs) if typed else text}
    return {name: _value(sub, text=text, root=root, refs=refs) for name, sub in properties.items()}


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


def enforceable(schema: Any) -> Any:
    """`schema` with its patterns' \\d, \\w and \\s spelled as classes the local engine reads."""
    if isinstance(schema, list):
        return [enforceable(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    spelled = {
        key: value if key in VALUE_KEYWORDS else enforceable(value) for key, value in schema.items()
    }
    if isinstance(schema.get("pattern"), str):
        spelled["pattern"] = _spelled(schema["pattern"])
    return spelled


def _spelled(pattern: str) -> str:
    """A regex with its \\d, \\w and \\s shorthands written out as character classes.

    Not inside a negated class: that would let quotes and control characters into a string.
    """

    def spell(match: re.Match[str]) -> str:
        negated, inside, escaped = match.groups()
        if escaped is not None:
            chars = SHORTHANDS.get(escaped)
            return match[0] if chars is None else f"[{chars}]"
        if negated:
            return match[0]
        return "[" + re.sub(r"\\(.)", lambda m: SHORTHANDS.get(m[1], m[0]), inside) + "]"

    return CLASS_OR_ESCAPE.sub(spell, pattern)
