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


def _websocket_urlpatterns() -> list:
    """The apps' socket routes, named in settings as ROOT_URLCONF names the HTTP ones."""
    return [
        route
        for module in settings.WEBSOCKET_URLCONFS
        for route in import_module(module).websocket_urlpatterns
    ]


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(_websocket_urlpatterns()))
        ),
    }
)
