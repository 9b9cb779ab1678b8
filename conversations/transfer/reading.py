"""Reading an export file: chatsite's own JSON, ChatGPT's conversations.json, Open WebUI's JSON."""

from __future__ import annotations

import json

from conversations.transfer import foreign, native
from conversations.transfer.exporting import FORMAT
from conversations.transfer.fields import ImportedConversation, ImportFileError

READERS = {
    "chatsite": native.native_read,
    "ChatGPT": foreign.chatgpt,
    "Open WebUI": foreign.openwebui,
}


def export_parse(*, raw: bytes) -> list[ImportedConversation]:
    """The conversations in an export file of any format we know."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"The file is not valid JSON ({exc}).") from exc
    items = data if isinstance(data, list) else [data]
    if not items:
        raise ImportFileError("The file holds no conversations.")
    kind = export_kind(items[0])
    if kind is None:
        raise ImportFileError(
            "This is not an export of chatsite, ChatGPT (conversations.json) or Open WebUI."
        )
    conversations = []
    for number, item in enumerate(items, start=1):
        where = f"Conversation {number}"
        if export_kind(item) != kind:
            raise ImportFileError(f"{where} is not in the {kind} format of the first one.")
        conversations.append(READERS[kind](item, where))
    return conversations


def export_kind(item: object) -> str | None:
    """Which export format an item of the file is in, if any we know."""
    if isinstance(item, dict):
        if item.get("format") == FORMAT:
            return "chatsite"
        if "mapping" in item:
            return "ChatGPT"
        if isinstance(item.get("chat"), dict):
            return "Open WebUI"
    return None
