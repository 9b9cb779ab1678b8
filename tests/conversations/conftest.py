"""Fixtures of the chat product's tests: attached files."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.samples import png_bytes


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
