"""Attachments: stored through the storage API, claimed by a turn, deleted with their rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conversations import services, uploads
from conversations.models import Attachment, Turn, attachment_storage

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(conversation_factory):
    return conversation_factory()


@pytest.fixture
def turn(conversation):
    return Turn.objects.create(conversation=conversation, position=0, user_text="hi")


def stored(attachment: Attachment) -> bool:
    return attachment_storage().exists(attachment.file.name)


def test_create_stores_the_file_under_ids_not_the_users_name(attachment_factory):
    attachment = attachment_factory(name="../../my cat.png")
    assert attachment.name == "my cat.png"
    assert attachment.file.name == f"{attachment.owner_id}/{attachment.pk}"
    assert stored(attachment)


def files_of(owner) -> list[str]:
    storage = attachment_storage()
    return storage.listdir(str(owner.pk))[1] if storage.exists(str(owner.pk)) else []


def test_a_refused_file_stores_nothing(user_factory):
    owner = user_factory()
    before = files_of(owner)  # ids are reused between tests; so may their folders be
    with pytest.raises(uploads.UploadRejected):
        services.attachment_create(owner=owner, upload=SimpleUploadedFile("x.gif", b"not a gif"))
    assert not Attachment.objects.exists()
    assert files_of(owner) == before


def test_claim_moves_unsent_attachments_to_the_turn_in_the_given_order(turn, attachment_factory):
    owner = turn.conversation.owner
    first, second = attachment_factory(owner=owner), attachment_factory(owner=owner)
    claimed = services.attachments_claim(turn=turn, attachment_ids=[second.pk, first.pk])
    assert [a.pk for a in claimed] == [second.pk, first.pk]
    assert list(turn.attachments.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]


def test_claim_skips_another_users_attachment(turn, attachment_factory):
    foreign = attachment_factory()
    assert services.attachments_claim(turn=turn, attachment_ids=[foreign.pk]) == []
    foreign.refresh_from_db()
    assert foreign.turn is None


def test_claim_copies_attachments_sent_earlier_in_the_conversation(turn, attachment_factory):
    sent = attachment_factory(turn=turn)
    retry = Turn.objects.create(conversation=turn.conversation, position=1, user_text="hi")
    [copy] = services.attachments_claim(turn=retry, attachment_ids=[sent.pk])
    assert copy.pk != sent.pk
    assert (copy.turn, copy.file.name, copy.name) == (retry, sent.file.name, sent.name)
    assert sent.turn == turn


def test_claim_skips_attachments_of_another_conversation(
    turn, attachment_factory, conversation_factory
):
    other = conversation_factory(owner=turn.conversation.owner)
    elsewhere = Turn.objects.create(conversation=other, position=0, user_text="x")
    sent = attachment_factory(turn=elsewhere)
    assert services.attachments_claim(turn=turn, attachment_ids=[sent.pk]) == []


def test_deleting_the_conversation_deletes_its_files(
    conversation, turn, attachment_factory, django_capture_on_commit_callbacks
):
    attachment = attachment_factory(turn=turn)
    copy = services.attachments_claim(
        turn=Turn.objects.create(conversation=conversation, position=1, user_text="again"),
        attachment_ids=[attachment.pk],
    )[0]
    unrelated = attachment_factory(owner=conversation.owner)
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_delete(conversation=conversation)
    assert not Attachment.objects.filter(pk__in=[attachment.pk, copy.pk]).exists()
    assert not stored(attachment)
    assert stored(unrelated)


def test_deleting_one_turn_keeps_a_file_another_turn_still_uses(
    conversation, turn, attachment_factory, django_capture_on_commit_callbacks
):
    attachment = attachment_factory(turn=turn)
    again = Turn.objects.create(conversation=conversation, position=1, user_text="again")
    services.attachments_claim(turn=again, attachment_ids=[attachment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        services.turn_delete(turn=turn)
    assert stored(attachment)
    with django_capture_on_commit_callbacks(execute=True):
        services.turn_delete(turn=again)
    assert not stored(attachment)


def test_unsent_uploads_older_than_a_day_are_pruned(
    attachment_factory, django_capture_on_commit_callbacks
):
    old = attachment_factory()
    Attachment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    with django_capture_on_commit_callbacks(execute=True):
        fresh = attachment_factory(owner=old.owner)
    assert list(Attachment.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not stored(old)


def test_turns_create_if_idle_gives_the_turn_its_files(conversation, attachment_factory):
    attachment = attachment_factory(owner=conversation.owner)
    created = services.turns_create_if_idle(
        drafts={conversation.pk: services.TurnDraft(text="look", attachment_ids=(attachment.pk,))}
    )
    turn = created[conversation.pk]
    assert [a.pk for a in turn.attachment_list] == [attachment.pk]
    attachment.refresh_from_db()
    assert attachment.turn == turn
