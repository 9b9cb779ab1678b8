"""Embedded /v1 socket routes: WebSocket mode on /v1/responses (named in settings)."""

from __future__ import annotations

from django.urls import path

from provider.api.sockets import ResponsesSocket

websocket_urlpatterns = [path("v1/responses", ResponsesSocket.as_asgi())]
