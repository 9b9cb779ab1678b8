"""Embedded /v1 routes (mounted at /v1/ by chatsite.urls)."""

from __future__ import annotations

from django.urls import path, re_path

from provider import views

app_name = "provider"
urlpatterns = [
    path("responses", views.responses_create, name="responses"),
    path("responses/<str:response_id>", views.response_detail, name="response"),
    path(
        "responses/<str:response_id>/input_items",
        views.response_input_items,
        name="response-input-items",
    ),
    path("responses/<str:response_id>/cancel", views.response_cancel, name="response-cancel"),
    path("models", views.models_list, name="models"),
    path("models/<str:model_id>", views.model_detail, name="model"),
    re_path(r"^(?P<path>.*)$", views.unknown_route, name="unknown"),
]
