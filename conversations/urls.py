"""Chat pages: the conversation list, one conversation, and its actions."""

from __future__ import annotations

from django.urls import path

from conversations import views

urlpatterns = [
    path("", views.index, name="index"),
    path("c/new/", views.conversation_create, name="conversation_create"),
    path("c/<uuid:conversation_id>/", views.conversation_detail, name="conversation_detail"),
    path("c/<uuid:conversation_id>/turns/", views.conversation_turns, name="conversation_turns"),
    path("c/<uuid:conversation_id>/rename/", views.conversation_rename, name="conversation_rename"),
    path("c/<uuid:conversation_id>/delete/", views.conversation_delete, name="conversation_delete"),
    path(
        "c/<uuid:conversation_id>/settings/",
        views.conversation_settings,
        name="conversation_settings",
    ),
]
