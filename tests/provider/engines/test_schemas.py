"""Scripted instances of JSON schemas, and patterns respelled for the local engine (pure)."""

from __future__ import annotations

from provider.engines.schemas import enforceable, example

POINT = {
    "type": "object",
    "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
    "required": ["x", "y"],
}


def test_example_follows_refs_into_defs() -> None:
    schema = {
        "$defs": {"Point": POINT, "Color": {"enum": ["red", "blue"], "type": "string"}},
        "type": "object",
        "properties": {
            "start": {"$ref": "#/$defs/Point"},
            "end": {"$ref": "#/$defs/Point"},
            "color": {"$ref": "#/$defs/Color"},
        },
    }

    assert example(schema, "t") == {
        "start": {"x": 1, "y": 1},
        "end": {"x": 1, "y": 1},
        "color": "red",
    }


def test_example_ends_a_ref_cycle_at_an_empty_list_or_another_choice() -> None:
    node = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
            "next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
        },
    }
    schema = {"$defs": {"Node": node}, "$ref": "#/$defs/Node"}

    leaf = {"name": "t", "children": [], "next": None}
    assert example(schema, "t") == leaf


def test_example_fills_a_typed_map() -> None:
    schema = {"type": "object", "additionalProperties": {"type": "integer"}}

    assert example(schema, "t") == {"reply": 1}


def test_enforceable_spells_out_pattern_shorthands() -> None:
    schema = {
        "type": "object",
        "properties": {
            "code": {"type": "string", "pattern": r"^[A-Z]{3}-\d{3}$"},
            "mail": {"type": "string", "pattern": r"^[\w.-]+@\w+\.com\s?$"},
        },
    }

    properties = enforceable(schema)["properties"]

    assert properties["code"]["pattern"] == "^[A-Z]{3}-[0-9]{3}$"
    assert properties["mail"]["pattern"] == r"^[a-zA-Z0-9_.-]+@[a-zA-Z0-9_]+\.com[ ]?$"


def test_enforceable_leaves_escapes_negated_classes_and_data_alone() -> None:
    schema = {
        "type": "string",
        "pattern": r"^\\d[^\d]\.\D$",
        "default": {"pattern": r"\d"},
        "properties": {"pattern": {"type": "string"}},
    }

    assert enforceable(schema) == schema
