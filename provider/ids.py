"""Opaque ids with OpenAI's prefixes (resp_, msg_, rs_, ...)."""

from __future__ import annotations

import secrets


def new_id(prefix: str) -> str:
    """A random id such as `resp_` + 48 hex digits."""
    return f"{prefix}_{secrets.token_hex(24)}"
