"""Chat pages: the conversation list, one conversation, and its actions."""

from __future__ import annotations

from django.urls import path

from conversations import attachment_views, views

urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.conversation_search, name="conversation_search"),
    path("import/", views.conversations_import, name="conversations_import"),
    path("c/new/", views.conversation_create, name="conversation_create"),
    path("c/<uuid:conversation_id>/", views.conversation_detail, name="conversation_detail"),
    path("c/<uuid:conversation_id>/turns/", views.conversation_turns, name="conversation_turns"),
    path("c/<uuid:conversation_id>/rename/", views.conversation_rename, name="conversation_rename"),
    path("c/<uuid:conversation_id>/delete/", views.conversation_delete, name="conversation_delete"),
    path("attachments/", attachment_views.attachment_upload, name="attachment_upload"),
    path(
        "attachments/<uuid:attachment_id>/",
        attachment_views.attachment_content,
        name="attachment_content",
    ),
    path(
        "c/<uuid:conversation_id>/export/<str:kind>/",
        views.conversation_export,
        name="conversation_export",
    ),
    path(
        "c/<uuid:conversation_id>/settings/",
        views.conversation_settings,
        name="conversation_settings",
    ),
]
