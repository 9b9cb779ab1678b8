"""One item's request through responses_client: its answer, tokens, latency and validity."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jsonschema

from responses_client import client
from responses_client.errors import ProviderError
from responses_client.usage import usage_parse

FINAL_EVENTS = frozenset({"response.completed", "response.incomplete", "response.failed"})


async def item_request(
    *,
    body: dict[str, Any],
    on_headers: Callable[[httpx.Headers], None],
    on_created: Callable[[str], None],
) -> dict[str, Any]:
    """Stream one response and return its result fields; provider errors raise."""
    started = time.monotonic()
    first_token = None
    final: dict[str, Any] | None = None
    events = client.response_stream(body=body, max_retries=0, on_headers=on_headers)
    async for event in events:
        kind = event["type"]
        if kind == "response.created":
            on_created(event["response"]["id"])
        elif kind == "response.output_text.delta" and first_token is None:
            first_token = time.monotonic()
        elif kind == "error":
            error = event["error"]
            raise ProviderError(error.get("message") or "stream error", body={"error": error})
        elif kind in FINAL_EVENTS:
            final = event["response"]
    if final is None:
        raise ProviderError("the stream ended without a final response")
    return _fields(final, started, first_token)


def _fields(response: dict[str, Any], started: float, first_token: float | None) -> dict[str, Any]:
    usage = usage_parse(usage=response.get("usage"))
    error = response.get("error") or {}
    return {
        "response_id": response.get("id", ""),
        "response_status": response.get("status", ""),
        "output_text": output_text(response=response),
        "error": error.get("message", "") if response.get("status") == "failed" else "",
        "input_tokens": usage.input_tokens if usage else None,
        "cached_tokens": usage.cached_tokens if usage else None,
        "output_tokens": usage.output_tokens if usage else None,
        "reasoning_tokens": usage.reasoning_tokens if usage else None,
        "first_token_ms": round((first_token - started) * 1000) if first_token else None,
        "latency_ms": round((time.monotonic() - started) * 1000),
    }


def output_text(*, response: dict[str, Any]) -> str:
    """The text of the response's message items."""
    return "".join(
        part.get("text", "")
        for item in response.get("output") or []
        if item.get("type") == "message"
        for part in item.get("content") or []
        if part.get("type") == "output_text"
    )


def schema_check(*, text: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Parse and validate a structured answer; an invalid one is flagged with the reason."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        return {"output_json": None, "schema_valid": False, "schema_error": f"not JSON: {exc}"}
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as exc:
        return {"output_json": value, "schema_valid": False, "schema_error": exc.message}
    return {"output_json": value, "schema_valid": True, "schema_error": ""}
