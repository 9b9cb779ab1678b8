"""Tools the provider runs itself (OpenAI's hosted tools): their request entries and items.

chatsite passes them through and shows what they did: web search (its queries and sources),
file search (vector stores), code interpreter (code and its output) and remote MCP servers
that staff configure in the admin. Providers without them refuse the request.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

HOSTED_TOOLS = ("web_search", "file_search", "code_interpreter")
MCP_PREFIX = "mcp: "
# What the provider leaves out of a hosted call's item unless asked to include it.
INCLUDES = {
    "web_search": "web_search_call.action.sources",
    "file_search": "file_search_call.results",
    "code_interpreter": "code_interpreter_call.outputs",
}
HOSTED_ITEM_TYPES = frozenset(
    {"web_search_call", "file_search_call", "code_interpreter_call", "mcp_call"}
)
RESULT_TEXT_LIMIT = 2000


class McpServerLike(Protocol):
    label: str
    server_url: str
    authorization: str
    allowed_tools: list[str]


def mcp_tool_name(label: str) -> str:
    """The tool name a conversation's settings list an MCP server under."""
    return f"{MCP_PREFIX}{label}"


def hosted_definitions(
    *, names: list[str], vector_store_ids: list[str], mcp_servers: list[McpServerLike]
) -> list[dict[str, Any]]:
    """The request's `tools` entries for the hosted tools among `names`."""
    tools: list[dict[str, Any]] = []
    if "web_search" in names:
        tools.append({"type": "web_search"})
    if "file_search" in names and vector_store_ids:
        tools.append({"type": "file_search", "vector_store_ids": vector_store_ids})
    if "code_interpreter" in names:
        tools.append({"type": "code_interpreter", "container": {"type": "auto"}})
    tools += [_mcp_definition(s) for s in mcp_servers if mcp_tool_name(s.label) in names]
    return tools


def hosted_includes(*, names: list[str]) -> list[str]:
    """The request's `include` entries that bring the hosted calls' results back."""
    return [INCLUDES[name] for name in HOSTED_TOOLS if name in names]


def _mcp_definition(server: McpServerLike) -> dict[str, Any]:
    tool: dict[str, Any] = {
        "type": "mcp",
        "server_label": server.label,
        "server_url": server.server_url,
        # chatsite has no approval step: staff choose the servers and their tools in the admin.
        "require_approval": "never",
    }
    if server.authorization:
        tool["authorization"] = server.authorization
    if server.allowed_tools:
        tool["allowed_tools"] = list(server.allowed_tools)
    return tool


def hosted_call(*, item: dict[str, Any], response_id: str) -> dict[str, Any]:
    """A hosted tool's output item as one of the turn's call records (kind: the item type)."""
    kind = str(item.get("type"))
    name, arguments, output, links = _READERS[kind](item)
    return {
        "call_id": str(item.get("id") or ""),
        "kind": kind,
        "name": name,
        "arguments": arguments,
        "output": output[:RESULT_TEXT_LIMIT],
        "links": [link for link in links if link.startswith(("https://", "http://"))],
        "ok": item.get("status") in (None, "completed") and not item.get("error"),
        "response_id": response_id,
    }


def _web_search(item: dict[str, Any]) -> tuple[str, str, str, list[str]]:
    action = item.get("action") or {}
    queries = action.get("queries") or [action.get("query") or action.get("url") or ""]
    sources = [str(s.get("url") or "") for s in action.get("sources") or []]
    return "web_search", "\n".join(map(str, queries)), "", sources


def _file_search(item: dict[str, Any]) -> tuple[str, str, str, list[str]]:
    results = [
        f"{r.get('filename') or r.get('file_id')}: {r.get('text') or ''}".strip()
        for r in item.get("results") or []
    ]
    return "file_search", "\n".join(map(str, item.get("queries") or [])), "\n\n".join(results), []


def _code_interpreter(item: dict[str, Any]) -> tuple[str, str, str, list[str]]:
    outputs = item.get("outputs") or []
    logs = "".join(str(o.get("logs") or "") for o in outputs if o.get("type") == "logs")
    images = [str(o.get("url") or "") for o in outputs if o.get("type") == "image"]
    return "code_interpreter", str(item.get("code") or ""), logs, images


def _mcp_call(item: dict[str, Any]) -> tuple[str, str, str, list[str]]:
    name = f"{item.get('server_label')}.{item.get('name')}"
    error = item.get("error")
    output = json.dumps(error) if error and not isinstance(error, str) else error or ""
    return name, str(item.get("arguments") or ""), str(output or item.get("output") or ""), []


_READERS = {
    "web_search_call": _web_search,
    "file_search_call": _file_search,
    "code_interpreter_call": _code_interpreter,
    "mcp_call": _mcp_call,
}


def citations(*, output: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The sources an answer cites (url_citation annotations), each once, in order."""
    found: dict[str, dict[str, str]] = {}
    messages = [item for item in output if item.get("type") == "message"]
    for part in (part for item in messages for part in item.get("content") or []):
        for note in part.get("annotations") or []:
            url = str(note.get("url") or "")
            if note.get("type") == "url_citation" and url.startswith(("https://", "http://")):
                found.setdefault(url, {"url": url, "title": str(note.get("title") or url)})
    return list(found.values())
