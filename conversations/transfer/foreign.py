"""Other apps' exports: ChatGPT's conversations.json and Open WebUI's chat export.

Both keep a conversation as a tree of messages (edits and regenerations are branches): we take
the branch the user was on, from its root to the current message, and pair each user message
with the assistant messages that follow it.
"""

from __future__ import annotations

from typing import Any

from conversations.transfer.fields import (
    ImportedConversation,
    ImportedTurn,
    ImportFileError,
    optional,
    required,
    title_of,
)

# A current branch deeper than this is a cycle in a damaged file.
MAX_DEPTH = 100_000


def chatgpt(item: dict[str, Any], where: str) -> ImportedConversation:
    """A conversation of ChatGPT's conversations.json (`mapping` of nodes, `current_node`)."""
    mapping = required(item, "mapping", dict, where)
    current = optional(item, "current_node", str, where, "") or _last_leaf(mapping)
    messages = []
    for node in _branch(mapping, current, "parent", where):
        message = node.get("message")
        if isinstance(message, dict):
            role = (message.get("author") or {}).get("role")
            messages.append((role, _chatgpt_text(message), _model(message.get("metadata"))))
    return ImportedConversation(title=title_of(item.get("title"), where), turns=_pairs(messages))


def _last_leaf(mapping: dict[str, Any]) -> str:
    """Without current_node, the last node that has no children."""
    leaves = [
        key for key, node in mapping.items() if isinstance(node, dict) and not node.get("children")
    ]
    return leaves[-1] if leaves else ""


def _chatgpt_text(message: dict[str, Any]) -> str:
    """The text parts of a message (images and other parts are left out)."""
    content = message.get("content") or {}
    if content.get("content_type") not in ("text", "multimodal_text"):
        return ""
    parts = content.get("parts") or []
    return "\n".join(part for part in parts if isinstance(part, str)).strip()


def _model(metadata: object) -> str:
    return str((metadata or {}).get("model_slug") or "") if isinstance(metadata, dict) else ""


def openwebui(item: dict[str, Any], where: str) -> ImportedConversation:
    """A chat of Open WebUI's export (`chat.history.messages` + `currentId`, or `chat.messages`)."""
    chat = item["chat"]
    history = chat.get("history")
    if isinstance(history, dict) and isinstance(history.get("messages"), dict):
        current = optional(history, "currentId", str, f"{where}, history", "")
        nodes = _branch(history["messages"], current, "parentId", where)
    else:
        nodes = required(chat, "messages", list, where)
    messages = [
        (node.get("role"), node.get("content") if isinstance(node.get("content"), str) else "",
         str(node.get("model") or ""))
        for node in nodes
        if isinstance(node, dict)
    ]  # fmt: skip
    title = item.get("title") or chat.get("title")
    return ImportedConversation(title=title_of(title, where), turns=_pairs(messages))


def _branch(nodes: dict[str, Any], current: str, parent_key: str, where: str) -> list[dict]:
    """The nodes from the root down to `current`, following each node's parent link."""
    if current and current not in nodes:
        raise ImportFileError(f"{where}: the current message “{current}” is not in the file.")
    branch = []
    key: object = current
    while key:
        node = nodes.get(key)
        if not isinstance(node, dict):
            raise ImportFileError(f"{where}: message “{key}” is missing or not an object.")
        branch.append(node)
        if len(branch) > MAX_DEPTH:
            raise ImportFileError(f"{where}: the messages' parent links form a loop.")
        key = node.get(parent_key)
    return branch[::-1]


def _pairs(messages: list[tuple[object, str, str]]) -> list[ImportedTurn]:
    """Turns: each user message with the assistant text after it (system and tool messages
    are left out, an assistant speaking first gets an empty message)."""
    turns: list[dict[str, str]] = []
    for role, text, model in messages:
        if role == "user":
            turns.append({"user_text": text, "output_text": "", "model": ""})
        elif role == "assistant" and text:
            if not turns:
                turns.append({"user_text": "", "output_text": "", "model": ""})
            last = turns[-1]
            last["output_text"] = "\n\n".join(filter(None, [last["output_text"], text]))
            last["model"] = model or last["model"]
    return [ImportedTurn(**turn) for turn in turns]
