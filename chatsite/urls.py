"""Root URLs: admin, accounts, the chat pages and (by default) the embedded /v1 provider."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("conversations.urls")),
]
if settings.EMBEDDED_PROVIDER:
    from provider.model_views import unknown_route

    urlpatterns += [
        # `/v1` itself is an unknown API route too (not an HTML redirect to `/v1/`).
        path("v1", unknown_route, {"path": ""}),
        path("v1/", include("provider.urls")),
    ]
