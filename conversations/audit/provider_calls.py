"""What the admin audit console asks of the provider: fetch, page, count, cancel and delete.

Async, like every provider call; the sync admin views run these with `async_to_sync`, which under
daphne runs them on the server's event loop, where the generation jobs live.
"""

from __future__ import annotations

import logging
from typing import Any

from channels.db import database_sync_to_async

from conversations import outbox, selectors, services
from conversations.models import ProviderDeletion, Turn
from conversations.streaming import generation
from conversations.streaming.events import turn_message
from responses_client import client

logger = logging.getLogger(__name__)
GONE = "The provider no longer has this response: it was deleted, or created with store: false."


async def response_fetch(*, response_id: str) -> tuple[dict[str, Any] | None, str]:
    """The provider's live response object, or None and a sentence saying why not."""
    if not response_id:
        return None, "This turn never received a response id from the provider."
    try:
        return await client.response_retrieve(response_id=response_id), ""
    except client.NotFoundError:
        return None, GONE
    except client.ProviderError as exc:
        return None, exc.readable


async def input_tokens_count(*, turn: Turn, instructions: str) -> int:
    """What the turn's request (its input on top of its previous response) costs in input tokens."""
    body: dict[str, Any] = {"model": turn.model, "input": turn.user_text}
    if turn.previous_response_id:
        body["previous_response_id"] = turn.previous_response_id
    if instructions:
        body["instructions"] = instructions
    return await client.input_tokens_count(body=body)


async def turn_cancel(*, turn: Turn) -> str:
    """Stop the turn as the user's Stop does, cancel it at the provider; returns what happened."""
    stopped = await generation.generation_stop(turn_id=turn.pk)
    at_provider = await _provider_cancel(response_id=turn.response_id)
    if not stopped:
        # No job runs it (crashed, or never started): end the row here and tell the open tabs.
        stopped = await _cancel_unattended(turn_id=turn.pk)
    locally = "stopped and saved as cancelled" if stopped else "had already finished"
    return f"Turn {turn}: {locally}; at the provider: {at_provider}."


async def _provider_cancel(*, response_id: str) -> str:
    """POST /cancel; a foreground response (400) or a forgotten one (404) has nothing to cancel."""
    if not response_id:
        return "no response id yet"
    try:
        response = await client.response_cancel(response_id=response_id)
    except client.BadRequestError:
        return "nothing to cancel (not a background response)"
    except client.NotFoundError:
        return "nothing to cancel (unknown response)"
    return f"status {response.get('status', 'unknown')}"


async def _cancel_unattended(*, turn_id: int) -> bool:
    """Save a running turn nobody is generating as cancelled and announce it; False if it ended."""
    turn = await Turn.objects.filter(pk=turn_id).afirst()
    if turn is None or turn.is_terminal:
        return False
    finished = await database_sync_to_async(services.turn_cancel_unattended)(turn=turn)
    if finished is None:
        return False
    as_dict = await database_sync_to_async(selectors.turn_as_dict)(turn=finished)
    message = turn_message(kind="turn.finished", turn=as_dict)
    await services.conversation_generating_publish(
        conversation_id=finished.conversation_id, generating=False
    )
    await services.turn_publish(conversation_id=finished.conversation_id, message=message)
    return True


async def turns_stop_delete(*, turns: list[Turn]) -> list[str]:
    """Stop each turn still generating, then delete it here and queue its provider response."""
    queued = []
    for turn in turns:
        # Stopped first, so no job writes to the row once it is gone.
        await generation.generation_stop(turn_id=turn.pk)
        queued.append(await database_sync_to_async(services.turn_delete)(turn=turn))
    return [response_id for response_id in queued if response_id]


async def deletions_flush(*, response_ids: list[str]) -> int:
    """Flush the outbox now; returns how many of these ids the provider could not delete yet."""
    if response_ids:
        await outbox.outbox_flush()
    pending = await ProviderDeletion.objects.filter(response_id__in=response_ids).acount()
    if pending:
        # Under daphne this runs on the server's loop, so the retries outlive the request.
        outbox.outbox_flush_schedule()
    return pending
