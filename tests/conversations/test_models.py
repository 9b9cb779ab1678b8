"""Models: how turns and the others read where the admin names them."""

from __future__ import annotations

import pytest

from conversations.models import ProviderDeletion, Turn

pytestmark = pytest.mark.django_db


def test_turn_reads_as_its_conversation_and_position(conversation_factory):
    conversation = conversation_factory(title="My chat")
    turn = Turn.objects.create(conversation=conversation, position=1, user_text="hi")
    assert str(turn) == "My chat · turn 2"


def test_conversation_reads_as_its_title(conversation_factory):
    assert str(conversation_factory(title="My chat")) == "My chat"


def test_provider_deletion_reads_as_its_response_id():
    deletion = ProviderDeletion(response_id="resp_1")
    assert str(deletion) == "resp_1"
