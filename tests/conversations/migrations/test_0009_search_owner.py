"""0009_search_owner: existing turns get their conversation's owner; PostgreSQL's turn index is
keyed by owner."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conversations import search
from conversations.models import Turn

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("conversations", "0008_tools")]


def migrate(targets=None):
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_existing_turns_get_their_owner_and_stay_searchable(user_factory):
    alice, bob = user_factory(), user_factory()
    old = migrate(BEFORE)
    try:
        OldConversation = old.get_model("conversations", "Conversation")
        OldTurn = old.get_model("conversations", "Turn")
        for owner in (alice, bob):
            conversation = OldConversation.objects.create(owner_id=owner.pk, title="t")
            OldTurn.objects.create(
                conversation_id=conversation.pk, position=0, user_text=f"pumpkin {owner.pk}"
            )
    finally:
        migrate()
    assert {t.user_text: t.owner_id for t in Turn.objects.all()} == {
        f"pumpkin {alice.pk}": alice.pk,
        f"pumpkin {bob.pk}": bob.pk,
    }
    [hit] = search.conversation_search(owner=bob, query="pumpkin")
    assert Turn.objects.get(pk=hit.turn_id).owner_id == bob.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index")
def test_postgres_turn_index_is_keyed_by_owner_then_words():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'conversations_turn'"
        )
        indexes = dict(cursor.fetchall())
    assert "gin (owner_id, search)" in indexes["conversations_turn_owner_search"]
    assert "conversations_turn_search" not in indexes
