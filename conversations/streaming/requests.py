"""What a job asks of the provider: the POST body, the events (new or resumed), the cancel."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from channels.db import database_sync_to_async
from django.conf import settings

from conversations import selectors
from conversations.models import Conversation, ReasoningEffort, Turn
from conversations.streaming import parts
from conversations.tools.hosted import MCP_PREFIX, hosted_definitions, hosted_includes
from conversations.tools.registry import tool_definitions
from responses_client import client

if TYPE_CHECKING:
    from conversations.streaming.jobs import Job

logger = logging.getLogger(__name__)


async def request_body(*, turn: Turn, background: bool) -> dict[str, Any]:
    """The POST /responses body for the turn, from its conversation's current settings."""
    return await database_sync_to_async(_request_body)(turn=turn, background=background)


def _request_body(*, turn: Turn, background: bool) -> dict[str, Any]:
    conversation = Conversation.objects.get(pk=turn.conversation_id)
    tree = selectors.turn_tree(conversation_id=conversation.pk)
    previous = selectors.turn_previous_response_id(tree=tree, parent_id=turn.parent_id)
    return request_body_sync(
        turn=turn, conversation=conversation, background=background, previous_response_id=previous
    )


def request_body_sync(
    *, turn: Turn, conversation: Conversation, background: bool, previous_response_id: str
) -> dict[str, Any]:
    """request_body with its reads done, for callers on the database thread.

    `previous_response_id` is the last answered response on the turn's branch (or ''), for
    providers that keep state. Attached files are still to be read: parts.files_read.
    """
    body: dict[str, Any] = {
        "model": conversation.model or settings.OPENAI_MODEL,
        "input": _turn_input(turn),
        "store": True,
        **_long_chat_fields(),
    }
    if background:
        body["background"] = True
    if conversation.instructions:
        body["instructions"] = conversation.instructions
    if conversation.temperature is not None:
        body["temperature"] = conversation.temperature
    if conversation.max_output_tokens is not None:
        body["max_output_tokens"] = conversation.max_output_tokens
    if conversation.tools:
        body.update(_tool_fields(conversation))
    if conversation.reasoning_effort != ReasoningEffort.NONE:
        # OpenAI streams reasoning summaries only when asked for; others ignore "summary".
        body["reasoning"] = {"effort": conversation.reasoning_effort, "summary": "auto"}
    body.update(
        _context_fields(conversation=conversation, turn=turn, previous=previous_response_id)
    )
    return body


def _tool_fields(conversation: Conversation) -> dict[str, Any]:
    """`tools` (functions chatsite runs, then the provider's hosted tools) and what to include."""
    names = conversation.tools
    servers = (
        selectors.mcp_servers_enabled() if any(n.startswith(MCP_PREFIX) for n in names) else []
    )
    hosted = hosted_definitions(
        names=names, vector_store_ids=conversation.vector_store_ids, mcp_servers=servers
    )
    fields: dict[str, Any] = {"tools": [*tool_definitions(names=names), *hosted]}
    if includes := hosted_includes(names=names):
        fields["include"] = includes
    return fields


def _long_chat_fields() -> dict[str, Any]:
    """What a chat longer than the model's window does: its earlier turns are summarised
    (compaction, where the provider keeps the chain), else the oldest are dropped."""
    if settings.CHAT_COMPACTION and not settings.OPENAI_STATELESS:
        threshold = settings.CHAT_COMPACT_THRESHOLD
        return {"context_management": [{"type": "compaction", "compact_threshold": threshold}]}
    return {"truncation": "auto"}


def _context_fields(*, conversation: Conversation, turn: Turn, previous: str) -> dict[str, Any]:
    """Chain to the branch's last answer, or send the branch's history: to stateless providers,
    and when no answered turn on the branch has a response there (an imported conversation)."""
    if previous and not settings.OPENAI_STATELESS:
        return {"previous_response_id": previous}
    history = selectors.turn_history(turn=turn)
    if not history and not settings.OPENAI_STATELESS:
        return {}
    messages = [
        message
        for past in history
        for message in (
            {"role": "user", "content": parts.user_content(turn=past)},
            {"role": "assistant", "content": past.output_text},
        )
    ]
    return {"input": [*messages, {"role": "user", "content": parts.user_content(turn=turn)}]}


def _turn_input(turn: Turn) -> str | list[dict[str, Any]]:
    """The input of a chained turn: its text, or one user message when it carries files."""
    content = parts.user_content(turn=turn)
    return content if isinstance(content, str) else [{"role": "user", "content": content}]


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
