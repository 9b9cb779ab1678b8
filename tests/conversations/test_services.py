"""Services: conversations, turns, the outbox rows and publishing."""

from __future__ import annotations

import uuid

import pytest
from channels.layers import get_channel_layer
from django.utils import timezone

from conversations import services
from conversations.models import Conversation, ProviderDeletion, Turn, TurnStatus
from responses_client.usage import Usage

pytestmark = pytest.mark.django_db


def finish(turn: Turn, **overrides) -> Turn | None:
    fields = {
        "turn_id": turn.pk,
        "status": TurnStatus.COMPLETED,
        "output_text": "Hi!",
        "reasoning_text": "Greeting.",
        "usage": Usage(input_tokens=3, output_tokens=5, reasoning_tokens=2, cached_tokens=1),
        "error": "",
        "started_at": timezone.now(),
        "reasoning_ended_at": timezone.now(),
    }
    return services.turn_finish(**{**fields, **overrides})


@pytest.fixture
def turn(conversation_factory) -> Turn:
    return services.turn_create(conversation=conversation_factory(), text="hello")


def test_turn_create_numbers_positions_and_titles(conversation_factory):
    conversation = conversation_factory()
    first = services.turn_create(conversation=conversation, text="  What is   up?  ")
    second = services.turn_create(conversation=conversation, text="more")
    conversation.refresh_from_db()
    assert (first.position, second.position) == (0, 1)
    assert conversation.title == "What is up?"
    assert first.status == TurnStatus.PENDING


@pytest.mark.parametrize(
    "text,title",
    [
        ("word " * 11 + "tail-of-the-message", ("word " * 11).strip() + "…"),
        ("x" * 59 + " more words", "x" * 59 + "…"),
        ("y" * 80, "y" * 59 + "…"),
        ("z" * 60, "z" * 60),
    ],
)
def test_turn_create_cuts_a_long_title_between_words(conversation_factory, text, title):
    conversation = conversation_factory()
    services.turn_create(conversation=conversation, text=text)
    conversation.refresh_from_db()
    assert conversation.title == title


def test_turns_create_if_idle_skips_running_and_deleted_conversations(conversation_factory):
    idle, busy, fresh = conversation_factory(), conversation_factory(), conversation_factory()
    services.turn_create(conversation=idle, text="one")
    finished = Turn.objects.get(conversation=idle)
    finish(finished)
    services.turn_create(conversation=busy, text="still running")
    gone = uuid.uuid4()
    created = services.turns_create_if_idle(
        drafts={
            pk: services.TurnDraft(text=text)
            for pk, text in {
                idle.pk: "two",
                busy.pk: "no",
                fresh.pk: "  Hello   there ",
                gone: "x",
            }.items()
        }
    )
    assert set(created) == {idle.pk, busy.pk, fresh.pk}
    assert created[busy.pk] is None
    assert (created[idle.pk].position, created[fresh.pk].position) == (1, 0)
    assert Turn.objects.filter(conversation=busy).count() == 1
    fresh.refresh_from_db()
    assert fresh.title == "Hello there"
    assert created[fresh.pk].pk and created[fresh.pk].status == TurnStatus.PENDING


def start(turn: Turn, **overrides) -> services.TurnStart:
    fields = {
        "turn_id": turn.pk,
        "response_id": "resp_1",
        "previous_response_id": "resp_0",
        "model": "m",
        "started_at": timezone.now(),
    }
    return services.TurnStart(**{**fields, **overrides})


def test_turns_start_records_response_ids(turn):
    started = timezone.now()
    other = services.turn_create(conversation=turn.conversation, text="second")
    services.turns_start(
        starts=[start(turn, started_at=started), start(other, response_id="resp_2")]
    )
    other.refresh_from_db()
    assert (other.status, other.response_id) == ("streaming", "resp_2")
    turn.refresh_from_db()
    assert (turn.status, turn.response_id, turn.previous_response_id) == (
        "streaming",
        "resp_1",
        "resp_0",
    )
    assert (turn.model, turn.started_at) == ("m", started)


def test_turns_start_never_reopens_a_finished_turn(turn):
    finish(turn, status=TurnStatus.CANCELLED)
    services.turns_start(starts=[start(turn)])
    turn.refresh_from_db()
    assert (turn.status, turn.response_id) == ("cancelled", "")


def test_turn_finish_writes_everything(turn):
    saved = finish(turn)
    turn.refresh_from_db()
    assert saved.pk == turn.pk
    assert (turn.status, turn.output_text, turn.reasoning_text) == ("completed", "Hi!", "Greeting.")
    assert (turn.input_tokens, turn.output_tokens) == (3, 5)
    assert (turn.reasoning_tokens, turn.cached_tokens) == (2, 1)
    assert turn.finished_at and turn.started_at and turn.reasoning_ended_at


def test_turn_finish_never_rewrites_a_finished_turn(turn):
    finish(turn)
    assert finish(turn, status=TurnStatus.CANCELLED, output_text="Hi") is None
    turn.refresh_from_db()
    assert (turn.status, turn.output_text) == ("completed", "Hi!")


def test_turn_finish_without_usage_leaves_counts_empty(turn):
    finish(turn, status=TurnStatus.FAILED, usage=None, error="Boom.")
    turn.refresh_from_db()
    assert (turn.status, turn.error, turn.output_tokens) == ("failed", "Boom.", None)


@pytest.mark.parametrize(
    ("status", "retryable", "offered"),
    [
        (TurnStatus.FAILED, True, True),
        (TurnStatus.FAILED, False, False),
        (TurnStatus.INTERRUPTED, False, True),
        (TurnStatus.CANCELLED, True, False),
        (TurnStatus.COMPLETED, True, False),
    ],
)
def test_turn_finish_offers_a_retry_only_for_a_failure_a_retry_may_fix(
    turn, status, retryable, offered
):
    finish(turn, status=status, error="Boom.", retryable=retryable)
    turn.refresh_from_db()
    assert turn.retryable is offered


def test_turn_interrupt_offers_a_retry(turn):
    assert services.turn_interrupt(turn=turn).retryable is True


def test_conversation_delete_queues_response_ids(turn):
    Turn.objects.filter(pk=turn.pk).update(response_id="resp_9")
    assert services.conversation_delete(conversation=turn.conversation) == ["resp_9"]
    assert not Conversation.objects.exists()
    assert list(ProviderDeletion.objects.values_list("response_id", flat=True)) == ["resp_9"]


def test_provider_deletion_postpone_backs_off_exponentially():
    row = ProviderDeletion.objects.create(response_id="r", next_attempt_at=timezone.now())
    delays = []
    for _ in range(8):
        before = timezone.now()
        services.provider_deletion_postpone(deletion=row, error="down")
        delays.append(round((row.next_attempt_at - before).total_seconds()))
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600]
    row.refresh_from_db()
    assert (row.attempts, row.last_error) == (8, "down")


def test_provider_deletion_done_removes_row():
    row = ProviderDeletion.objects.create(response_id="r", next_attempt_at=timezone.now())
    services.provider_deletion_done(deletion=row)
    assert not ProviderDeletion.objects.exists()


def test_conversation_group_name_is_valid(turn):
    name = services.conversation_group(conversation_id=turn.conversation_id)
    assert name == f"conversation.{turn.conversation_id.hex}"
    assert len(name) < 100


async def test_conversation_publish_reaches_group_members():
    conversation_id = uuid.uuid4()
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(services.conversation_group(conversation_id=conversation_id), channel)
    await services.conversation_publish(conversation_id=conversation_id, message={"type": "x"})
    assert await layer.receive(channel) == {"type": "chat.message", "message": {"type": "x"}}


def checkpoint(turn: Turn, *, worker: str) -> bool:
    return services.turn_checkpoint(
        turn_id=turn.pk,
        output_text="partial",
        reasoning_text="",
        worker=worker,
        background=True,
        provider_seq=3,
        stream_seq=2,
    )


def test_turn_checkpoint_names_the_worker_then_refuses_others(turn):
    assert checkpoint(turn, worker="a")
    assert not checkpoint(turn, worker="b")
    assert checkpoint(turn, worker="a")
    turn.refresh_from_db()
    assert (turn.worker, turn.output_text) == ("a", "partial")


def test_turn_checkpoint_refused_once_finished(turn):
    finish(turn)
    assert not checkpoint(turn, worker="a")


def test_turn_finish_by_a_worker_that_was_taken_over_writes_nothing(turn):
    checkpoint(turn, worker="a")
    assert finish(turn, worker="b") is None
    assert finish(turn, worker="a") is not None
