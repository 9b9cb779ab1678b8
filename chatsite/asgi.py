"""ASGI entry point: Django for HTTP (pages and the embedded /v1), Channels for sockets."""

from __future__ import annotations

import os
from importlib import import_module

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chatsite.settings")
django_asgi_app = get_asgi_application()

# Imported after Django is set up: the routing modules pull in models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402

from chatsite.middleware import BodySizeLimitMiddleware  # noqa: E402


def _websocket_urlpatterns() -> list:
    """The apps' socket routes, named in settings as ROOT_URLCONF names the HTTP ones."""
    return [
        route
        for module in settings.WEBSOCKET_URLCONFS
        for route in import_module(module).websocket_urlpatterns
    ]


# Sockets under /v1/ are the embedded provider's API: its clients authenticate with the
# provider key (checked by the consumer at the handshake) and send neither cookies nor an
# Origin, so the session stack and the origin check of the cookie-authenticated chat sockets
# (which refuse a socket without Origin) do not apply to them.
API_SOCKET_PREFIX = "/v1/"
_socket_routes = URLRouter(_websocket_urlpatterns())
_session_sockets = AllowedHostsOriginValidator(AuthMiddlewareStack(_socket_routes))


async def _sockets(scope, receive, send):
    """Route an API socket by key, any other by session and origin."""
    if scope["path"].startswith(API_SOCKET_PREFIX):
        return await _socket_routes(scope, receive, send)
    return await _session_sockets(scope, receive, send)


application = ProtocolTypeRouter(
    {"http": BodySizeLimitMiddleware(django_asgi_app), "websocket": _sockets}
)
