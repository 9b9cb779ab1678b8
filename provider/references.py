"""Item references: `item_reference` items resolved to the stored items they name, and fresh
copies of items added again."""

from __future__ import annotations

from typing import Any

from provider.errors import ApiError
from provider.ids import ID_PREFIXES, new_id


def fresh_copy(item: dict[str, Any]) -> dict[str, Any]:
    """The item under a new id (the same item added again is a new item)."""
    return {**item, "id": new_id(ID_PREFIXES.get(item["type"], "item"))}


def referenced_ids(items: list[dict[str, Any]]) -> set[str]:
    """The ids the `item_reference` items among these name."""
    return {item["id"] for item in items if item.get("type") == "item_reference" and "id" in item}


def resolve_references(
    items: list[dict[str, Any]],
    known: dict[str, dict[str, Any]],
    *,
    param: str = "input",
    fresh: bool = False,
) -> list[dict[str, Any]]:
    """Replace `item_reference` items by the stored items they name (copies with new ids when
    `fresh`: an item added to a conversation again is a new item of it)."""
    resolved = []
    for index, item in enumerate(items):
        if item.get("type") != "item_reference":
            resolved.append(item)
            continue
        target = known.get(item.get("id") or "")
        if target is None:
            raise ApiError(
                f"Item with id '{item.get('id')}' not found.", param=f"{param}[{index}].id"
            )
        if fresh:
            target = fresh_copy(target)
        resolved.append(target)
    return resolved


def check_call_outputs(items: list[dict[str, Any]]) -> None:
    """400 for a `function_call_output` whose call is not earlier in the context."""
    calls: set[str] = set()
    for item in items:
        if item.get("type") == "function_call":
            calls.add(item.get("call_id", ""))
        elif item.get("type") == "function_call_output" and item.get("call_id") not in calls:
            raise ApiError(
                f"No tool call found for function call output with call_id {item.get('call_id')}.",
                param="input",
            )
