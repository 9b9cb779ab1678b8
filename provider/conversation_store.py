"""Database reads and writes of the Conversations API, as async functions for the views."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from provider.errors import ApiError
from provider.ids import new_id
from provider.models import Conversation, ConversationItem
from provider.references import fresh_copy
from provider.store import items_page_after

Page = tuple[list[dict[str, Any]], bool]


def conversation_not_found(conversation_id: str) -> ApiError:
    """404 for an unknown or deleted conversation."""
    return ApiError(
        f"Conversation with id '{conversation_id}' not found.", status=404, param="conversation"
    )


def _get(conversation_id: str) -> Conversation:
    """The conversation row or a 404."""
    row = Conversation.objects.filter(pk=conversation_id).first()
    if row is None:
        raise conversation_not_found(conversation_id)
    return row


@database_sync_to_async
def conversation_create(*, items: list[dict[str, Any]], metadata: dict[str, str]) -> dict:
    """A new conversation holding these items."""
    with transaction.atomic():
        row = Conversation.objects.create(
            id=new_id("conv"), created_at=timezone.now(), metadata=metadata
        )
        _append(row, items)
    return row.to_dict()


@database_sync_to_async
def conversation_get(conversation_id: str) -> dict[str, Any]:
    """The Conversation object."""
    return _get(conversation_id).to_dict()


@database_sync_to_async
def conversation_update(conversation_id: str, *, metadata: dict[str, str]) -> dict[str, Any]:
    """Replace the metadata."""
    row = _get(conversation_id)
    row.metadata = metadata
    row.save(update_fields=["metadata"])
    return row.to_dict()


@database_sync_to_async
def conversation_delete(conversation_id: str) -> None:
    """Delete a conversation and its items."""
    deleted, _ = Conversation.objects.filter(pk=conversation_id).delete()
    if not deleted:
        raise conversation_not_found(conversation_id)


def _append(row: Conversation, items: list[dict[str, Any]], *, renew_taken: bool = False) -> None:
    """Append items after the conversation's last one.

    An item id the conversation already holds is refused, or with `renew_taken` (a response's
    input that repeats an item by `item_reference`) given to a fresh copy of the item.
    """
    taken = set(row.items.values_list("item_id", flat=True))
    for index, item in enumerate(items):
        if item["id"] in taken and renew_taken:
            items[index] = item = fresh_copy(item)
        elif item["id"] in taken:
            raise ApiError(
                f"An item with id '{item['id']}' is already in this conversation.",
                param=f"items[{index}].id",
            )
        taken.add(item["id"])
    last = row.items.aggregate(last=Max("position"))["last"]
    start = 0 if last is None else last + 1
    ConversationItem.objects.bulk_create(
        ConversationItem(conversation=row, position=start + i, item_id=item["id"], data=item)
        for i, item in enumerate(items)
    )


@database_sync_to_async
def items_append(conversation_id: str, items: list[dict[str, Any]]) -> None:
    """Append a response's input and output items (nothing if the conversation is gone)."""
    with transaction.atomic():
        row = Conversation.objects.select_for_update().filter(pk=conversation_id).first()
        if row is not None:
            _append(row, items, renew_taken=True)


@database_sync_to_async
def items_add(conversation_id: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append items from the items endpoint; returns them as stored."""
    with transaction.atomic():
        _append(_get(conversation_id), items)
    return items


@database_sync_to_async
def items_all(conversation_id: str) -> list[dict[str, Any]]:
    """Every item, oldest first (the context a response continues)."""
    rows = _get(conversation_id).items.order_by("position")
    return list(rows.values_list("data", flat=True))


@database_sync_to_async
def item_get(conversation_id: str, item_id: str) -> dict[str, Any]:
    """One item or a 404."""
    data = _get(conversation_id).items.filter(item_id=item_id).values_list("data", flat=True)
    if not data:
        raise _item_not_found(item_id)
    return data[0]


@database_sync_to_async
def item_delete(conversation_id: str, item_id: str) -> dict[str, Any]:
    """Delete one item; returns the Conversation (as OpenAI does)."""
    row = _get(conversation_id)
    deleted, _ = row.items.filter(item_id=item_id).delete()
    if not deleted:
        raise _item_not_found(item_id)
    return row.to_dict()


def _item_not_found(item_id: str) -> ApiError:
    """404 for an unknown item."""
    return ApiError(f"Item with id '{item_id}' not found.", status=404, param="item_id")


@database_sync_to_async
def items_page(conversation_id: str, *, limit: int, descending: bool, after: str | None) -> Page:
    """One page of items and whether more follow."""
    rows = _get(conversation_id).items.all()
    return items_page_after(rows, limit=limit, descending=descending, after=after)
