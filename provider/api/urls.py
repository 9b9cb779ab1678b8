"""Embedded /v1 routes: `/v1` itself and everything under `/v1/` (included by chatsite.urls)."""

from __future__ import annotations

from django.urls import include, path, re_path

from provider.api import conversation_views, model_views, views

app_name = "provider"
v1_urlpatterns = [
    path("responses", views.responses_create, name="responses"),
    path("responses/compact", views.responses_compact, name="responses-compact"),
    path("responses/input_tokens", views.response_input_tokens, name="response-input-tokens"),
    path("responses/<str:response_id>", views.response_detail, name="response"),
    path(
        "responses/<str:response_id>/input_items",
        views.response_input_items,
        name="response-input-items",
    ),
    path("responses/<str:response_id>/cancel", views.response_cancel, name="response-cancel"),
    path("conversations", conversation_views.conversations_create, name="conversations"),
    path(
        "conversations/<str:conversation_id>",
        conversation_views.conversation_detail,
        name="conversation",
    ),
    path(
        "conversations/<str:conversation_id>/items",
        conversation_views.conversation_items,
        name="conversation-items",
    ),
    path(
        "conversations/<str:conversation_id>/items/<str:item_id>",
        conversation_views.conversation_item,
        name="conversation-item",
    ),
    path("models", model_views.models_list, name="models"),
    path("models/<str:model_id>", model_views.model_detail, name="model"),
    re_path(r"^(?P<path>.*)$", model_views.unknown_route, name="unknown"),
]
urlpatterns = [
    # `/v1` itself is an unknown API route too (not an HTML redirect to `/v1/`).
    path("v1", model_views.unknown_route, {"path": ""}),
    path("v1/", include(v1_urlpatterns)),
]
