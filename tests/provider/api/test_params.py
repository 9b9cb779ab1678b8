"""Validation of create bodies (pure)."""

from __future__ import annotations

import pytest

from provider.api.params import parse_create
from provider.errors import ApiError


def error_of(body: dict) -> dict:
    """The error body parse_create raises for `body`."""
    with pytest.raises(ApiError) as caught:
        parse_create(body)
    assert caught.value.status == 400
    return caught.value.body()["error"]


def test_defaults_are_echoed() -> None:
    params = parse_create({"model": "m", "input": "hi"})

    echo = params.echo()
    assert echo["temperature"] == 0.7  # PROVIDER_DEFAULT_TEMPERATURE, not OpenAI's 1.0
    assert echo["top_p"] == 1.0
    assert echo["metadata"] == {}
    assert echo["reasoning"] == {"effort": None, "summary": None}
    assert echo["text"] == {"format": {"type": "text"}, "verbosity": "medium"}
    assert params.store is True
    assert params.reasons is False


def test_missing_input_is_reported() -> None:
    error = error_of({"model": "m"})

    assert error["code"] == "missing_required_parameter"
    assert error["message"] == "Missing required parameter: 'input'."


def test_metadata_key_too_long() -> None:
    key = "k" * 70

    error = error_of({"model": "m", "input": "x", "metadata": {key: "v"}})

    assert error == {
        "message": f"Invalid property name in 'metadata': '{key}' is too long. Expected a string "
        "with maximum length 64, but got a string with length 70 instead.",
        "type": "invalid_request_error",
        "param": f"metadata.{key}",
        "code": "property_name_above_max_length",
    }


def test_metadata_value_must_be_string() -> None:
    error = error_of({"model": "m", "input": "x", "metadata": {"n": 3}})

    assert error["message"] == (
        "Invalid type for 'metadata.n': expected a string, but got an integer instead."
    )
    assert error["code"] == "invalid_type"


def test_sixteen_metadata_keys_are_fine() -> None:
    params = parse_create(
        {"model": "m", "input": "x", "metadata": {str(n): "v" for n in range(16)}}
    )

    assert len(params.metadata) == 16


def test_omitted_temperature_is_the_configured_default(settings) -> None:
    settings.PROVIDER_DEFAULT_TEMPERATURE = 0.3

    omitted = parse_create({"model": "m", "input": "x"})
    given = parse_create({"model": "m", "input": "x", "temperature": 1})

    assert omitted.echo()["temperature"] == omitted.temperature == 0.3
    assert given.echo()["temperature"] == given.temperature == 1.0


def test_temperature_above_two() -> None:
    error = error_of({"model": "m", "input": "x", "temperature": 3})

    assert error["param"] == "temperature"
    assert error["code"] == "decimal_above_max_value"
    assert error["message"] == (
        "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, "
        "but got 3 instead."
    )


def test_top_p_below_zero() -> None:
    error = error_of({"model": "m", "input": "x", "top_p": -0.5})

    assert error["code"] == "decimal_below_min_value"


def test_bad_effort_lists_supported_values() -> None:
    error = error_of({"model": "m", "input": "x", "reasoning": {"effort": "bogus"}})

    assert error["param"] == "reasoning.effort"
    assert error["message"] == (
        "Invalid value: 'bogus'. Supported values are: 'none', 'minimal', 'low', 'medium', "
        "'high', and 'xhigh'."
    )


def test_effort_low_reasons() -> None:
    assert parse_create({"model": "m", "input": "x", "reasoning": {"effort": "low"}}).reasons


def test_wrong_type_for_stream() -> None:
    error = error_of({"model": "m", "input": "x", "stream": "yes"})

    assert error["message"] == (
        "Invalid type for 'stream': expected a boolean, but got a string instead."
    )


def test_hosted_tools_are_rejected() -> None:
    error = error_of({"model": "m", "input": "x", "tools": [{"type": "web_search_preview"}]})

    assert error["param"] == "tools[0].type"


def test_function_tools_are_echoed_with_strict() -> None:
    tool = {"type": "function", "name": "f", "parameters": {"type": "object"}}

    params = parse_create({"model": "m", "input": "x", "tools": [tool]})

    assert params.echo()["tools"] == [{**tool, "description": None, "strict": True}]


def test_obfuscation_can_be_turned_off() -> None:
    body = {
        "model": "m",
        "input": "x",
        "stream": True,
        "stream_options": {"include_obfuscation": False},
    }

    assert parse_create(body).include_obfuscation is False


def test_body_must_be_an_object() -> None:
    with pytest.raises(ApiError):
        parse_create(["model"])
