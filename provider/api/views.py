"""The /v1 responses endpoints (create, retrieve, replay, delete, cancel, items, tokens)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from provider import store
from provider.api.creating import context_items, response_start
from provider.api.fields import enum_field, known_keys
from provider.api.http import (
    api_view,
    include_query,
    int_query,
    json_object,
    list_body,
    page_query,
    stream,
)
from provider.api.params import parse_create
from provider.engines import get_engine
from provider.errors import ApiError, missing, not_found
from provider.generation.compaction import compact
from provider.generation.prompt import prompt_messages
from provider.generation.runner import Run, run_deleting, run_discard, run_get
from provider.ids import new_id

# Fields of POST /v1/responses/input_tokens (spec §8).
# fmt: off
COUNT_KEYS = frozenset((
    "model", "input", "previous_response_id", "tools", "text", "reasoning", "truncation",
    "instructions", "conversation", "tool_choice", "parallel_tool_calls", "personality",
))
# fmt: on
PERSONALITIES = ["friendly", "pragmatic"]
# Fields of POST /v1/responses/compact (spec §19).
COMPACT_KEYS = frozenset(
    ("model", "input", "previous_response_id", "instructions", "prompt_cache_key")
)


@api_view("POST")
async def responses_create(request: HttpRequest) -> HttpResponse:
    """POST /v1/responses."""
    params = parse_create(json_object(request))
    run = await response_start(params)
    if params.background:
        if params.stream:
            return stream(run.subscribe(), obfuscation=params.include_obfuscation)
        return JsonResponse(run.state.to_dict())
    if params.stream:
        return stream(_owned(run), obfuscation=params.include_obfuscation)
    try:
        await run.finished.wait()
    finally:
        _stop_if_unfinished(run)
    return JsonResponse(run.state.to_dict())


async def _owned(run: Run) -> AsyncIterator[dict[str, Any]]:
    """The creating client's stream of a foreground response."""
    try:
        async for event in run.subscribe():
            yield event
    finally:
        _stop_if_unfinished(run)


def _stop_if_unfinished(run: Run) -> None:
    """A foreground response lives as long as its client: a client gone early cancels it.

    (Django cancels the view or the stream when the client disconnects; background responses
    are the way to keep generating without a client.)
    """
    if not run.finished.is_set():
        run.request_cancel()


@api_view("GET", "DELETE")
async def response_detail(request: HttpRequest, response_id: str) -> HttpResponse:
    """GET (JSON or `stream=true` replay) and DELETE /v1/responses/{id}."""
    if run_deleting(response_id):
        raise not_found(response_id)
    if request.method == "DELETE":
        running = run_discard(response_id)
        if not await store.response_delete(response_id) and not running:
            raise not_found(response_id)
        return JsonResponse({"id": response_id, "object": "response.deleted", "deleted": True})
    include_query(request)
    run = run_get(response_id)
    if request.GET.get("stream") == "true":
        return await _replay(request, response_id, run)
    body = run.state.to_dict() if run else await store.response_body(response_id)
    if body is None:
        raise not_found(response_id)
    return JsonResponse(body)


async def _listed(events: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    """Stored events as an async iterator."""
    for event in events:
        yield event


async def _replay(request: HttpRequest, response_id: str, run: Run | None) -> HttpResponse:
    """The stored (or live) event stream after `starting_after`."""
    after = int_query(request, "starting_after", default=-1, low=0, high=None)
    obfuscation = request.GET.get("include_obfuscation") != "false"
    if run is not None:
        return stream(run.subscribe(after=after), obfuscation=obfuscation)
    if await store.response_body(response_id) is None:
        raise not_found(response_id)
    events = await store.response_events(response_id, after=after)
    return stream(_listed(events), obfuscation=obfuscation)


@api_view("POST")
async def response_cancel(request: HttpRequest, response_id: str) -> HttpResponse:
    """POST /v1/responses/{id}/cancel: stop a background response (idempotent)."""
    if run_deleting(response_id):
        raise not_found(response_id)
    run = run_get(response_id)
    body = run.state.to_dict() if run else await store.response_body(response_id)
    if body is None:
        raise not_found(response_id)
    if not body["background"]:
        raise ApiError("Responses can only be cancelled if they were created with background=true.")
    if run is None:
        return JsonResponse(body)
    run.request_cancel()
    await run.finished.wait()
    return JsonResponse(run.state.to_dict())


@api_view("GET")
async def response_input_items(request: HttpRequest, response_id: str) -> HttpResponse:
    """GET /v1/responses/{id}/input_items (cursor pagination with `after`)."""
    run = run_get(response_id)
    if run is not None:
        await run.stored()
    page = await store.input_items_page(response_id, **page_query(request))
    if page is None:
        raise not_found(response_id)
    data, has_more = page
    return list_body(data, has_more=has_more)


@api_view("POST")
async def response_input_tokens(request: HttpRequest) -> HttpResponse:
    """POST /v1/responses/input_tokens: the exact prompt size of the same request."""
    body = json_object(request)
    known_keys(body, COUNT_KEYS)
    enum_field(body, "personality", PERSONALITIES)
    body.pop("personality", None)
    params = parse_create({"model": settings.PROVIDER_MODEL_NAME, "input": [], **body})
    messages = prompt_messages(
        await context_items(params),
        instructions=params.instructions,
        tools=params.tools,
        tool_choice=params.tool_choice,
    )
    count = await get_engine().count_tokens(messages)
    return JsonResponse({"object": "response.input_tokens", "input_tokens": count})


@api_view("POST")
async def responses_compact(request: HttpRequest) -> HttpResponse:
    """POST /v1/responses/compact: the context as one sealed summary plus the newest user turn."""
    body = json_object(request)
    known_keys(body, COMPACT_KEYS)
    if body.get("model") is None:
        raise missing("model")
    params = parse_create({"input": [], **body})
    items = await context_items(params)
    if not items:
        raise ApiError("There is nothing to compact: 'input' is empty.", param="input")
    output, usage = await compact(items=items, engine=get_engine())
    return JsonResponse(
        {
            "id": new_id("resp"),
            "object": "response.compaction",
            "created_at": int(timezone.now().timestamp()),
            "output": output,
            "usage": usage.to_dict(),
        }
    )
