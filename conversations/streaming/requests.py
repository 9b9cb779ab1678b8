"""What a job asks of the provider: the POST body, the events (new or resumed), the cancel."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async
from django.conf import settings

from conversations import selectors
from conversations.models import Attachment, AttachmentKind, Conversation, ReasoningEffort, Turn
from responses_client import client

if TYPE_CHECKING:
    from conversations.streaming.jobs import Job

logger = logging.getLogger(__name__)


async def request_body(*, turn: Turn, background: bool) -> dict[str, Any]:
    """The POST /responses body for the turn, from its conversation's current settings."""
    return await database_sync_to_async(_request_body)(turn=turn, background=background)


def _request_body(*, turn: Turn, background: bool) -> dict[str, Any]:
    conversation = Conversation.objects.get(pk=turn.conversation_id)
    previous = selectors.conversation_last_response_id(conversation=conversation)
    return request_body_sync(
        turn=turn, conversation=conversation, background=background, previous_response_id=previous
    )


def request_body_sync(
    *, turn: Turn, conversation: Conversation, background: bool, previous_response_id: str
) -> dict[str, Any]:
    """request_body with its reads done, for callers on the database thread.

    `previous_response_id` is the conversation's last completed response (or ''), for
    providers that keep state.
    """
    body: dict[str, Any] = {
        "model": conversation.model or settings.OPENAI_MODEL,
        "input": _turn_input(turn),
        "store": True,
        # A chat longer than the model's window loses its oldest turns rather than failing.
        "truncation": "auto",
    }
    if background:
        body["background"] = True
    if conversation.instructions:
        body["instructions"] = conversation.instructions
    if conversation.temperature is not None:
        body["temperature"] = conversation.temperature
    if conversation.max_output_tokens is not None:
        body["max_output_tokens"] = conversation.max_output_tokens
    if conversation.reasoning_effort != ReasoningEffort.NONE:
        # OpenAI streams reasoning summaries only when asked for; others ignore "summary".
        body["reasoning"] = {"effort": conversation.reasoning_effort, "summary": "auto"}
    body.update(
        _context_fields(conversation=conversation, turn=turn, previous=previous_response_id)
    )
    return body


def _context_fields(*, conversation: Conversation, turn: Turn, previous: str) -> dict[str, Any]:
    """Chain to the last completed response, or send the whole history to stateless providers."""
    if not settings.OPENAI_STATELESS:
        return {"previous_response_id": previous} if previous else {}
    history = selectors.turn_history(conversation=conversation, before_position=turn.position)
    messages = [
        message
        for past in history
        for message in (
            {"role": "user", "content": _user_content(past)},
            {"role": "assistant", "content": past.output_text},
        )
    ]
    return {"input": [*messages, {"role": "user", "content": _user_content(turn)}]}


def _turn_input(turn: Turn) -> str | list[dict[str, Any]]:
    """The input of a chained turn: its text, or one user message when it carries files."""
    content = _user_content(turn)
    return content if isinstance(content, str) else [{"role": "user", "content": content}]


def _user_content(turn: Turn) -> str | list[dict[str, Any]]:
    """A user message's content: its text alone, or its text and its files as content parts."""
    attachments = selectors.turn_attachments(turn=turn)
    if not attachments:
        return turn.user_text
    parts = [{"type": "input_text", "text": turn.user_text}] if turn.user_text else []
    return parts + [_attachment_part(attachment) for attachment in attachments]


def _attachment_part(attachment: Attachment) -> dict[str, Any]:
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


def provider_events(job: Job, body: dict[str, Any]) -> AsyncIterator[dict[str, Any]]:
    """The job's provider events: a new streamed response, or the rest of a background one."""
    if job.resuming:
        return client.response_stream_resume(
            response_id=job.response_id, starting_after=job.provider_seq
        )
    return client.response_stream(body=body)


async def response_cancel(job: Job) -> dict[str, Any] | None:
    """Cancel a background response at the provider (closing our stream doesn't stop it);
    its final object, or None when the cancel failed."""
    try:
        return await client.response_cancel(response_id=job.response_id)
    except client.ProviderError as exc:
        logger.warning("Turn %s: cancelling %s failed: %r", job.turn.pk, job.response_id, exc)
        return None
