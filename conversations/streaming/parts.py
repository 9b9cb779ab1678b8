"""A user message's content parts: its text and its attached files, read off the database thread.

The body is built on the database thread with a FilePart for each file; files_read then reads
them in a worker thread (ten 10 MB images took about a second to read and encode here, which
would hold every other query of the process behind them).
"""

from __future__ import annotations

import asyncio
import base64
import re
from dataclasses import dataclass
from typing import Any

from conversations import selectors
from conversations.models import Attachment, AttachmentKind, Turn


@dataclass(frozen=True)
class FilePart:
    """An attached file in a request body, still to be read into a content part."""

    attachment: Attachment


def user_content(*, turn: Turn) -> str | list[Any]:
    """A user message's content: its text alone, or its text and its files as content parts."""
    attachments = selectors.turn_attachments(turn=turn)
    if not attachments:
        return turn.user_text
    text = [{"type": "input_text", "text": turn.user_text}] if turn.user_text else []
    return text + [FilePart(attachment) for attachment in attachments]


async def files_read(body: dict[str, Any]) -> dict[str, Any]:
    """The body with each FilePart read into its content part (in place)."""
    messages = body.get("input")
    if isinstance(messages, list) and any(_files_of(message) for message in messages):
        await asyncio.to_thread(_messages_read, messages)
    return body


def _files_of(message: dict[str, Any]) -> list[FilePart]:
    content = message.get("content")
    return (
        [part for part in content if isinstance(part, FilePart)]
        if isinstance(content, list)
        else []
    )


def _messages_read(messages: list[dict[str, Any]]) -> None:
    for message in messages:
        if _files_of(message):
            message["content"] = [
                attachment_part(part.attachment) if isinstance(part, FilePart) else part
                for part in message["content"]
            ]


def attachment_part(attachment: Attachment) -> dict[str, Any]:
    """One file as a content part: images and PDFs inline as data URLs, text with its name."""
    with attachment.file.open("rb") as handle:
        data = handle.read()
    if attachment.kind == AttachmentKind.TEXT:
        return {"type": "input_text", "text": _file_text(attachment.name, data.decode("utf-8"))}
    media_type = attachment.content_type.split(";")[0]
    url = f"data:{media_type};base64,{base64.b64encode(data).decode('ascii')}"
    if attachment.kind == AttachmentKind.IMAGE:
        return {"type": "input_image", "image_url": url, "detail": "auto"}
    return {"type": "input_file", "filename": attachment.name, "file_data": url}


def _file_text(name: str, text: str) -> str:
    """A text file as the model reads it: its name, then its content in a Markdown fence longer
    than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{name}\n{fence}\n{text}\n{fence}"
