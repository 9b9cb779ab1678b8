"""x-ratelimit-* headers: parsed, and the latest kept per provider and model."""

from __future__ import annotations

import httpx
import pytest

from responses_client import ratelimits


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1s", 1.0), ("6m0s", 360.0), ("20ms", 0.02), ("1h2m3.5s", 3723.5), ("2.5", 2.5)],
)
def test_durations(text, seconds):
    assert ratelimits.duration_parse(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "1x"])
def test_unreadable_durations(text):
    assert ratelimits.duration_parse(text) is None


def test_headers_parse():
    headers = httpx.Headers(
        {
            "x-ratelimit-limit-requests": "60",
            "x-ratelimit-remaining-requests": "59",
            "x-ratelimit-reset-requests": "1s",
            "x-ratelimit-remaining-tokens": "149984",
            "x-ratelimit-reset-tokens": "6m0s",
        }
    )
    limits = ratelimits.ratelimits_parse(headers)
    assert (limits.limit_requests, limits.remaining_requests, limits.reset_requests) == (60, 59, 1)
    assert (limits.remaining_tokens, limits.reset_tokens, limits.limit_tokens) == (
        149984,
        360,
        None,
    )


def test_no_headers_no_limits():
    assert ratelimits.ratelimits_parse(httpx.Headers({"content-type": "x"})) is None


def test_latest_kept_per_provider_and_model(monkeypatch):
    monkeypatch.setattr(ratelimits, "latest", {})
    headers = httpx.Headers({"x-ratelimit-remaining-requests": "3"})
    ratelimits.ratelimits_record(base_url="http://p/v1/", model="m", headers=headers)
    assert ratelimits.latest[("http://p/v1/", "m")].limits.remaining_requests == 3
