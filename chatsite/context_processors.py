"""Template context shared by every page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    """Expose the settings templates need (never secrets)."""
    return {"signup_enabled": settings.SIGNUP_ENABLED}
