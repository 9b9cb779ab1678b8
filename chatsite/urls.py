"""Root URLs: admin, accounts, batch runs, chat pages and (by default) the embedded /v1."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("batches.urls")),
    path("", include("conversations.urls")),
]
if settings.EMBEDDED_PROVIDER:
    urlpatterns += [path("", include("provider.api.urls"))]
