"""Opaque ids with OpenAI's prefixes (resp_, msg_, rs_, ...)."""

from __future__ import annotations

import secrets

# The id prefix of each item type this server gives ids to.
ID_PREFIXES = {
    "message": "msg",
    "function_call": "fc",
    "function_call_output": "fco",
    "reasoning": "rs",
    "compaction": "cmp",
}


def new_id(prefix: str) -> str:
    """A random id such as `resp_` + 48 hex digits."""
    return f"{prefix}_{secrets.token_hex(24)}"
