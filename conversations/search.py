"""Full-text search over the owner's titles and messages (reads), ranked, with marked snippets.

The user's words are searched for as words: quotes, `*`, `AND`, `-`, `:` and the like are never
FTS syntax, so any query is a search and none is an error. The last word is also a prefix (a word
still being typed) unless it is a whole word of the user's turns: a prefix is a union of every
word it begins, which for a short or common one is most of the index (100 ms on SQLite at a
million turns, against under 1 ms for the word itself).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from conversations.searchindex import POSTGRES_CONFIG, SQLITE_TOKENIZER, TITLE_FTS, TURN_FTS

# Snippet delimiters from the database, turned into <mark> after the text around them is escaped.
START, STOP = "\x02", "\x03"
# ts_headline drops anything that looks like an HTML tag: it gets < and > as these, put back here.
BRACKETS = "\x04\x05"
_BRACKETS_BACK = str.maketrans(BRACKETS, "<>")
MAX_TERMS = 16
# Longer "words" (a pasted hash, a base64 blob) are cut: PostgreSQL indexes words up to 2 KB.
MAX_TERM_LENGTH = 100
SNIPPET_WORDS = 24
# Turns are ranked among the owner's newest this many matches: a word found in most of a long
# history is still answered in milliseconds (ranking every match took seconds at a million).
SEARCH_WINDOW = 1000


@dataclass(frozen=True)
class SearchHit:
    """One matching turn (or, with `turn_id` None, a matching title) of one conversation."""

    conversation_id: uuid.UUID
    title: SafeString
    turn_id: int | None
    position: int | None
    snippet: SafeString


def search_terms(query: str) -> list[str]:
    """The words of a query, as the index splits text into words."""
    # Not `_`: both indexes split words there (and SQLite's, without positions, takes no phrase).
    return [term[:MAX_TERM_LENGTH] for term in re.findall(r"[^\W_]+", query)[:MAX_TERMS]]


def conversation_search(*, owner: AbstractBaseUser, query: str, limit: int = 30) -> list[SearchHit]:
    """The owner's best matches for all the query's words (the last may be a prefix, see above):
    titles first, then turns, each in rank order."""
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


def _sqlite_terms(terms: list[str], *, prefix: bool) -> str:
    """FTS5 phrases: every term as a quoted string (never syntax), the last one maybe a prefix."""
    return " ".join(f'"{term}"' for term in terms) + ("*" if prefix else "")


def _sqlite_turns_match(*, owner_id: int, words: str) -> str:
    return f'owner : "u{owner_id}" AND {{user_text output_text}} : ({words})'


def _sqlite_whole_word(*, owner_id: int, term: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {TURN_FTS} WHERE {TURN_FTS} MATCH %s LIMIT 1",
            [_sqlite_turns_match(owner_id=owner_id, words=_sqlite_terms([term], prefix=False))],
        )
        return cursor.fetchone() is not None


def _sqlite_search(*, owner_id: int, terms: list[str], limit: int) -> list[SearchHit]:
    prefix = not _sqlite_whole_word(owner_id=owner_id, term=terms[-1])
    words = _sqlite_terms(terms, prefix=prefix)
    params = {
        "owner": owner_id,
        "titles": f'owner : "u{owner_id}" AND title : ({words})',
        "turns": _sqlite_turns_match(owner_id=owner_id, words=words),
        "window": SEARCH_WINDOW,
        "limit": limit,
    }
    titles = _rows(_SQLITE_TITLES, params)
    with connection.cursor() as cursor:
        cursor.execute(_SQLITE_TURNS, params)
        turns = cursor.fetchall()
        snippets = _sqlite_snippets(cursor, words, [(row[0], row[4], row[5]) for row in turns])
    return [*titles, *(_hit(*row[1:3], row[0], row[3], snippets.get(row[0], "")) for row in turns)]


def _sqlite_snippets(cursor: Any, words: str, texts: list[tuple[int, str, str]]) -> dict[int, str]:
    """Snippets of the hits, from a scratch index of just their text.

    The turn index holds no text, and snippet() would re-read a common word's whole posting
    list per hit: a temporary index of 30 turns answers in about a millisecond.
    """
    cursor.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_hits USING"
        f" fts5(user_text, output_text, tokenize='{SQLITE_TOKENIZER}')"
    )
    cursor.execute("DELETE FROM temp.search_hits")
    cursor.executemany(
        "INSERT INTO temp.search_hits(rowid, user_text, output_text) VALUES (%s, %s, %s)", texts
    )
    cursor.execute(
        "SELECT rowid, snippet(search_hits, -1, char(2), char(3), '…', %s)"
        " FROM temp.search_hits WHERE search_hits MATCH %s",
        [SNIPPET_WORDS, words],
    )
    return dict(cursor.fetchall())


_SQLITE_TITLES = f"""
SELECT c.id, highlight({TITLE_FTS}, 2, char(2), char(3)), NULL, NULL, ''
FROM {TITLE_FTS} s JOIN conversations_conversation c ON c.id = s.conversation_id
WHERE {TITLE_FTS} MATCH %(titles)s AND c.owner_id = %(owner)s
ORDER BY s.rank LIMIT %(limit)s
"""
# The owner column weighs nothing in the rank (every one of the user's turns has it).
_SQLITE_TURNS = f"""
SELECT t.id, c.id, c.title, t.position, t.user_text, t.output_text FROM (
  SELECT rowid, score FROM (
    SELECT rowid, bm25({TURN_FTS}, 1.0, 1.0, 0.0) AS score FROM {TURN_FTS}
    WHERE {TURN_FTS} MATCH %(turns)s ORDER BY rowid DESC LIMIT %(window)s
  ) ORDER BY score LIMIT %(limit)s
) best
JOIN conversations_turn t ON t.id = best.rowid
JOIN conversations_conversation c ON c.id = t.conversation_id AND c.owner_id = %(owner)s
ORDER BY best.score
"""


def _postgres_query(terms: list[str], *, prefix: bool) -> str:
    """A to_tsquery text: terms (word characters only, so never operators) joined by AND."""
    return " & ".join(f"'{term}'" for term in terms) + (":*" if prefix else "")


def _postgres_whole_word(*, owner_id: int, term: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM conversations_turn WHERE owner_id = %s"
            f" AND search @@ to_tsquery('{POSTGRES_CONFIG}', %s) LIMIT 1",
            [owner_id, _postgres_query([term], prefix=False)],
        )
        return cursor.fetchone() is not None


def _postgres_search(*, owner_id: int, terms: list[str], limit: int) -> list[SearchHit]:
    prefix = not _postgres_whole_word(owner_id=owner_id, term=terms[-1])
    params = {
        "query": _postgres_query(terms, prefix=prefix),
        "options": f"StartSel={START}, StopSel={STOP}, MaxWords={SNIPPET_WORDS}, MinWords=8",
        "owner": owner_id,
        "window": SEARCH_WINDOW,
        "limit": limit,
        "brackets": BRACKETS,
    }
    titles = _rows(_POSTGRES_TITLES, params)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL random_page_cost = {POSTGRES_RANDOM_PAGE_COST}")
        cursor.execute(_POSTGRES_TURNS, params)
        return [*titles, *(_hit(*row) for row in cursor.fetchall())]


# The tsquery is written out each time, not taken from a CTE: as a constant it can use the index.
_TSQUERY = f"to_tsquery('{POSTGRES_CONFIG}', %(query)s)"
_POSTGRES_TITLES = f"""
SELECT c.id,
  ts_headline('{POSTGRES_CONFIG}', translate(c.title, '<>', %(brackets)s), {_TSQUERY}, %(options)s),
  NULL, NULL, ''
FROM conversations_conversation c
WHERE c.owner_id = %(owner)s AND c.search @@ {_TSQUERY}
ORDER BY ts_rank(c.search, {_TSQUERY}) DESC LIMIT %(limit)s
"""
# A rare word is looked up in the (owner_id, search) GIN index; a common one is found by walking
# the user's newest turns (turn_owner_id) until the window is full. PostgreSQL's statistics see a
# user's turns as scattered over the table (owner_id's correlation is about 0.1), so at the
# default random_page_cost it walks every user's turns by primary key instead: ten times the rows
# (EXPLAIN ANALYZE, a word in 17 % of a million turns: 59,000 rows read, 286 ms; 5,900, 25 ms).
# The turns of one user do lie in id order on disk, so the walk reads like an SSD's pages.
POSTGRES_RANDOM_PAGE_COST = 1.1
# Headlines re-read the text, so only the best `limit` turns get one: from the answer or the
# message, whichever matches alone, as SQLite's snippet picks its best column.
_POSTGRES_TURNS = f"""
WITH recent AS (
  SELECT id, search FROM conversations_turn
  WHERE owner_id = %(owner)s AND search @@ {_TSQUERY}
  ORDER BY id DESC LIMIT %(window)s
), best AS (
  SELECT id, ts_rank(search, {_TSQUERY}) AS rank FROM recent ORDER BY rank DESC LIMIT %(limit)s
)
SELECT c.id, c.title, t.id, t.position, ts_headline('{POSTGRES_CONFIG}', translate(CASE
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
        return [_hit(*row) for row in cursor.fetchall()]


def _hit(
    pk: uuid.UUID | str, title: str, turn_id: int | None, position: int | None, snippet: str
) -> SearchHit:
    return SearchHit(
        # SQLite returns UUIDs as hex text, PostgreSQL as UUIDs.
        conversation_id=pk if isinstance(pk, uuid.UUID) else uuid.UUID(pk),
        title=marked(title) if turn_id is None else escape(title),
        turn_id=turn_id,
        position=position,
        snippet=marked(snippet),
    )
