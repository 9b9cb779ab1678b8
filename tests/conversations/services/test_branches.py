"""Branches: new versions of a turn, the active path, selecting a branch, deleting in a tree."""

from __future__ import annotations

import pytest

from conversations import selectors, services
from conversations.models import Conversation, ProviderDeletion, Turn, TurnStatus

pytestmark = pytest.mark.django_db


def answered(conversation, text: str, **placement) -> Turn:
    turn = services.turn_create(conversation=conversation, text=text, **placement)
    Turn.objects.filter(pk=turn.pk).update(
        status=TurnStatus.COMPLETED, response_id=f"resp_{turn.pk}", output_text=f"re: {text}"
    )
    turn.refresh_from_db()
    return turn


def path_texts(conversation) -> list[str]:
    conversation.refresh_from_db()
    return [t["user_text"] for t in selectors.turn_path(conversation=conversation)]


@pytest.fixture
def line(conversation_factory) -> list[Turn]:
    """A conversation of three answered turns: a, b, c."""
    conversation = conversation_factory()
    return [answered(conversation, text) for text in "abc"]


def test_a_turn_follows_the_active_path_by_default(line):
    a, b, c = line
    assert (a.parent_id, b.parent_id, c.parent_id) == (None, a.pk, b.pk)
    assert [t.position for t in line] == [0, 1, 2]
    assert path_texts(a.conversation) == ["a", "b", "c"]


def test_a_new_version_shares_the_depth_and_keeps_the_old_branch(line):
    a, b, c = line
    edited = services.turn_create(conversation=a.conversation, text="b2", parent_id=a.pk)
    assert (edited.position, edited.parent_id) == (b.position, a.pk)
    assert path_texts(a.conversation) == ["a", "b2"]
    path = selectors.turn_path(conversation=a.conversation)
    assert path[1]["versions"] == [b.pk, edited.pk]
    assert Turn.objects.filter(pk=c.pk, parent=b).exists()


def test_a_new_first_message_is_a_version_of_the_first_turn(line):
    a = line[0]
    root = services.turn_create(conversation=a.conversation, text="a2", parent_id=None)
    assert (root.position, root.parent_id) == (0, None)
    assert selectors.turn_path(conversation=a.conversation)[0]["versions"] == [a.pk, root.pk]
    a.conversation.refresh_from_db()
    assert a.conversation.title == "a"  # the first message named it; a version does not rename


def test_a_parent_from_another_conversation_is_refused(line, conversation_factory):
    other = conversation_factory()
    with pytest.raises(Turn.DoesNotExist):
        services.turn_create(conversation=other, text="x", parent_id=line[0].pk)
    assert not other.turns.exists()


def test_the_next_turn_chains_to_the_answer_before_the_edited_one(line):
    a, b, _ = line
    edited = services.turn_create(conversation=a.conversation, text="b2", parent_id=a.pk)
    tree = selectors.turn_tree(conversation_id=a.conversation_id)
    assert (
        selectors.turn_previous_response_id(tree=tree, parent_id=edited.parent_id) == a.response_id
    )
    after = answered(a.conversation, "after the edit")
    assert after.parent_id == edited.pk


def test_stateless_history_is_the_branch_on_screen(line):
    a, b, c = line
    edited = answered(a.conversation, "b2", parent_id=a.pk)
    current = services.turn_create(conversation=a.conversation, text="next")
    assert selectors.turn_history(turn=current) == [a, edited]


def test_selecting_a_version_shows_its_newest_later_turns(line):
    a, b, c = line
    b2 = answered(a.conversation, "b2", parent_id=a.pk)
    answered(a.conversation, "after b2")
    leaf = services.conversation_branch_select(conversation=a.conversation, turn_id=b.pk)
    assert leaf == c
    assert path_texts(a.conversation) == ["a", "b", "c"]
    services.conversation_branch_select(conversation=a.conversation, turn_id=b2.pk)
    assert path_texts(a.conversation) == ["a", "b2", "after b2"]


def test_selecting_waits_for_a_running_turn(line):
    a, b, _ = line
    services.turn_create(conversation=a.conversation, text="running")
    assert services.conversation_branch_select(conversation=a.conversation, turn_id=b.pk) is None


def test_selecting_a_turn_of_another_conversation_is_refused(line, conversation_factory):
    with pytest.raises(Turn.DoesNotExist):
        services.conversation_branch_select(conversation=conversation_factory(), turn_id=line[0].pk)


def test_deleting_a_conversation_queues_every_branchs_responses(line):
    a, b, c = line
    b2 = answered(a.conversation, "b2", parent_id=a.pk)
    services.conversation_delete(conversation=a.conversation)
    queued = set(ProviderDeletion.objects.values_list("response_id", flat=True))
    assert queued == {t.response_id for t in (a, b, c, b2)}
    assert not Conversation.objects.filter(pk=a.conversation_id).exists()


def test_deleting_a_turn_hands_its_later_turns_to_its_parent(line):
    a, b, c = line
    services.turn_delete(turn=b)
    c.refresh_from_db()
    assert c.parent_id == a.pk
    assert path_texts(a.conversation) == ["a", "c"]


@pytest.fixture
def published(monkeypatch) -> list[dict]:
    """The messages published to the conversation's tabs."""
    messages: list[dict] = []

    async def publish(*, conversation_id, message):
        messages.append(message)

    monkeypatch.setattr("conversations.services.branches.conversation_publish", publish)
    return messages


def test_opening_a_turn_of_another_branch_selects_it_and_tells_the_tabs(
    line, published, django_capture_on_commit_callbacks
):
    a, b, c = line
    b2 = answered(a.conversation, "b2", parent_id=a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_branch_open(conversation=a.conversation, turn_id=b.pk)
    assert path_texts(a.conversation) == ["a", "b", "c"]
    assert a.conversation.active_leaf == c
    assert published == [{"type": "branch.selected", "leaf_id": c.pk}]
    services.conversation_branch_open(conversation=a.conversation, turn_id=b2.pk)
    assert path_texts(a.conversation) == ["a", "b2"]


def test_opening_a_turn_on_screen_changes_nothing(
    line, published, django_capture_on_commit_callbacks
):
    a, b, c = line
    answered(a.conversation, "b2", parent_id=a.pk)
    services.conversation_branch_select(conversation=a.conversation, turn_id=b.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.conversation_branch_open(conversation=a.conversation, turn_id=a.pk)
    assert callbacks == []
    assert path_texts(a.conversation) == ["a", "b", "c"]
    assert published == []


def test_opening_waits_for_a_running_turn(line, published):
    a, b, _ = line
    answered(a.conversation, "b2", parent_id=a.pk)
    services.turn_create(conversation=a.conversation, text="running")
    services.conversation_branch_open(conversation=a.conversation, turn_id=b.pk)
    assert path_texts(a.conversation) == ["a", "b2", "running"]
    assert published == []


def test_opening_a_turn_of_another_conversation_is_refused(line, conversation_factory, published):
    with pytest.raises(Turn.DoesNotExist):
        services.conversation_branch_open(conversation=conversation_factory(), turn_id=line[0].pk)


def test_turns_get_their_conversations_owner(line, conversation_factory):
    assert {turn.owner_id for turn in line} == {line[0].conversation.owner_id}
    other = conversation_factory()
    created = Turn.objects.create(conversation=other, position=0, user_text="direct")
    assert created.owner_id == other.owner_id
