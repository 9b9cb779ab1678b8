"""Sealed compaction summaries: authenticated encryption under settings.PROVIDER_COMPACTION_KEY.

A compaction item's `encrypted_content` is AES-256-GCM over the summary text, so a client can
neither read nor forge nor alter it; one made by another server (or under another key) fails
to open and is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

# Bound into every seal: the same key sealing something else cannot pass for a summary.
PURPOSE = b"chatsite provider compaction v1"
NONCE_BYTES = 12


class SealError(Exception):
    """The content was not sealed by this server under its key, or was altered."""


def _cipher() -> AESGCM:
    """AES-GCM under a 256-bit key derived from the configured secret (any length)."""
    return AESGCM(hashlib.sha256(settings.PROVIDER_COMPACTION_KEY.encode()).digest())


def seal(summary: str) -> str:
    """The opaque `encrypted_content` for a summary."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    plain = json.dumps({"summary": summary}).encode()
    return base64.urlsafe_b64encode(nonce + _cipher().encrypt(nonce, plain, PURPOSE)).decode()


def unseal(content: object) -> str:
    """The summary inside `encrypted_content`; SealError for anything this server did not seal."""
    try:
        raw = base64.urlsafe_b64decode(str(content).encode())
        plain = _cipher().decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], PURPOSE)
        return str(json.loads(plain)["summary"])
    except (InvalidTag, ValueError, KeyError, TypeError) as exc:
        raise SealError("not sealed by this server") from exc
