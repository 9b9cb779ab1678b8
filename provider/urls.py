"""Embedded /v1 routes."""

from __future__ import annotations

urlpatterns: list = []
