"""Database reads and writes of the provider, as async functions for the views and runner.

Each function is one short synchronous unit run in a worker thread, so the event loop never
touches the ORM; a streamed response costs one write when it starts and one when it ends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from channels.db import database_sync_to_async
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from provider.errors import ApiError
from provider.models import (
    ConversationItem,
    InputItem,
    OutputItem,
    PositionedItem,
    ResponseEvent,
    StoredResponse,
)
from provider.protocol import response_error, server_error
from provider.references import referenced_ids, resolve_references

RUNNING = ("queued", "in_progress")
# The runner renews a running response's heartbeat every HEARTBEAT_SECONDS (generation/runner.py).
HEARTBEAT_STALE_SECONDS = 20
LOST = "The server stopped while generating this response."


@database_sync_to_async
def context_items(
    *,
    previous_response_id: str | None,
    new_items: list[dict[str, Any]],
    prior: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Items the response sees: `prior` (a conversation's items) or the previous chain and its
    output, then the new input."""
    chain = list(prior)
    if previous_response_id is not None:
        previous = _settled(previous_response_id)
        if previous is None:
            raise ApiError(
                f"Previous response with id '{previous_response_id}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )
        if previous.status in RUNNING:
            # Its output is not written yet: continuing it now would silently drop it.
            raise ApiError(
                f"Previous response with id '{previous_response_id}' is still "
                f"{previous.status}. Wait for it to finish before continuing it.",
                param="previous_response_id",
            )
        chain = [row.data for row in previous.input_items.all()]
        chain += [row.data for row in previous.output_items.all()]
    references = referenced_ids(new_items)
    return chain + resolve_references(new_items, _items_by_id(references, chain))


@database_sync_to_async
def references_copied(
    items: list[dict[str, Any]], *, conversation_id: str | None
) -> list[dict[str, Any]]:
    """Items for a conversation, each `item_reference` replaced by a fresh copy of its item
    (found in the conversation or in any stored response)."""
    ids = referenced_ids(items)
    if not ids:
        return items
    rows = ConversationItem.objects.filter(conversation_id=conversation_id, item_id__in=ids)
    chain = [row.data for row in rows] if conversation_id else []
    return resolve_references(items, _items_by_id(ids, chain), param="items", fresh=True)


def _items_by_id(ids: set[str], chain: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Stored items with these ids (the chain first, then any stored response)."""
    found = {item["id"]: item for item in chain if item.get("id") in ids}
    missing = ids - found.keys()
    for model in (InputItem, OutputItem):
        for row in model.objects.filter(item_id__in=missing):
            found.setdefault(row.item_id, row.data)
    return found


@database_sync_to_async
def response_save_start(*, body: dict[str, Any], items: list[dict[str, Any]]) -> None:
    """Store a response that starts running, with its input items."""
    with transaction.atomic():
        now = timezone.now()
        row = StoredResponse.objects.create(
            id=body["id"], created_at=now, status=body["status"], body=body, heartbeat_at=now
        )
        InputItem.objects.bulk_create(
            InputItem(response=row, position=index, item_id=item.get("id", ""), data=item)
            for index, item in enumerate(items)
        )


@database_sync_to_async
def response_save_end(*, body: dict[str, Any], events: list[dict[str, Any]]) -> None:
    """Store the final state, output items and event log (nothing if it was deleted)."""
    with transaction.atomic():
        updated = StoredResponse.objects.filter(pk=body["id"]).update(
            status=body["status"], body=body
        )
        if not updated:
            return
        OutputItem.objects.bulk_create(
            OutputItem(response_id=body["id"], position=index, item_id=item["id"], data=item)
            for index, item in enumerate(body["output"])
        )
        ResponseEvent.objects.bulk_create(
            ResponseEvent(response_id=body["id"], sequence_number=e["sequence_number"], data=e)
            for e in events
        )


@database_sync_to_async
def responses_heartbeat(response_ids: list[str]) -> None:
    """Mark these running responses as alive."""
    StoredResponse.objects.filter(pk__in=response_ids).update(heartbeat_at=timezone.now())


def _settled(response_id: str) -> StoredResponse | None:
    """The stored row; a running one whose heartbeat stopped is failed first (its process
    died), with the events a replay ends on."""
    row = StoredResponse.objects.filter(pk=response_id).first()
    stale = timezone.now() - timedelta(seconds=HEARTBEAT_STALE_SECONDS)
    if row is None or row.status not in RUNNING or (row.heartbeat_at or stale) > stale:
        return row
    error = server_error(LOST)
    failed = {**row.body, "status": "failed", "error": response_error(error)}
    events = [
        {"type": "response.created", "response": row.body},
        {"type": "error", "error": error},
        {"type": "response.failed", "response": failed},
    ]
    with transaction.atomic():
        if StoredResponse.objects.filter(pk=row.pk, status=row.status).update(
            status="failed", body=failed
        ):
            ResponseEvent.objects.bulk_create(
                ResponseEvent(response=row, sequence_number=n, data={**e, "sequence_number": n})
                for n, e in enumerate(events)
            )
    # Settled here or by a racing reader: the same failed state either way.
    row.status, row.body = "failed", failed
    return row


@database_sync_to_async
def response_body(response_id: str) -> dict[str, Any] | None:
    """The stored Response object, or None."""
    row = _settled(response_id)
    return row.body if row else None


@database_sync_to_async
def response_events(response_id: str, *, after: int) -> list[dict[str, Any]]:
    """The stored events with sequence_number > after."""
    _settled(response_id)
    rows = ResponseEvent.objects.filter(response_id=response_id, sequence_number__gt=after)
    return list(rows.values_list("data", flat=True))


@database_sync_to_async
def response_delete(response_id: str) -> bool:
    """Delete a response with its items and events; False when there was none."""
    deleted, _ = StoredResponse.objects.filter(pk=response_id).delete()
    return bool(deleted)


@database_sync_to_async
def input_items_page(
    response_id: str, *, limit: int, descending: bool, after: str | None
) -> tuple[list[dict[str, Any]], bool] | None:
    """One page of a response's input items and whether more follow; None if unknown."""
    if not StoredResponse.objects.filter(pk=response_id).exists():
        return None
    rows = InputItem.objects.filter(response_id=response_id)
    return items_page_after(rows, limit=limit, descending=descending, after=after)


def items_page_after(
    rows: QuerySet[PositionedItem], *, limit: int, descending: bool, after: str | None
) -> tuple[list[dict[str, Any]], bool]:
    """Cursor paging shared by input items and conversation items: one page, and more-to-come."""
    if after is not None:
        anchor = rows.filter(item_id=after).values_list("position", flat=True).first()
        if anchor is None:
            raise ApiError(f"Item with id '{after}' not found.", param="after")
        rows = rows.filter(position__lt=anchor) if descending else rows.filter(position__gt=anchor)
    rows = rows.order_by("-position" if descending else "position")
    data = list(rows.values_list("data", flat=True)[: limit + 1])
    return data[:limit], len(data) > limit
