"""Websocket routes of batch runs."""

from __future__ import annotations

from django.urls import path

from batches.consumers import RunProgressConsumer

websocket_urlpatterns = [
    path("ws/batches/<uuid:run_id>/", RunProgressConsumer.as_asgi()),
]
