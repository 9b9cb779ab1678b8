"""Client frames of the chat websocket, checked: each problem is a FrameRejected with a code
and a sentence for the user (the protocol is in streaming/consumers.py)."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qs

from conversations import services, uploads

MAX_FRAME_BYTES = 64 * 1024
MAX_TEXT_CHARS = services.MESSAGE_MAX_LENGTH


class FrameRejected(Exception):
    """A client frame we refuse; carries the error code and a sentence for the user."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra


def after_param(scope: dict[str, Any]) -> int | None:
    """The `after` seq of the query string, or None when absent or not a number."""
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("after", [])
    try:
        return max(int(values[0]), 0) if values else None
    except ValueError:
        return None


def turn_id_clean(value: Any) -> int:
    """A turn id named by a frame, or raise FrameRejected."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise FrameRejected("invalid_turn", "That does not name a message of this conversation.")
    return value


def frame_parse(text_data: str | None, bytes_data: bytes | None) -> dict[str, Any]:
    """Decode a client frame into a JSON object, or raise FrameRejected."""
    raw = text_data.encode() if text_data is not None else bytes_data or b""
    if len(raw) > MAX_FRAME_BYTES:
        raise FrameRejected("frame_too_large", "That message is too large to send.")
    try:
        content = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than Python's stack
        raise FrameRejected("invalid_json", "The frame was not valid JSON.") from None
    if not isinstance(content, dict):
        raise FrameRejected("invalid_json", "The frame must be a JSON object.")
    return content


def attachment_ids_clean(value: Any) -> tuple[uuid.UUID, ...]:
    """Distinct attachment ids in their order, or raise FrameRejected for a malformed list."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise FrameRejected("invalid_attachments", "Attachments must be a list of ids.")
    try:
        ids = tuple(dict.fromkeys(uuid.UUID(item) for item in value))
    except ValueError:
        raise FrameRejected("attachment_not_found", "An attached file was not found.") from None
    if len(ids) > uploads.MAX_ATTACHMENTS:
        raise FrameRejected(
            "too_many_attachments",
            f"A message can carry at most {uploads.MAX_ATTACHMENTS} files.",
        )
    return ids


def text_clean(text: Any, *, required: bool = True) -> str:
    """The message text stripped, or raise FrameRejected when empty (and required) or too long."""
    text = text.strip() if isinstance(text, str) else ""
    if not text and required:
        raise FrameRejected("empty_message", "Type a message before sending.")
    if len(text) > MAX_TEXT_CHARS:
        raise FrameRejected(
            "message_too_long", f"Messages can be at most {MAX_TEXT_CHARS} characters long."
        )
    if not _storable(text):
        raise FrameRejected(
            "invalid_text",
            "The message holds a character that cannot be stored (NUL or a lone surrogate).",
        )
    return text


def _storable(text: str) -> bool:
    """No NUL (PostgreSQL text holds none) and no unpaired surrogate (JSON's \\ud800 is one)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return "\x00" not in text
