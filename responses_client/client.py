"""The only HTTP client of the Responses API provider: httpx, SSE parsing, retries, typed errors.

Settings are read at call time so tests (and admins) can repoint the provider without a restart.
Tests replace `transport` with an `httpx.MockTransport`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
import weakref
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import Any
from urllib.parse import quote

import httpx
import orjson
from django.conf import settings

from responses_client.errors import (
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    ProviderConnectionError,
    ProviderError,
    ProviderTimeoutError,
    RateLimitedError,
    ServerError,
    StreamInterrupted,
    status_error,
)
from responses_client.ratelimits import ratelimits_record
from responses_client.retries import retry_delay, retry_wanted
from responses_client.sse import sse_data

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "NotFoundError",
    "PermissionDeniedError",
    "ProviderConnectionError",
    "ProviderError",
    "ProviderTimeoutError",
    "RateLimitedError",
    "ServerError",
    "StreamInterrupted",
    "input_items_iter",
    "input_items_list",
    "input_tokens_count",
    "models_list",
    "response_cancel",
    "response_delete",
    "response_retrieve",
    "response_stream",
    "response_stream_resume",
]

logger = logging.getLogger(__name__)

MAX_RETRIES = 2
CONNECT_TIMEOUT_SECONDS = 5.0
TERMINAL_EVENTS = frozenset({"response.completed", "response.incomplete", "response.failed"})
# Events whose Response object a client reads (its id, its final output).
RESPONSE_EVENTS = TERMINAL_EVENTS | {"response.created"}

transport: httpx.AsyncBaseTransport | None = None
_sleep = asyncio.sleep


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    # Loading the CA bundle costs milliseconds of CPU: once per process, not once per turn.
    return httpx.create_ssl_context()


# One client per event loop and configuration: connections are pooled and kept alive between
# turns, and the proxy environment is read once (a millisecond of CPU per client otherwise).
_clients: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[Any, ...], httpx.AsyncClient]
] = weakref.WeakKeyDictionary()


def _client() -> httpx.AsyncClient:
    """The shared client for the current settings (read now, so they can change at run time)."""
    key = (
        settings.OPENAI_BASE_URL,
        settings.OPENAI_API_KEY,
        settings.OPENAI_TIMEOUT_SECONDS,
        transport,
    )
    clients = _clients.setdefault(asyncio.get_running_loop(), {})
    if key not in clients:
        clients[key] = httpx.AsyncClient(
            base_url=settings.OPENAI_BASE_URL.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {settings.OPENAI_API_KEY}"},
            timeout=httpx.Timeout(settings.OPENAI_TIMEOUT_SECONDS, connect=CONNECT_TIMEOUT_SECONDS),
            # Every streaming turn holds a connection: no cap, or turn 101 would wait for one.
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=20),
            transport=transport,
            verify=_ssl_context(),
        )
    return clients[key]


HeadersHook = Callable[[httpx.Headers], None]


async def _send(
    client: httpx.AsyncClient,
    request: httpx.Request,
    *,
    max_retries: int = MAX_RETRIES,
    model: str = "",
    on_headers: HeadersHook | None = None,
) -> httpx.Response:
    """Send with the SDK's retry policy; return an open (streaming) 2xx response.

    Every answer's rate-limit headers are recorded, and handed to `on_headers` (batch runs
    pace themselves by them and pass max_retries=0 to retry through their own throttle).
    """
    for retries_taken in range(max_retries + 1):
        request.headers["x-stainless-retry-count"] = str(retries_taken)
        headers = None
        try:
            response = await client.send(request, stream=True)
            _observe(client, response, model=model, on_headers=on_headers)
            if response.is_success:
                return response
            await response.aread()
        except httpx.TimeoutException as exc:
            error: ProviderError = ProviderTimeoutError(str(exc) or type(exc).__name__)
        except httpx.TransportError as exc:
            error = ProviderConnectionError(str(exc) or type(exc).__name__)
        else:
            await response.aclose()
            error, headers = status_error(response), response.headers
            if not retry_wanted(response):
                raise error
        if retries_taken == max_retries:
            raise error
        delay = retry_delay(headers=headers, retries_taken=retries_taken)
        logger.warning(
            "Retrying %s %s in %.2fs: %r", request.method, request.url.path, delay, error
        )
        await _sleep(delay)
    raise AssertionError("unreachable")


def _observe(
    client: httpx.AsyncClient,
    response: httpx.Response,
    *,
    model: str,
    on_headers: HeadersHook | None,
) -> None:
    ratelimits_record(base_url=str(client.base_url), model=model, headers=response.headers)
    if on_headers is not None:
        on_headers(response.headers)


def _normalise(event: dict[str, Any]) -> dict[str, Any]:
    """Give error events one shape: {"type": "error", "error": {...}} (OpenAI's nested form)."""
    if event.get("type") != "error" and ("type" in event or not event.get("error")):
        return event
    error = event.get("error")
    if not isinstance(error, dict):
        error = {key: event.get(key) for key in ("type", "code", "message", "param")}
        error["type"] = error["type"] if error["type"] != "error" else None
    return {"type": "error", "sequence_number": event.get("sequence_number"), "error": error}


def _event_parse(data: str) -> dict[str, Any]:
    """One SSE data payload as an event; ProviderError when it is not one a client can act on.

    Checked as far as readers go without looking again: an object with a string type, a
    string delta on delta events, an object as the Response of the events that carry one, with
    an id at creation.
    """
    try:
        event = _normalise(orjson.loads(data))
    except (ValueError, AttributeError) as exc:
        raise ProviderError(f"Invalid event data from the provider: {exc}") from exc
    kind = event.get("type")
    if not isinstance(kind, str):
        raise ProviderError(f"Invalid event from the provider: no type in {data[:200]}")
    if kind.endswith(".delta") and not isinstance(event.get("delta"), str):
        raise ProviderError(f"Invalid {kind} event from the provider: its delta is not text")
    response = event.get("response")
    if kind in RESPONSE_EVENTS and not isinstance(response, dict | None):
        raise ProviderError(f"Invalid {kind} event from the provider: its response is no object")
    if kind == "response.created" and not isinstance((response or {}).get("id"), str):
        raise ProviderError("Invalid response.created event from the provider: no response id")
    return event


async def _events(response: httpx.Response) -> AsyncIterator[dict[str, Any]]:
    """Parse the SSE body into events until a terminal event, [DONE] or EOF."""
    errored = False
    try:
        async for data in sse_data(response.aiter_bytes()):
            if data == "[DONE]":
                return
            event = _event_parse(data)
            yield event
            if event["type"] in TERMINAL_EVENTS:
                return
            errored = errored or event["type"] == "error"
    except httpx.TransportError as exc:
        raise StreamInterrupted(str(exc) or type(exc).__name__) from exc
    if not errored:
        raise StreamInterrupted("the stream ended before a terminal event")


def response_stream(
    *,
    body: dict[str, Any],
    max_retries: int = MAX_RETRIES,
    on_headers: HeadersHook | None = None,
) -> AsyncGenerator[dict[str, Any], None]:
    """POST /responses with stream=true and yield its events; retried only before any event."""
    send = {
        "max_retries": max_retries,
        "model": str(body.get("model", "")),
        "on_headers": on_headers,
    }
    # The generator itself, not one wrapping it: a layer less to pass for every event.
    return _stream("POST", "responses", send=send, json={**body, "stream": True})


def response_stream_resume(
    *, response_id: str, starting_after: int | None
) -> AsyncGenerator[dict[str, Any], None]:
    """GET /responses/{id}?stream=true: a background response's events after a sequence number."""
    params: dict[str, Any] = {"stream": "true"}
    if starting_after is not None:
        params["starting_after"] = starting_after
    return _stream("GET", _response_path(response_id), params=params)


async def _stream(
    method: str, path: str, *, send: dict[str, Any] | None = None, **request: Any
) -> AsyncGenerator[dict[str, Any], None]:
    """Send one streaming request (retried before its first byte) and yield its SSE events."""
    client = _client()
    response = await _send(client, client.build_request(method, path, **request), **(send or {}))
    try:
        async for event in _events(response):
            yield event
    finally:
        await response.aclose()


async def _request(
    method: str, path: str, *, json_body: Any = None, params: dict[str, Any] | None = None
) -> Any:
    """One JSON call with retries; returns the decoded body (None when empty)."""
    client = _client()
    request = client.build_request(method, path, json=json_body, params=params)
    response = await _send(client, request)
    try:
        await response.aread()
    except httpx.TransportError as exc:
        raise ProviderConnectionError(str(exc) or type(exc).__name__) from exc
    finally:
        await response.aclose()
    return response.json() if response.content else None


def _response_path(response_id: str, suffix: str = "") -> str:
    return f"responses/{quote(response_id, safe='')}{suffix}"


async def response_retrieve(*, response_id: str) -> dict[str, Any]:
    """GET /responses/{id}."""
    return await _request("GET", _response_path(response_id))


async def response_delete(*, response_id: str) -> None:
    """DELETE /responses/{id}; the body is ignored, as the SDK does."""
    await _request("DELETE", _response_path(response_id))


async def response_cancel(*, response_id: str) -> dict[str, Any]:
    """POST /responses/{id}/cancel (background responses only)."""
    return await _request("POST", _response_path(response_id, "/cancel"))


async def input_items_list(
    *, response_id: str, limit: int = 20, order: str = "desc", after: str | None = None
) -> dict[str, Any]:
    """One page of GET /responses/{id}/input_items."""
    params: dict[str, Any] = {"limit": limit, "order": order}
    if after:
        params["after"] = after
    return await _request("GET", _response_path(response_id, "/input_items"), params=params)


async def input_items_iter(
    *, response_id: str, limit: int = 100, order: str = "asc"
) -> AsyncIterator[dict[str, Any]]:
    """Every input item, following `after = data[-1].id` while `has_more`."""
    after = None
    while True:
        page = await input_items_list(
            response_id=response_id, limit=limit, order=order, after=after
        )
        for item in page["data"]:
            yield item
        if not page.get("has_more") or not page["data"]:
            return
        after = page["data"][-1]["id"]


async def input_tokens_count(*, body: dict[str, Any]) -> int:
    """POST /responses/input_tokens."""
    return int((await _request("POST", "responses/input_tokens", json_body=body))["input_tokens"])


async def models_list() -> list[dict[str, Any]]:
    """GET /models."""
    return (await _request("GET", "models"))["data"]
