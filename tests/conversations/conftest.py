"""Fixtures of the chat product's tests: attached files."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


def png_bytes() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def attachment_factory(user_factory) -> Callable[..., object]:
    """Store attachments through the service (a PNG for a new user unless told otherwise)."""
    from conversations import services

    def create(*, owner=None, name: str = "cat.png", data: bytes | None = None, turn=None):
        owner = owner or (turn.conversation.owner if turn else user_factory())
        upload = SimpleUploadedFile(name, png_bytes() if data is None else data)
        attachment = services.attachment_create(owner=owner, upload=upload)
        if turn is not None:
            attachment.turn = turn
            attachment.save(update_fields=["turn"])
        return attachment

    return create
