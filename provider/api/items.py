"""Input items: validate a request's `input` (or a conversation's `items`) into stored form."""

from __future__ import annotations

from typing import Any

from provider.errors import ApiError, invalid_type, invalid_value, missing, string_length
from provider.ids import ID_PREFIXES, new_id
from provider.sealing import SealError, unseal

ROLES = ["user", "assistant", "system", "developer"]
# The item types of openai 3.54's ResponseInputItemParam; this server acts on the first five
# and on its own compaction items, and keeps the others as history.
# fmt: off
ITEM_TYPES = [
    "message", "function_call", "function_call_output", "reasoning", "item_reference",
    "additional_tools", "apply_patch_call", "apply_patch_call_output", "code_interpreter_call",
    "compaction", "compaction_trigger", "computer_call", "computer_call_output",
    "configuration_update", "custom_tool_call", "custom_tool_call_output", "file_search_call",
    "image_generation_call", "local_shell_call", "local_shell_call_output",
    "mcp_approval_request", "mcp_approval_response", "mcp_call", "mcp_list_tools", "program",
    "program_output", "shell_call", "shell_call_output", "tool_search_call",
    "tool_search_output", "web_search_call",
]
# fmt: on
PART_TYPES = ["input_text", "input_image", "input_file", "output_text", "refusal"]
MAX_CALL_ID_LENGTH = 64


def normalize_input(value: object, *, param: str = "input") -> list[dict[str, Any]]:
    """Validate `input` (or a conversation's `items`) and return stored-form items with ids."""
    if isinstance(value, str):
        return [_message("user", value, param=param)]
    if not isinstance(value, list):
        raise invalid_type(param, "a string or an array", value)
    return [_item(item, param=f"{param}[{index}]") for index, item in enumerate(value)]


def _item(item: object, *, param: str) -> dict[str, Any]:
    """One input item in stored form."""
    if not isinstance(item, dict):
        raise invalid_type(param, "an object", item)
    kind = item.get("type", "message")
    if kind == "message":
        role = item.get("role")
        if role not in ROLES:
            raise invalid_value(f"{param}.role", role, ROLES)
        return _message(role, item.get("content"), param=f"{param}.content", source=item)
    if not isinstance(kind, str):
        raise invalid_type(f"{param}.type", "a string", kind)
    if kind not in ITEM_TYPES:
        raise invalid_value(f"{param}.type", kind, ITEM_TYPES)
    if kind in ("function_call", "function_call_output"):
        _check_call_id(item.get("call_id"), param=f"{param}.call_id")
        _check_present(item, "arguments" if kind == "function_call" else "output", param=param)
    if kind == "compaction":
        _check_sealed(item, param=param)
    stored = dict(item)
    if kind in ID_PREFIXES and not stored.get("id"):
        stored["id"] = new_id(ID_PREFIXES[kind])
    return stored


def _message(
    role: str, content: object, *, param: str, source: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A message item with list content; string content becomes one text part."""
    text_type = "output_text" if role == "assistant" else "input_text"
    if isinstance(content, str):
        part: dict[str, Any] = {"type": text_type, "text": content}
        if role == "assistant":
            part["annotations"] = []
        parts = [part]
    elif isinstance(content, list) and all(isinstance(p, dict) for p in content):
        parts = [_part(p, param=f"{param}[{index}]") for index, p in enumerate(content)]
    else:
        raise invalid_type(param, "a string or an array of content parts", content)
    stored = {**(source or {}), "type": "message", "role": role, "content": parts}
    stored.setdefault("status", "completed")
    stored["id"] = stored.get("id") or new_id("msg")
    return stored


def _check_call_id(call_id: object, *, param: str) -> None:
    """A function call's `call_id`: a string of 1 to 64 characters."""
    if call_id is None:
        raise missing(param)
    if not isinstance(call_id, str):
        raise invalid_type(param, "a string", call_id)
    if not 1 <= len(call_id) <= MAX_CALL_ID_LENGTH:
        raise string_length(param, call_id, low=1, high=MAX_CALL_ID_LENGTH)


def _check_sealed(item: dict[str, Any], *, param: str) -> None:
    """A compaction item must carry a summary this server sealed, unaltered."""
    _check_present(item, "encrypted_content", param=param)
    try:
        unseal(item["encrypted_content"])
    except SealError as exc:
        raise ApiError(
            "The compaction item's encrypted_content was not produced by this server, or was "
            "altered: pass back compaction items exactly as /v1 returned them.",
            param=f"{param}.encrypted_content",
            code="invalid_encrypted_content",
        ) from exc


def _check_present(item: dict[str, Any], key: str, *, param: str) -> None:
    """A required field of an item."""
    if item.get(key) is None:
        raise missing(f"{param}.{key}")


def _part(part: dict[str, Any], *, param: str) -> dict[str, Any]:
    """A content part; images must be inline data URLs (this server is offline)."""
    if part.get("type") not in PART_TYPES:
        raise invalid_value(f"{param}.type", part.get("type"), PART_TYPES)
    if part["type"] in ("input_text", "output_text"):
        _check_present(part, "text", param=param)
        if not isinstance(part["text"], str):
            raise invalid_type(f"{param}.text", "a string", part["text"])
    if part.get("type") != "input_image":
        return dict(part)
    url = part.get("image_url")
    if url is None and part.get("file_id") is None:
        raise ApiError(
            f"Missing required parameter: '{param}.image_url'.",
            param=f"{param}.image_url",
            code="missing_required_parameter",
        )
    if url is not None and not (isinstance(url, str) and url.startswith("data:")):
        raise ApiError(
            "Invalid image URL: this server is offline and accepts only base64 data URLs.",
            param=f"{param}.image_url",
            code="invalid_image_url",
        )
    return {"detail": "auto", **part}
