"""Plumbing shared by the /v1 views: auth, JSON bodies and errors, SSE, query parsing."""

from __future__ import annotations

import functools
import json
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from provider.api.params import check_includes
from provider.errors import ApiError, invalid_type, invalid_url, invalid_value
from provider.ids import new_id
from provider.protocol import SSE_DONE, sse, without_obfuscation

View = Callable[..., Awaitable[HttpResponse]]
# A \u escape of a UTF-16 surrogate: only then can a parsed string hold an unpaired one.
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def api_view(*methods: str) -> Callable[[View], View]:
    """Bearer auth, JSON errors, `x-request-id`, no CSRF and no login for a /v1 view."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        async def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                _authenticate(request)
                if request.method not in methods:
                    raise invalid_url(request)
                response = await view(request, *args, **kwargs)
            except ApiError as exc:
                response = JsonResponse(exc.body(), status=exc.status, headers=exc.headers)
            response["x-request-id"] = new_id("req")
            return response

        return login_not_required(csrf_exempt(wrapper))

    return decorate


def _authenticate(request: HttpRequest) -> None:
    """Require `Authorization: Bearer <PROVIDER_API_KEY>`."""
    authenticate(request.headers.get("Authorization", ""))


def authenticate(header: str) -> None:
    """401 unless an `Authorization` header value is `Bearer <PROVIDER_API_KEY>`."""
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


def json_body(request: HttpRequest) -> object:
    """The parsed JSON request body: strict JSON (no NaN), valid Unicode, within the size limit."""
    try:
        raw = request.body
    except RequestDataTooBig as exc:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2**20
        raise ApiError(f"The request body is larger than {limit} MiB.", status=413) from exc
    try:
        value = json.loads(raw or b"null", parse_constant=_refuse_constant)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise ApiError("We could not parse the JSON body of your request.") from exc
    if SURROGATE_ESCAPE.search(raw) and not _encodable(value):
        raise ApiError(
            "We could not parse the JSON body of your request: it holds an unpaired "
            "surrogate escape (such as \\ud800), which is not valid Unicode."
        )
    return value


def _refuse_constant(name: str) -> None:
    """NaN and Infinity are not JSON (Python's parser takes them unless told not to)."""
    raise ValueError(f"{name} is not valid JSON")


def _encodable(value: object) -> bool:
    """Whether every string in the value is valid Unicode (no unpaired surrogates)."""
    try:
        json.dumps(value, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return False
    return True


def json_object(request: HttpRequest, *, required: bool = True) -> dict[str, Any]:
    """The JSON body, which must be an object (or absent when not required)."""
    body = json_body(request)
    if body is None and not required:
        return {}
    if not isinstance(body, dict):
        raise ApiError("The request body must be a JSON object.", code="invalid_json")
    return body


async def _sse_bytes(
    events: AsyncIterator[dict[str, Any]], *, obfuscation: bool
) -> AsyncIterator[bytes]:
    """Encode events as SSE, one chunk per event, then `[DONE]`."""
    async for event in events:
        yield sse(event if obfuscation else without_obfuscation(event))
    yield SSE_DONE


def stream(events: AsyncIterator[dict[str, Any]], *, obfuscation: bool) -> HttpResponse:
    """A text/event-stream response over events."""
    response = StreamingHttpResponse(
        _sse_bytes(events, obfuscation=obfuscation), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def int_query(request: HttpRequest, name: str, *, default: int, low: int, high: int | None) -> int:
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


def include_query(request: HttpRequest) -> None:
    """Check the `include` (or `include[]`) values of a query string."""
    check_includes(request.GET.getlist("include") + request.GET.getlist("include[]"))


def page_query(request: HttpRequest) -> dict[str, Any]:
    """`limit` (1-100, default 20), `order` (default desc) and `after` of a list endpoint."""
    include_query(request)
    limit = int_query(request, "limit", default=20, low=1, high=100)
    order = request.GET.get("order", "desc")
    if order not in ("asc", "desc"):
        raise invalid_value("order", order, ["asc", "desc"])
    return {"limit": limit, "descending": order == "desc", "after": request.GET.get("after")}


def list_body(data: list[dict[str, Any]], *, has_more: bool) -> JsonResponse:
    """The list envelope with first_id, last_id and has_more."""
    return JsonResponse(
        {
            "object": "list",
            "data": data,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
            "has_more": has_more,
        }
    )


def array_field(body: dict[str, Any], key: str) -> list[Any]:
    """An optional array field."""
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_type(key, "an array", value)
    return value
