"""The /v1 endpoints: responses (create, retrieve, replay, delete, input items) and models."""

from __future__ import annotations

import functools
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from provider import store
from provider.errors import ApiError, invalid_value, not_found
from provider.ids import new_id
from provider.params import parse_create
from provider.protocol import SSE_DONE, sse, without_obfuscation
from provider.runner import Run, run_discard, run_get, run_start

View = Callable[..., Awaitable[HttpResponse]]
STARTED_AT = int(timezone.now().timestamp())


def api_view(*methods: str) -> Callable[[View], View]:
    """Bearer auth, JSON errors, `x-request-id`, no CSRF and no login for a /v1 view."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        async def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                _authenticate(request)
                if request.method not in methods:
                    raise ApiError(f"Method {request.method} is not allowed here.", status=405)
                response = await view(request, *args, **kwargs)
            except ApiError as exc:
                response = JsonResponse(exc.body(), status=exc.status)
            response["x-request-id"] = new_id("req")
            return response

        return login_not_required(csrf_exempt(wrapper))

    return decorate


def _authenticate(request: HttpRequest) -> None:
    """Require `Authorization: Bearer <PROVIDER_API_KEY>`."""
    header = request.headers.get("Authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise ApiError(
            "You didn't provide an API key. Send it in an Authorization header using Bearer "
            "auth (Authorization: Bearer YOUR_KEY).",
            status=401,
            code="invalid_api_key",
        )
    if not secrets.compare_digest(key.strip().encode(), settings.PROVIDER_API_KEY.encode()):
        raise ApiError("Incorrect API key provided.", status=401, code="invalid_api_key")


def _json_body(request: HttpRequest) -> object:
    """The parsed JSON request body."""
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError("We could not parse the JSON body of your request.") from exc


async def _sse_bytes(
    events: AsyncIterator[dict[str, Any]], *, obfuscation: bool
) -> AsyncIterator[bytes]:
    """Encode events as SSE, one chunk per event, then `[DONE]`."""
    async for event in events:
        yield sse(event if obfuscation else without_obfuscation(event))
    yield SSE_DONE


def _stream(events: AsyncIterator[dict[str, Any]], *, obfuscation: bool) -> HttpResponse:
    """A text/event-stream response over events."""
    response = StreamingHttpResponse(
        _sse_bytes(events, obfuscation=obfuscation), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


async def _listed(events: list[dict[str, Any]]) -> AsyncIterator[dict[str, Any]]:
    """Stored events as an async iterator."""
    for event in events:
        yield event


@api_view("POST")
async def responses_create(request: HttpRequest) -> HttpResponse:
    """POST /v1/responses."""
    params = parse_create(_json_body(request))
    items = await store.context_items(
        previous_response_id=params.previous_response_id, new_items=params.input_items
    )
    run = await run_start(params, items=items)
    if params.background:
        if params.stream:
            return _stream(run.subscribe(), obfuscation=params.include_obfuscation)
        return JsonResponse(run.state.to_dict())
    if params.stream:
        return _stream(_owned(run), obfuscation=params.include_obfuscation)
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
        run.cancel.set()


@api_view("GET", "DELETE")
async def response_detail(request: HttpRequest, response_id: str) -> HttpResponse:
    """GET (JSON or `stream=true` replay) and DELETE /v1/responses/{id}."""
    if request.method == "DELETE":
        running = run_discard(response_id)
        if not await store.response_delete(response_id) and not running:
            raise not_found(response_id)
        return JsonResponse({"id": response_id, "object": "response.deleted", "deleted": True})
    run = run_get(response_id)
    if request.GET.get("stream") == "true":
        return await _replay(request, response_id, run)
    body = run.state.to_dict() if run else await store.response_body(response_id)
    if body is None:
        raise not_found(response_id)
    return JsonResponse(body)


async def _replay(request: HttpRequest, response_id: str, run: Run | None) -> HttpResponse:
    """The stored (or live) event stream after `starting_after`."""
    after = _int_query(request, "starting_after", default=-1, low=0, high=None)
    obfuscation = request.GET.get("include_obfuscation") != "false"
    if run is not None:
        return _stream(run.subscribe(after=after), obfuscation=obfuscation)
    if await store.response_body(response_id) is None:
        raise not_found(response_id)
    events = await store.response_events(response_id, after=after)
    return _stream(_listed(events), obfuscation=obfuscation)


@api_view("POST")
async def response_cancel(request: HttpRequest, response_id: str) -> HttpResponse:
    """POST /v1/responses/{id}/cancel: stop a background response (idempotent)."""
    run = run_get(response_id)
    body = run.state.to_dict() if run else await store.response_body(response_id)
    if body is None:
        raise not_found(response_id)
    if not body["background"]:
        raise ApiError("Responses can only be cancelled if they were created with background=true.")
    if run is None:
        return JsonResponse(body)
    run.cancel.set()
    await run.finished.wait()
    return JsonResponse(run.state.to_dict())


def _int_query(request: HttpRequest, name: str, *, default: int, low: int, high: int | None) -> int:
    """An integer query parameter within [low, high]."""
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ApiError(
            f"Invalid '{name}': expected an integer {bounds}, but got '{raw}' instead.",
            param=name,
            code="invalid_value",
        )
    return value


@api_view("GET")
async def response_input_items(request: HttpRequest, response_id: str) -> HttpResponse:
    """GET /v1/responses/{id}/input_items (cursor pagination with `after`)."""
    limit = _int_query(request, "limit", default=20, low=1, high=100)
    order = request.GET.get("order", "desc")
    if order not in ("asc", "desc"):
        raise invalid_value("order", order, ["asc", "desc"])
    page = await store.input_items_page(
        response_id, limit=limit, descending=order == "desc", after=request.GET.get("after")
    )
    if page is None:
        raise not_found(response_id)
    data, has_more = page
    return JsonResponse(
        {
            "object": "list",
            "data": data,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
            "has_more": has_more,
        }
    )


def _model_object() -> dict[str, Any]:
    """The one model this server serves."""
    return {
        "id": settings.PROVIDER_MODEL_NAME,
        "object": "model",
        "created": STARTED_AT,
        "owned_by": "chatsite",
    }


@api_view("GET")
async def models_list(request: HttpRequest) -> HttpResponse:
    """GET /v1/models."""
    return JsonResponse({"object": "list", "data": [_model_object()]})


@api_view("GET")
async def model_detail(request: HttpRequest, model_id: str) -> HttpResponse:
    """GET /v1/models/{id}."""
    if model_id != settings.PROVIDER_MODEL_NAME:
        raise ApiError(
            f"The model '{model_id}' does not exist.",
            status=404,
            param="model",
            code="model_not_found",
        )
    return JsonResponse(_model_object())


@api_view("GET", "POST", "PUT", "PATCH", "DELETE")
async def unknown_route(request: HttpRequest, path: str) -> HttpResponse:
    """404 for any other /v1 path."""
    raise ApiError(f"Invalid URL ({request.method} /v1/{path}).", status=404)
