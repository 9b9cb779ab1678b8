"""Every HTTP and websocket route, found by walking the URL conf, with user A's ids filled in.

Routes other branches add join the matrix by themselves; an id the fillers don't know gets A's
conversation (uuid), A's latest turn (int) or that as a string, so a new kind of object needs a
line in `ADMIN_OBJECTS` or `KWARG_VALUES` to be tested with a real id.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class Route:
    """A URL pattern: its name (or route), the route string, and whether it is under /admin/."""

    name: str
    route: str

    @property
    def admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def has_params(self) -> bool:
        return bool(PARAM.search(self.route))


def http_routes() -> list[Route]:
    """Every path() route of ROOT_URLCONF (regex routes are Django admin's catch-alls)."""
    return list(_walk(get_resolver().url_patterns, "", ""))


def websocket_routes() -> list[Route]:
    """Every socket route of settings.WEBSOCKET_URLCONFS."""
    patterns = [
        pattern
        for module in settings.WEBSOCKET_URLCONFS
        for pattern in import_module(module).websocket_urlpatterns
    ]
    return list(_walk(patterns, "", ""))


def _walk(patterns: list, prefix: str, namespace: str) -> Iterator[Route]:
    for pattern in patterns:
        route = _route_text(pattern)
        if route is None:
            continue
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + route, inner)
        elif isinstance(pattern, URLPattern):
            yield Route(name=f"{namespace}{pattern.name or prefix + route}", route=prefix + route)


def _route_text(pattern: URLPattern | URLResolver) -> str | None:
    if isinstance(pattern.pattern, RoutePattern):
        return str(pattern.pattern)
    text = pattern.pattern.regex.pattern
    # Admin's app index ^(?P<app_label>auth|…)/$ keeps one real app; other regexes are skipped.
    app_list = re.fullmatch(r"\^\(\?P<app_label>(\w+)[^)]*\)/\$", text)
    return f"{app_list.group(1)}/" if app_list else None


def fill(route: str, value_for: Callable[[str, str], str]) -> str:
    """The route with each <converter:name> replaced by value_for(name, converter)."""
    return "/" + PARAM.sub(lambda match: value_for(match.group(2), match.group(1) or "str"), route)
