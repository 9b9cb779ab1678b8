"""Hosted tools: their request entries, and OpenAI's items as a turn's records."""

from __future__ import annotations

from dataclasses import dataclass, field

from conversations.tools import hosted
from tests.fakes.openai import (
    CITED_MESSAGE,
    CODE_INTERPRETER_CALL,
    FILE_SEARCH_CALL,
    MCP_CALL,
    WEB_SEARCH_CALL,
)


@dataclass
class Server:
    label: str
    server_url: str
    authorization: str = ""
    allowed_tools: list[str] = field(default_factory=list)


def test_definitions_for_the_tools_turned_on():
    servers = [Server("deepwiki", "https://mcp.deepwiki.com/mcp", "tok", ["ask_question"])]
    names = ["calculator", "web_search", "file_search", "code_interpreter", "mcp: deepwiki"]
    assert hosted.hosted_definitions(
        names=names, vector_store_ids=["vs_1"], mcp_servers=servers
    ) == [
        {"type": "web_search"},
        {"type": "file_search", "vector_store_ids": ["vs_1"]},
        {"type": "code_interpreter", "container": {"type": "auto"}},
        {
            "type": "mcp",
            "server_label": "deepwiki",
            "server_url": "https://mcp.deepwiki.com/mcp",
            "require_approval": "never",
            "authorization": "tok",
            "allowed_tools": ["ask_question"],
        },
    ]
    assert hosted.hosted_includes(names=names) == [
        "web_search_call.action.sources",
        "file_search_call.results",
        "code_interpreter_call.outputs",
    ]


def test_servers_not_turned_on_and_file_search_without_stores_are_left_out():
    servers = [Server("other", "https://example.com/mcp")]
    names = ["file_search", "mcp: deepwiki"]
    assert hosted.hosted_definitions(names=names, vector_store_ids=[], mcp_servers=servers) == []


def test_a_web_search_keeps_its_query_and_web_sources_only():
    call = hosted.hosted_call(item=WEB_SEARCH_CALL, response_id="resp_1")
    assert call == {
        "call_id": "ws_68c1f3e0b6a88193a1",
        "kind": "web_search_call",
        "name": "web_search",
        "arguments": "capybara lifespan",
        "output": "",
        "links": ["https://en.wikipedia.org/wiki/Capybara"],
        "ok": True,
        "response_id": "resp_1",
    }


def test_code_file_search_and_mcp_calls_show_what_they_did():
    code = hosted.hosted_call(item=CODE_INTERPRETER_CALL, response_id="r")
    assert (code["name"], code["arguments"], code["output"]) == (
        "code_interpreter",
        "print(1234 * 5678)",
        "7006652\n",
    )
    files = hosted.hosted_call(item=FILE_SEARCH_CALL, response_id="r")
    assert (files["arguments"], files["output"]) == (
        "refund policy",
        "policy.pdf: Refunds in 30 days.",
    )
    mcp = hosted.hosted_call(item=MCP_CALL, response_id="r")
    assert mcp["name"] == "deepwiki.ask_question" and mcp["output"].startswith("A QuerySet")
    failed = hosted.hosted_call(item={**MCP_CALL, "error": {"message": "down"}}, response_id="r")
    assert (failed["ok"], failed["output"]) == (False, '{"message": "down"}')


def test_citations_are_web_links_each_once():
    output = [WEB_SEARCH_CALL, CITED_MESSAGE, CITED_MESSAGE]
    assert hosted.citations(output=output) == [
        {"url": "https://en.wikipedia.org/wiki/Capybara", "title": "Capybara - Wikipedia"}
    ]
