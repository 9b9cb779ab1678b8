"""Reading the provider's usage object."""

from __future__ import annotations

from responses_client.usage import Usage, usage_parse


def test_usage_details_default_to_zero():
    usage = usage_parse(usage={"input_tokens": 3, "output_tokens": 4})
    assert usage == Usage(input_tokens=3, output_tokens=4, reasoning_tokens=0, cached_tokens=0)


def test_no_usage_is_none():
    assert usage_parse(usage=None) is None
