"""Chat pages (filled in by the web UI)."""

from __future__ import annotations

urlpatterns: list = []
