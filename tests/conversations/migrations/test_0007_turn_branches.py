"""0007_turn_branches: every existing conversation becomes a single branch that keeps working."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from conversations import selectors
from conversations.models import Conversation as CurrentConversation

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE = [("conversations", "0006_search")]
AFTER = [("conversations", "0007_turn_branches")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def executor_leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_apps():
    """The models as they were before branches; the database is migrated back up afterwards."""
    apps = migrate(BEFORE)
    yield apps
    migrate(executor_leaves())


def test_turns_become_one_branch_in_position_order(old_apps, user_factory):
    Conversation = old_apps.get_model("conversations", "Conversation")
    Turn = old_apps.get_model("conversations", "Turn")
    owner = user_factory()
    line = Conversation.objects.create(owner_id=owner.pk, title="line")
    # Position 2 was deleted by an admin: the turn at 3 follows the one at 1.
    for position in (3, 0, 1):
        Turn.objects.create(
            conversation=line,
            position=position,
            user_text=f"m{position}",
            status="completed",
            response_id=f"resp_{position}",
        )
    empty = Conversation.objects.create(owner_id=owner.pk, title="empty")

    new_apps = migrate(AFTER)

    NewTurn = new_apps.get_model("conversations", "Turn")
    by_position = {t.position: t for t in NewTurn.objects.filter(conversation_id=line.pk)}
    assert by_position[0].parent_id is None
    assert by_position[1].parent_id == by_position[0].pk
    assert by_position[3].parent_id == by_position[1].pk
    NewConversation = new_apps.get_model("conversations", "Conversation")
    assert NewConversation.objects.get(pk=line.pk).active_leaf_id == by_position[3].pk
    assert NewConversation.objects.get(pk=empty.pk).active_leaf_id is None


def test_migrated_conversation_shows_and_continues_its_line(old_apps, user_factory):
    Conversation = old_apps.get_model("conversations", "Conversation")
    Turn = old_apps.get_model("conversations", "Turn")
    owner = user_factory()
    line = Conversation.objects.create(owner_id=owner.pk)
    for position in range(3):
        Turn.objects.create(
            conversation=line,
            position=position,
            user_text=f"m{position}",
            status="completed",
            response_id=f"resp_{position}",
        )
    migrate(executor_leaves())

    conversation = CurrentConversation.objects.get(pk=line.pk)
    path = selectors.turn_path(conversation=conversation)
    assert [t["user_text"] for t in path] == ["m0", "m1", "m2"]
    assert [t["versions"] for t in path] == [[t["id"]] for t in path]
    tree = selectors.turn_tree(conversation_id=line.pk)
    assert selectors.turn_previous_response_id(tree=tree, parent_id=path[-1]["id"]) == "resp_2"
