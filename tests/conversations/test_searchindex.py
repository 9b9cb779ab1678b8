"""The index's schema: existing rows are indexed on upgrade, and lost SQLite triggers come back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conversations import search, searchindex, services

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("conversations", "0005_attachments")]


def migrate(targets: list[tuple[str, str]] | None = None):
    """Migrate to the targets (the latest migrations when None): later tests need the latest."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_upgrade_indexes_existing_rows(user_factory):
    owner = user_factory()
    old = migrate(BEFORE)
    try:
        conversation = old.get_model("conversations", "Conversation").objects.create(
            owner_id=owner.pk, title="Old gardening notes"
        )
        old.get_model("conversations", "Turn").objects.create(
            conversation_id=conversation.pk, position=0, user_text="q", output_text="tomatoes"
        )
    finally:
        migrate()
    assert [h.position for h in search.conversation_search(owner=owner, query="gardening")] == [
        None
    ]
    assert [h.position for h in search.conversation_search(owner=owner, query="tomato")] == [0]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite triggers only")
def test_triggers_dropped_by_a_table_rebuild_are_restored(conversation_factory):
    conversation = conversation_factory(title="Notes")
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER conversations_turn_search_insert")
    # Written while the trigger was missing: the rebuild indexes it.
    services.turn_create(conversation=conversation, text="lost leek")
    assert searchindex.search_index_repair(connection=connection) is True
    assert searchindex.search_index_repair(connection=connection) is False
    assert len(search.conversation_search(owner=conversation.owner, query="leek")) == 1
    services.turn_create(conversation=conversation, text="new leek")
    assert len(search.conversation_search(owner=conversation.owner, query="leek")) == 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own index")
def test_deleting_a_conversation_empties_its_postings(conversation_factory):
    conversation = conversation_factory(title="Notes")
    services.turn_create(conversation=conversation, text="quokka")
    services.conversation_delete(conversation=conversation)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {searchindex.TURN_FTS} WHERE {searchindex.TURN_FTS} MATCH %s",
            ["quokka"],
        )
        assert cursor.fetchone() == (0,)
