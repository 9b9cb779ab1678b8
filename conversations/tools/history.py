"""`search_conversations`: the calling user's own history, through the search selector."""

from __future__ import annotations

import html

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import strip_tags

from conversations.search import SearchHit, conversation_search
from conversations.tools.base import Tool, ToolContext

MAX_HITS = 8


def _run(context: ToolContext, *, query: str) -> str:
    owner = get_user_model().objects.get(pk=context.owner_id)
    hits = conversation_search(owner=owner, query=query, limit=MAX_HITS)
    if not hits:
        return f"No conversation matches {query!r}."
    return "\n".join(_hit_line(hit) for hit in hits[:MAX_HITS])


def _hit_line(hit: SearchHit) -> str:
    """One hit as plain text: its title, its link, and the matching words in context."""
    url = reverse("conversation_detail", args=[hit.conversation_id])
    if hit.position is not None:
        url += f"#turn-{hit.position}"
    title = html.unescape(strip_tags(hit.title))
    snippet = html.unescape(strip_tags(hit.snippet))
    return f"- {title} ({url}): {snippet}" if snippet else f"- {title} ({url})"


TOOL = Tool(
    name="search_conversations",
    description=(
        "Search the user's earlier conversations by words; returns titles, links and snippets."
    ),
    parameters={
        "type": "object",
        "properties": {"query": {"type": "string", "description": "The words to look for."}},
        "required": ["query"],
        "additionalProperties": False,
    },
    run=_run,
    uses_db=True,
)
