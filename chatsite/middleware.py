"""Middleware of our own."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise that can also run async.

    WhiteNoise's own middleware is sync-only, which makes Django run every request's middleware
    chain in a thread and adapt each async view (the websocket-era pages and the streaming /v1
    API) back onto the event loop. Serving a static file is a dict lookup and an open(), so the
    async path does it inline and awaits the rest of the chain.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if iscoroutinefunction(self):
            return self.__acall__(request)
        return super().__call__(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        """Serve a static file, or pass the request on."""
        path = request.path_info
        static_file = self.find_file(path) if self.autorefresh else self.files.get(path)
        if static_file is not None:
            return self.serve(static_file, request)
        return await self.get_response(request)


class BodySizeLimitMiddleware:
    """Refuse a request body over its path's limit with a readable 413, before it is read.

    An ASGI wrapper (chatsite.asgi puts it around Django): a declared Content-Length over the limit
    is answered at once, so Django never spools the body; a chunked body is counted as it arrives
    and cut off at the limit. Limits come from settings: REQUEST_BODY_LIMITS maps path prefixes
    to bytes (the longest matching prefix wins), REQUEST_BODY_MAX_BYTES covers every other path.
    """

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit_for(scope["path"])
        if _declared_length(scope) > limit:
            await _too_large(send, scope=scope, limit=limit)
            return
        await self.app(scope, _CountingReceive(receive, send, scope=scope, limit=limit), send)


def body_limit_for(path: str) -> int:
    """The largest body, in bytes, a request to this path may send."""
    prefixes = [prefix for prefix in settings.REQUEST_BODY_LIMITS if path.startswith(prefix)]
    if not prefixes:
        return settings.REQUEST_BODY_MAX_BYTES
    return settings.REQUEST_BODY_LIMITS[max(prefixes, key=len)]


class _CountingReceive:
    """Pass body chunks on until they pass the limit; then answer 413 and end the request."""

    def __init__(self, receive: Callable, send: Callable, *, scope: dict, limit: int) -> None:
        self.receive, self.send, self.scope, self.limit = receive, send, scope, limit
        self.seen = 0

    async def __call__(self) -> dict:
        message = await self.receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                await _too_large(self.send, scope=self.scope, limit=self.limit)
                # Django reads a disconnect as an aborted request and sends nothing more.
                return {"type": "http.disconnect"}
        return message


def _declared_length(scope: dict) -> int:
    """The request's Content-Length, or 0 when absent or not a number."""
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _too_large(send: Callable, *, scope: dict, limit: int) -> None:
    """Send a 413 that says the limit: a JSON error body under /v1/, plain text elsewhere."""
    sentence = f"The request body is larger than the {_size_text(limit)} this address accepts."
    if scope["path"].startswith("/v1/"):
        error = {"message": sentence, "type": "invalid_request_error", "param": None}
        body = json.dumps({"error": {**error, "code": "request_too_large"}}).encode()
        content_type = b"application/json"
    else:
        body, content_type = sentence.encode(), b"text/plain; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _size_text(size: int) -> str:
    """1048576 -> '1 MiB'."""
    for unit, factor in (("MiB", 2**20), ("KiB", 2**10)):
        if size >= factor:
            return f"{size / factor:g} {unit}"
    return f"{size} bytes"
