"""Full-text search over the owner's titles and messages (reads), ranked, with marked snippets.

The user's words are searched for as words: quotes, `*`, `AND`, `-`, `:` and the like are never
FTS syntax, so any query is a search and none is an error.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from conversations.searchindex import POSTGRES_CONFIG, TITLE_FTS, TURN_FTS

# Snippet delimiters from the database, turned into <mark> after the text around them is escaped.
START, STOP = "\x02", "\x03"
# ts_headline drops anything that looks like an HTML tag: it gets < and > as these, put back here.
BRACKETS = "\x04\x05"
_BRACKETS_BACK = str.maketrans(BRACKETS, "<>")
MAX_TERMS = 16
SNIPPET_WORDS = 24


@dataclass(frozen=True)
class SearchHit:
    """One matching turn (or, with `position` None, a matching title) of one conversation."""

    conversation_id: uuid.UUID
    title: SafeString
    position: int | None
    snippet: SafeString


def search_terms(query: str) -> list[str]:
    """The words of a query, as the index splits text into words."""
    return re.findall(r"\w+", query)[:MAX_TERMS]


def conversation_search(*, owner: AbstractBaseUser, query: str, limit: int = 30) -> list[SearchHit]:
    """The owner's best matches for all the query's words (the last may be a prefix): titles
    first, then turns, each in rank order."""
    terms = search_terms(query)
    if not terms:
        return []
    search = _postgres_search if connection.vendor == "postgresql" else _sqlite_search
    return search(owner_id=owner.pk, terms=terms, limit=limit)


def marked(text: str) -> SafeString:
    """Text with the database's delimiters as <mark> elements, everything else escaped.

    Delimiters always pair up here, even if the text itself held one.
    """
    parts = re.split(f"[{START}{STOP}]", text.translate(_BRACKETS_BACK))
    html = "".join(
        f"<mark>{escape(part)}</mark>" if index % 2 else escape(part)
        for index, part in enumerate(parts)
    )
    # Every part was escaped above.
    return mark_safe(html)


def _sqlite_query(terms: list[str]) -> str:
    """An FTS5 query: every term as a quoted string (never syntax), the last one a prefix."""
    quoted = [f'"{term}"' for term in terms]
    return " ".join(quoted) + "*"


def _sqlite_search(*, owner_id: int, terms: list[str], limit: int) -> list[SearchHit]:
    params = {"match": _sqlite_query(terms), "owner": owner_id, "limit": limit}
    return [*_rows(_SQLITE_TITLES, params), *_rows(_SQLITE_TURNS, params)]


_SQLITE_TITLES = f"""
SELECT c.id, highlight({TITLE_FTS}, 1, char(2), char(3)), NULL, ''
FROM {TITLE_FTS} s JOIN conversations_conversation c ON c.id = s.conversation_id
WHERE {TITLE_FTS} MATCH %(match)s AND c.owner_id = %(owner)s
ORDER BY s.rank LIMIT %(limit)s
"""
_SQLITE_TURNS = f"""
SELECT c.id, c.title, t.position, snippet({TURN_FTS}, -1, char(2), char(3), '…', {SNIPPET_WORDS})
FROM {TURN_FTS} s JOIN conversations_turn t ON t.id = s.rowid
JOIN conversations_conversation c ON c.id = t.conversation_id
WHERE {TURN_FTS} MATCH %(match)s AND c.owner_id = %(owner)s
ORDER BY s.rank LIMIT %(limit)s
"""


def _postgres_query(terms: list[str]) -> str:
    """A to_tsquery text: terms (word characters only, so never operators) joined by AND."""
    return " & ".join(f"'{term}'" for term in terms) + ":*"


def _postgres_search(*, owner_id: int, terms: list[str], limit: int) -> list[SearchHit]:
    params = {
        "query": _postgres_query(terms),
        "options": f"StartSel={START}, StopSel={STOP}, MaxWords={SNIPPET_WORDS}, MinWords=8",
        "owner": owner_id,
        "limit": limit,
        "brackets": BRACKETS,
    }
    return [*_rows(_POSTGRES_TITLES, params), *_rows(_POSTGRES_TURNS, params)]


# The tsquery is written out each time, not taken from a CTE: as a constant it can use the index.
_TSQUERY = f"to_tsquery('{POSTGRES_CONFIG}', %(query)s)"
_POSTGRES_TITLES = f"""
SELECT c.id,
  ts_headline('{POSTGRES_CONFIG}', translate(c.title, '<>', %(brackets)s), {_TSQUERY}, %(options)s),
  NULL, ''
FROM conversations_conversation c
WHERE c.owner_id = %(owner)s AND c.search @@ {_TSQUERY}
ORDER BY ts_rank(c.search, {_TSQUERY}) DESC LIMIT %(limit)s
"""
# Headlines re-read the text, so only the best `limit` turns get one: from the answer or the
# message, whichever matches alone, as SQLite's snippet picks its best column.
_POSTGRES_TURNS = f"""
WITH best AS (
  SELECT t.id, ts_rank(t.search, {_TSQUERY}) AS rank
  FROM conversations_turn t JOIN conversations_conversation c ON c.id = t.conversation_id
  WHERE c.owner_id = %(owner)s AND t.search @@ {_TSQUERY}
  ORDER BY rank DESC LIMIT %(limit)s
)
SELECT c.id, c.title, t.position, ts_headline('{POSTGRES_CONFIG}', translate(CASE
    WHEN to_tsvector('{POSTGRES_CONFIG}', t.output_text) @@ {_TSQUERY} THEN t.output_text
    WHEN to_tsvector('{POSTGRES_CONFIG}', t.user_text) @@ {_TSQUERY} THEN t.user_text
    ELSE t.user_text || ' ' || t.output_text END, '<>', %(brackets)s), {_TSQUERY}, %(options)s)
FROM best JOIN conversations_turn t ON t.id = best.id
JOIN conversations_conversation c ON c.id = t.conversation_id
ORDER BY best.rank DESC
"""


def _rows(sql: str, params: dict[str, object]) -> list[SearchHit]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        SearchHit(
            # SQLite returns UUIDs as hex text, PostgreSQL as UUIDs.
            conversation_id=pk if isinstance(pk, uuid.UUID) else uuid.UUID(pk),
            title=marked(title) if position is None else escape(title),
            position=position,
            snippet=marked(snippet),
        )
        for pk, title, position, snippet in rows
    ]
