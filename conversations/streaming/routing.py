"""Websocket routes."""

from __future__ import annotations

from django.urls import path

from conversations.streaming.consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/conversations/<uuid:conversation_id>/", ChatConsumer.as_asgi()),
]
