"""App config of the embedded provider."""

from __future__ import annotations

from django.apps import AppConfig


class ProviderConfig(AppConfig):
    """The embedded, stateful OpenAI-compatible Responses API server."""

    name = "provider"
    default_auto_field = "django.db.models.BigAutoField"
