"""The schemas of a create request that the engine decodes against (pure)."""

from __future__ import annotations

from provider.generation.constraints import decoded_schemas

SCHEMA = {"type": "object", "properties": {"a": {"type": "string"}}}
PLAIN = {"format": {"type": "text"}, "verbosity": "medium"}


def tool(name: str, parameters: dict | None = SCHEMA) -> dict:
    """A parsed function tool."""
    return {"type": "function", "name": name, "parameters": parameters}


def test_a_json_schema_format_is_decoded_against() -> None:
    text = {"format": {"type": "json_schema", "name": "out", "schema": SCHEMA}}

    assert decoded_schemas(text, [], "auto") == [
        ("text.format.schema", "response_format 'out'", SCHEMA)
    ]


def test_json_object_and_text_have_no_client_schema() -> None:
    assert decoded_schemas({"format": {"type": "json_object"}}, [], "auto") == []
    assert decoded_schemas(PLAIN, [], "auto") == []


def test_only_the_parameters_of_forced_tools_count() -> None:
    tools = [tool("a"), tool("b"), tool("c", None)]
    named = {"type": "function", "name": "b"}

    assert decoded_schemas(PLAIN, tools, "auto") == []
    assert decoded_schemas(PLAIN, tools, named) == [("tools[1].parameters", "function 'b'", SCHEMA)]
    assert [param for param, _, _ in decoded_schemas(PLAIN, tools, "required")] == [
        "tools[0].parameters",
        "tools[1].parameters",
    ]
