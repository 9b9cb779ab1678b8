"""A fake OpenAI Responses API with OpenAI's wire quirks (spec §17), as an httpx transport.

Quirks kept on purpose: DELETE answers `object: "response"` (the public example, not our
`response.deleted`); an empty input-items page has `first_id`/`last_id` null; reasoning items
carry no `status`; usage lacks `cache_write_tokens`; `metadata` is `{}`; errors are
`{"error": {...}}` with OpenAI's 404 wording; cancelling a foreground response is a 400;
ids are long hex.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx

BASE_URL = "https://api.openai.test/v1"


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(24)}"


def _error(status: int, message: str, *, code: str | None = None) -> httpx.Response:
    body = {"message": message, "type": "invalid_request_error", "param": None, "code": code}
    return httpx.Response(status, json={"error": body})


@dataclass
class FakeOpenAI:
    """Stored responses and their input items, served the way api.openai.com serves them."""

    responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    input_items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)

    def add(self, *, items: list[dict[str, Any]], previous: str | None = None) -> str:
        """Store a completed response with the given input items; returns its id."""
        response_id = _id("resp")
        self.responses[response_id] = _response(response_id, previous=previous)
        self.input_items[response_id] = [{"id": _id("msg"), **item} for item in items]
        return response_id

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        parts = request.url.path.removeprefix("/v1/").split("/")
        if parts == ["responses", "input_tokens"] and request.method == "POST":
            return httpx.Response(200, json={"object": "response.input_tokens", "input_tokens": 11})
        response_id = parts[1] if len(parts) > 1 else ""
        if response_id not in self.responses:
            return _error(404, f"Response with id '{response_id}' not found.")
        match request.method, parts[2:]:
            case "GET", []:
                return httpx.Response(200, json=self.responses[response_id])
            case "DELETE", []:
                del self.responses[response_id]
                return httpx.Response(
                    200, json={"id": response_id, "object": "response", "deleted": True}
                )
            case "GET", ["input_items"]:
                return httpx.Response(200, json=self._page(response_id, request.url.params))
            case "POST", ["cancel"]:
                return _error(400, "Only responses created with background=true can be cancelled.")
        return _error(404, "Invalid URL")

    def _page(self, response_id: str, params: httpx.QueryParams) -> dict[str, Any]:
        items = list(self.input_items[response_id])
        if params.get("order", "desc") == "desc":
            items.reverse()
        after = params.get("after")
        if after:
            ids = [item["id"] for item in items]
            items = items[ids.index(after) + 1 :]
        limit = int(params.get("limit", 20))
        data = items[:limit]
        return {
            "object": "list",
            "data": data,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
            "has_more": len(items) > limit,
        }

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handler)


def _response(response_id: str, *, previous: str | None) -> dict[str, Any]:
    """A completed gpt-5 response as captured from the wire (no `output_text`, `store` present)."""
    return {
        "id": response_id,
        "object": "response",
        "created_at": 1755000000,
        "status": "completed",
        "background": False,
        "completed_at": 1755000002,
        "error": None,
        "incomplete_details": None,
        "instructions": "Be <b>brief</b>.",
        "max_output_tokens": None,
        "metadata": {},
        "model": "gpt-5-2025-08-07",
        "output": [
            {
                "id": _id("rs"),
                "type": "reasoning",
                "summary": [{"type": "summary_text", "text": "Thinking about <script>x</script>"}],
            },
            {
                "id": _id("msg"),
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [
                    {
                        "type": "output_text",
                        "annotations": [],
                        "logprobs": [],
                        "text": "<img src=x onerror=alert(1)>Hello!",
                    }
                ],
            },
        ],
        "parallel_tool_calls": True,
        "previous_response_id": previous,
        "reasoning": {"effort": "low", "summary": "auto"},
        "service_tier": "default",
        "store": True,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": {
            "input_tokens": 9,
            "input_tokens_details": {"cached_tokens": 4},
            "output_tokens": 27,
            "output_tokens_details": {"reasoning_tokens": 18},
            "total_tokens": 36,
        },
        "user": None,
    }


def request_json(request: httpx.Request) -> Any:
    """The decoded body of a recorded request."""
    return json.loads(request.content)


# Output items of OpenAI's hosted tools, in the shapes api.openai.com returns them (with the
# `include` entries chatsite asks for), for tests of how a turn records and shows them.
WEB_SEARCH_CALL = {
    "type": "web_search_call",
    "id": "ws_68c1f3e0b6a88193a1",
    "status": "completed",
    "action": {
        "type": "search",
        "query": "capybara lifespan",
        "sources": [
            {"type": "url", "url": "https://en.wikipedia.org/wiki/Capybara"},
            {"type": "url", "url": "javascript:alert(1)"},
        ],
    },
}
CITED_MESSAGE = {
    "type": "message",
    "id": "msg_68c1f3e4a3",
    "status": "completed",
    "role": "assistant",
    "content": [
        {
            "type": "output_text",
            "text": "Capybaras live 8 to 10 years (Wikipedia).",
            "logprobs": [],
            "annotations": [
                {
                    "type": "url_citation",
                    "start_index": 29,
                    "end_index": 40,
                    "url": "https://en.wikipedia.org/wiki/Capybara",
                    "title": "Capybara - Wikipedia",
                },
                {
                    "type": "url_citation",
                    "start_index": 29,
                    "end_index": 40,
                    "url": "data:text/html,<script>alert(1)</script>",
                    "title": "bad",
                },
            ],
        }
    ],
}
CODE_INTERPRETER_CALL = {
    "type": "code_interpreter_call",
    "id": "ci_68c1f4",
    "status": "completed",
    "code": "print(1234 * 5678)",
    "container_id": "cntr_68c1f4",
    "outputs": [{"type": "logs", "logs": "7006652\n"}],
}
FILE_SEARCH_CALL = {
    "type": "file_search_call",
    "id": "fs_68c1f5",
    "status": "completed",
    "queries": ["refund policy"],
    "results": [
        {
            "file_id": "file-abc",
            "filename": "policy.pdf",
            "score": 0.93,
            "text": "Refunds in 30 days.",
        }
    ],
}
MCP_CALL = {
    "type": "mcp_call",
    "id": "mcp_68c1f6",
    "server_label": "deepwiki",
    "name": "ask_question",
    "arguments": '{"repoName": "django/django", "question": "What is a QuerySet?"}',
    "output": "A QuerySet is a lazy collection of database rows.",
    "error": None,
}
