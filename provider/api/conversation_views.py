"""The /v1 Conversations API: conversations and their items (spec §2, §14.1)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from provider import conversation_store, store
from provider.api.fields import known_keys
from provider.api.http import (
    api_view,
    array_field,
    include_query,
    json_object,
    list_body,
    page_query,
)
from provider.api.items import normalize_input
from provider.api.metadata import validate_metadata
from provider.errors import ApiError, missing

MAX_ITEMS = 20


def _items(value: list[object]) -> list[dict]:
    """At most 20 input items in stored form."""
    if len(value) > MAX_ITEMS:
        raise ApiError(
            f"Invalid 'items': array too long. Expected an array with maximum length "
            f"{MAX_ITEMS}, but got an array with length {len(value)} instead.",
            param="items",
            code="array_above_max_length",
        )
    return normalize_input(value, param="items")


@api_view("POST")
async def conversations_create(request: HttpRequest) -> HttpResponse:
    """POST /v1/conversations."""
    body = json_object(request, required=False)
    known_keys(body, ("items", "metadata"))
    items = await store.references_copied(_items(array_field(body, "items")), conversation_id=None)
    metadata = validate_metadata(body.get("metadata"))
    return JsonResponse(
        await conversation_store.conversation_create(items=items, metadata=metadata)
    )


@api_view("GET", "POST", "DELETE")
async def conversation_detail(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """GET, POST (update metadata) and DELETE /v1/conversations/{id}."""
    if request.method == "DELETE":
        await conversation_store.conversation_delete(conversation_id)
        return JsonResponse(
            {"id": conversation_id, "object": "conversation.deleted", "deleted": True}
        )
    if request.method == "POST":
        body = json_object(request)
        known_keys(body, ("metadata",))
        if body.get("metadata") is None:
            raise missing("metadata")
        metadata = validate_metadata(body["metadata"])
        return JsonResponse(
            await conversation_store.conversation_update(conversation_id, metadata=metadata)
        )
    return JsonResponse(await conversation_store.conversation_get(conversation_id))


@api_view("GET", "POST")
async def conversation_items(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """GET (list, paged) and POST (add up to 20) /v1/conversations/{id}/items."""
    if request.method == "POST":
        include_query(request)
        body = json_object(request)
        known_keys(body, ("items",))
        if body.get("items") is None:
            raise missing("items")
        items = await store.references_copied(
            _items(array_field(body, "items")), conversation_id=conversation_id
        )
        added = await conversation_store.items_add(conversation_id, items)
        return list_body(added, has_more=False)
    data, has_more = await conversation_store.items_page(conversation_id, **page_query(request))
    return list_body(data, has_more=has_more)


@api_view("GET", "DELETE")
async def conversation_item(
    request: HttpRequest, conversation_id: str, item_id: str
) -> HttpResponse:
    """GET and DELETE /v1/conversations/{id}/items/{item_id} (DELETE returns the conversation)."""
    include_query(request)
    if request.method == "DELETE":
        return JsonResponse(await conversation_store.item_delete(conversation_id, item_id))
    return JsonResponse(await conversation_store.item_get(conversation_id, item_id))
