"""Selectors: owner filtering, chaining, history, the turn serialiser and the outbox reads."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import UserLimits
from conversations import selectors, services
from conversations.models import Conversation, ProviderDeletion, Turn, TurnStatus

pytestmark = pytest.mark.django_db


def turn_with(conversation, text: str, **fields) -> Turn:
    turn = services.turn_create(conversation=conversation, text=text)
    Turn.objects.filter(pk=turn.pk).update(**fields)
    turn.refresh_from_db()
    return turn


def test_conversation_get_only_for_owner(conversation_factory, user_factory):
    conversation = conversation_factory()
    assert selectors.conversation_get(owner=conversation.owner, conversation_id=conversation.pk)
    with pytest.raises(Conversation.DoesNotExist):
        selectors.conversation_get(owner=user_factory(), conversation_id=conversation.pk)


def test_conversation_list_only_own(conversation_factory):
    mine = conversation_factory(title="Apples")
    conversation_factory(title="Apples elsewhere")
    assert list(selectors.conversation_list(owner=mine.owner)) == [mine]


@pytest.mark.parametrize(
    ("status", "generating"),
    [
        (TurnStatus.PENDING, True),
        (TurnStatus.STREAMING, True),
        (TurnStatus.COMPLETED, False),
        (TurnStatus.INTERRUPTED, False),
    ],
)
def test_conversation_list_marks_generating(conversation_factory, status, generating):
    conversation = conversation_factory()
    turn_with(conversation, "earlier", status=TurnStatus.COMPLETED)
    turn_with(conversation, "latest", status=status)
    idle = conversation_factory(owner=conversation.owner)
    listed = {c.pk: c.generating for c in selectors.conversation_list(owner=conversation.owner)}
    assert listed == {conversation.pk: generating, idle.pk: False}


def previous_after(turn: Turn | None, conversation) -> str:
    """The response id a turn following `turn` (None: a first message) chains to."""
    tree = selectors.turn_tree(conversation_id=conversation.pk)
    return selectors.turn_previous_response_id(tree=tree, parent_id=turn.pk if turn else None)


def test_previous_response_id_skips_unfinished_turns(conversation_factory):
    conversation = conversation_factory()
    assert previous_after(None, conversation) == ""
    turn_with(conversation, "1", status=TurnStatus.COMPLETED, response_id="resp_1")
    turn_with(conversation, "2", status=TurnStatus.FAILED, response_id="resp_2")
    last = turn_with(conversation, "3", status=TurnStatus.STREAMING, response_id="resp_3")
    assert previous_after(last, conversation) == "resp_1"


@pytest.mark.parametrize("status", [TurnStatus.CANCELLED, TurnStatus.INCOMPLETE])
def test_previous_response_id_continues_an_answer_cut_short(conversation_factory, status):
    conversation = conversation_factory()
    turn_with(conversation, "1", status=TurnStatus.COMPLETED, response_id="resp_1")
    turn_with(conversation, "2", status=status, response_id="resp_2")
    last = turn_with(conversation, "3", status=TurnStatus.INTERRUPTED, response_id="resp_3")
    assert previous_after(last, conversation) == "resp_2"


def test_turn_history_is_answered_turns_before(conversation_factory):
    conversation = conversation_factory()
    first = turn_with(conversation, "1", status=TurnStatus.COMPLETED)
    turn_with(conversation, "2", status=TurnStatus.FAILED)
    third = turn_with(conversation, "3", status=TurnStatus.CANCELLED)
    current = turn_with(conversation, "4")
    assert selectors.turn_history(turn=current) == [first, third]


def test_turn_as_dict_shape(conversation_factory):
    started = timezone.now()
    turn = turn_with(
        conversation_factory(),
        "hi",
        status=TurnStatus.COMPLETED,
        response_id="resp_1",
        output_text="Hello",
        reasoning_text="Plan",
        input_tokens=3,
        output_tokens=4,
        reasoning_tokens=1,
        cached_tokens=0,
        started_at=started,
        reasoning_ended_at=started + timedelta(seconds=1.5),
    )
    assert selectors.turn_as_dict(turn=turn) == {
        "id": turn.pk,
        "parent_id": None,
        "position": 0,
        "user_text": "hi",
        "status": "completed",
        "response_id": "resp_1",
        "output_text": "Hello",
        "reasoning_text": "Plan",
        "reasoning_seconds": 1.5,
        "usage": {
            "input_tokens": 3,
            "output_tokens": 4,
            "reasoning_tokens": 1,
            "cached_tokens": 0,
            "cost": "0",
        },
        "error": "",
        "retryable": False,
        "tool_calls": [],
        "compacted": False,
        "citations": [],
        "attachments": [],  # the service that created it gave it its (no) files
    }


def test_turn_as_dict_costs_usage_at_the_model_price(conversation_factory):
    turn = turn_with(
        conversation_factory(model="gpt-4o-mini"),
        "hi",
        status=TurnStatus.COMPLETED,
        model="gpt-4o-mini",
        input_tokens=1_000_000,
        cached_tokens=0,
        output_tokens=1_000_000,
    )
    # The seeded price: $0.15 per 1M input and $0.60 per 1M output tokens.
    assert selectors.turn_as_dict(turn=turn)["usage"]["cost"] == "0.75"


def test_turn_path_prices_its_turns_in_one_query(conversation_factory):
    conversation = conversation_factory(model="gpt-4o-mini")
    priced = {"status": TurnStatus.COMPLETED, "input_tokens": 1_000_000, "output_tokens": 0}
    turn_with(conversation, "a", model="gpt-4o-mini", **priced)

    def path_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            path = selectors.turn_path(conversation=conversation)
        assert {turn["usage"]["cost"] for turn in path} <= {"0.15", "2.5"}
        return len(captured)

    one = path_queries()
    for text, model in [("b", "gpt-4o"), ("c", "gpt-4o-mini"), ("d", "gpt-4o")]:
        turn_with(conversation, text, model=model, **priced)
    assert path_queries() == one
    path = selectors.turn_path(conversation=conversation)
    assert [turn["usage"]["cost"] for turn in path] == ["0.15", "2.5", "0.15", "2.5"]


def test_turn_as_dict_pending_has_no_usage_or_seconds(conversation_factory):
    turn = services.turn_create(conversation=conversation_factory(), text="hi")
    data = selectors.turn_as_dict(turn=turn)
    assert (data["usage"], data["reasoning_seconds"], data["status"]) == (None, None, "pending")


def test_provider_deletion_due_and_next_at():
    now = timezone.now()
    assert selectors.provider_deletion_next_at() is None
    due = ProviderDeletion.objects.create(response_id="a", next_attempt_at=now)
    later = ProviderDeletion.objects.create(response_id="b", next_attempt_at=now + timedelta(1))
    assert selectors.provider_deletion_due(now=now) == [due]
    assert selectors.provider_deletion_next_at() == due.next_attempt_at
    due.delete()
    assert selectors.provider_deletion_next_at() == later.next_attempt_at


def test_turn_usage_costs_each_row_at_its_models_prices(conversation_factory):
    conversation = conversation_factory()
    for model in ("gpt-4o-mini", "gpt-4o"):
        turn_with(conversation, "hi", model=model, input_tokens=1_000_000, output_tokens=0)
    today = timezone.localdate()
    usage = selectors.turn_usage(since=today, until=today)
    costs = {row["label"]: row["cost"] for row in usage["per_model"]}
    assert costs == {"gpt-4o": Decimal("2.5"), "gpt-4o-mini": Decimal("0.15")}
    assert usage["per_day"][0]["cost"] == Decimal("2.65")


def test_user_tokens_since_sums_input_and_output_of_own_turns(conversation_factory):
    mine = conversation_factory()
    turn_with(mine, "a", input_tokens=10, output_tokens=5)
    turn_with(mine, "b", input_tokens=None, output_tokens=None)
    turn_with(conversation_factory(), "other user", input_tokens=100, output_tokens=100)
    since = timezone.now() - timedelta(minutes=1)
    assert selectors.user_tokens_since(user_id=mine.owner_id, since=since) == 15
    assert selectors.user_tokens_since(user_id=mine.owner_id, since=timezone.now()) == 0


def test_user_limit_exceeded_counts_running_turns_across_conversations(conversation_factory):
    first = conversation_factory()
    second = conversation_factory(owner=first.owner)
    UserLimits.objects.create(user=first.owner, running_generations=2)
    turn_with(first, "a", status=TurnStatus.STREAMING)
    assert selectors.user_limit_exceeded(user_id=first.owner_id) is None
    turn_with(second, "b", status=TurnStatus.PENDING)
    assert selectors.user_limit_exceeded(user_id=first.owner_id).limit == "running_generations"


def test_user_limit_exceeded_counts_messages_of_the_last_minute(conversation_factory):
    conversation = conversation_factory()
    UserLimits.objects.create(user=conversation.owner, messages_per_minute=2)
    turn_with(conversation, "old", status=TurnStatus.COMPLETED)
    Turn.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    turn_with(conversation, "new", status=TurnStatus.COMPLETED)
    assert selectors.user_limit_exceeded(user_id=conversation.owner_id) is None
    turn_with(conversation, "newer", status=TurnStatus.COMPLETED)
    assert selectors.user_limit_exceeded(user_id=conversation.owner_id).limit == (
        "messages_per_minute"
    )
