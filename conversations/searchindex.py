"""The full-text index's schema: FTS5 tables and triggers on SQLite, tsvector columns on PostgreSQL.

The database keeps the index in step itself (triggers, generated columns), so every write path —
services, bulk inserts, `.update()`, the admin — is covered without remembering to reindex.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

# Stemmed English words, as PostgreSQL's `english` configuration below.
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"
TURN_FTS = "conversations_turn_search"
TITLE_FTS = "conversations_title_search"

SQLITE_TABLES = [
    # Contentless (the text stays in conversations_turn only), with the owner as a token so a
    # query is narrowed to one user's turns inside the index. A view as external content would
    # let snippet() read the text, but breaks every later migration that rebuilds the table.
    # Without positions (from 0009): bm25() counts each word's rows on every query, and a word
    # in most of a million turns took 145 ms with them, 53 ms without. A word then counts once
    # per column, so the rank favours short texts over repeated words; snippets are found in a
    # scratch index with positions (search.py).
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TURN_FTS} USING fts5(user_text, output_text, owner,"
    f" content='', detail=column, tokenize='{SQLITE_TOKENIZER}')",
    # Conversation ids are UUIDs (no stable integer rowid to refer to): titles are copied in.
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TITLE_FTS} USING fts5(conversation_id UNINDEXED,"
    f" owner, title, tokenize='{SQLITE_TOKENIZER}')",
]
# The owner's token ("u42"), looked up from a turn's conversation; Django deletes a
# conversation's turns before the conversation, so the lookup also works for deletions.
_OWNER_OF = "(SELECT 'u' || owner_id FROM conversations_conversation WHERE id = {}.conversation_id)"
_TURN_ADD = (
    f"INSERT INTO {TURN_FTS}(rowid, user_text, output_text, owner)"
    f" VALUES (new.id, new.user_text, new.output_text, {_OWNER_OF.format('new')});"
)
_TURN_REMOVE = (
    f"INSERT INTO {TURN_FTS}({TURN_FTS}, rowid, user_text, output_text, owner)"
    f" VALUES ('delete', old.id, old.user_text, old.output_text, {_OWNER_OF.format('old')});"
)
_TITLE_ADD = (
    f"INSERT INTO {TITLE_FTS}(conversation_id, owner, title)"
    " VALUES (new.id, 'u' || new.owner_id, new.title);"
)
_TITLE_REMOVE = f"DELETE FROM {TITLE_FTS} WHERE conversation_id = old.id;"
SQLITE_TRIGGERS = {
    "conversations_turn_search_insert": f"AFTER INSERT ON conversations_turn BEGIN {_TURN_ADD} END",
    "conversations_turn_search_delete": (
        f"AFTER DELETE ON conversations_turn BEGIN {_TURN_REMOVE} END"
    ),
    "conversations_turn_search_update": (
        "AFTER UPDATE OF user_text, output_text ON conversations_turn"
        f" BEGIN {_TURN_REMOVE} {_TURN_ADD} END"
    ),
    "conversations_title_search_insert": (
        f"AFTER INSERT ON conversations_conversation BEGIN {_TITLE_ADD} END"
    ),
    "conversations_title_search_delete": (
        f"AFTER DELETE ON conversations_conversation BEGIN {_TITLE_REMOVE} END"
    ),
    # Every new turn saves the title field unchanged: only a real change reindexes it.
    "conversations_title_search_update": (
        "AFTER UPDATE OF title ON conversations_conversation WHEN old.title IS NOT new.title"
        f" BEGIN {_TITLE_REMOVE} {_TITLE_ADD} END"
    ),
}
SQLITE_REBUILD = [
    f"INSERT INTO {TURN_FTS}({TURN_FTS}) VALUES ('delete-all')",
    f"INSERT INTO {TURN_FTS}(rowid, user_text, output_text, owner)"
    " SELECT t.id, t.user_text, t.output_text, 'u' || c.owner_id FROM conversations_turn t"
    " JOIN conversations_conversation c ON c.id = t.conversation_id",
    f"DELETE FROM {TITLE_FTS}",
    f"INSERT INTO {TITLE_FTS}(conversation_id, owner, title)"
    " SELECT id, 'u' || owner_id, title FROM conversations_conversation",
]

POSTGRES_CONFIG = "english"
POSTGRES_SCHEMA = [
    # Generated columns: PostgreSQL recomputes them on every write, existing rows on upgrade.
    "ALTER TABLE conversations_turn ADD COLUMN IF NOT EXISTS search tsvector GENERATED ALWAYS AS"
    f" (to_tsvector('{POSTGRES_CONFIG}', user_text || ' ' || output_text)) STORED",
    "CREATE INDEX IF NOT EXISTS conversations_turn_search ON conversations_turn USING gin (search)",
    "ALTER TABLE conversations_conversation ADD COLUMN IF NOT EXISTS search tsvector GENERATED"
    f" ALWAYS AS (to_tsvector('{POSTGRES_CONFIG}', title)) STORED",
    "CREATE INDEX IF NOT EXISTS conversations_title_search"
    " ON conversations_conversation USING gin (search)",
]
# From 0009: the turn index is keyed by owner first (btree_gin puts an integer column in a GIN
# index), so a search reads one user's entries instead of every user's matches.
POSTGRES_OWNER_SCHEMA = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "CREATE INDEX IF NOT EXISTS conversations_turn_owner_search"
    " ON conversations_turn USING gin (owner_id, search)",
    "DROP INDEX IF EXISTS conversations_turn_search",
]
POSTGRES_OWNER_DROP = [
    "CREATE INDEX IF NOT EXISTS conversations_turn_search ON conversations_turn USING gin (search)",
    "DROP INDEX IF EXISTS conversations_turn_owner_search",
]
POSTGRES_DROP = [
    "ALTER TABLE conversations_turn DROP COLUMN IF EXISTS search",
    "ALTER TABLE conversations_conversation DROP COLUMN IF EXISTS search",
]


def search_index_install(*, connection: BaseDatabaseWrapper) -> None:
    """Create the index for this database's vendor and fill it from the rows already there."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRES_SCHEMA:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for statement in [*SQLITE_TABLES, *_sqlite_triggers(), *SQLITE_REBUILD]:
                cursor.execute(statement)


def search_index_uninstall(*, connection: BaseDatabaseWrapper) -> None:
    """Drop the index (the migration's reverse)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRES_DROP:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            for table in (TURN_FTS, TITLE_FTS):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")


def search_index_owner_install(*, connection: BaseDatabaseWrapper) -> None:
    """Key PostgreSQL's turn index by owner; SQLite's (which has the owner as a token already)
    is rebuilt without positions."""
    _postgres_execute(connection=connection, statements=POSTGRES_OWNER_SCHEMA)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TURN_FTS}")
        search_index_install(connection=connection)


def search_index_owner_uninstall(*, connection: BaseDatabaseWrapper) -> None:
    """Put back the index without the owner (the migration's reverse)."""
    _postgres_execute(connection=connection, statements=POSTGRES_OWNER_DROP)


def _postgres_execute(*, connection: BaseDatabaseWrapper, statements: list[str]) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def search_index_repair(*, connection: BaseDatabaseWrapper) -> bool:
    """Put back SQLite triggers a later migration dropped; True when it had to.

    SQLite alters a table by copying it into a new one, and the old table's triggers go with
    it: after any migration, triggers that are missing are recreated and the index rebuilt.
    """
    if connection.vendor != "sqlite" or TURN_FTS not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {name for (name,) in cursor.fetchall()}
    if present >= set(SQLITE_TRIGGERS):
        return False
    search_index_install(connection=connection)
    return True


def _sqlite_triggers() -> list[str]:
    return [f"CREATE TRIGGER IF NOT EXISTS {name} {body}" for name, body in SQLITE_TRIGGERS.items()]
