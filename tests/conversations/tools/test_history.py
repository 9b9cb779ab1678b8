"""search_conversations: the caller's own history only."""

from __future__ import annotations

import pytest

from conversations import services
from conversations.tools import history
from conversations.tools.base import ToolContext

pytestmark = pytest.mark.django_db


def test_finds_the_owner_s_turns_with_links(conversation_factory):
    conversation = conversation_factory(title="Trip")
    turn = services.turn_create(conversation=conversation, text="the capybara facts")
    output = history.TOOL.run(ToolContext(owner_id=conversation.owner_id), query="capybara")
    assert f"/c/{conversation.pk}/#turn-{turn.position}" in output
    assert "capybara" in output and "<mark>" not in output


def test_never_another_user_s(conversation_factory, user_factory):
    services.turn_create(conversation=conversation_factory(), text="secret capybara")
    stranger = user_factory()
    output = history.TOOL.run(ToolContext(owner_id=stranger.pk), query="capybara")
    assert output == "No conversation matches 'capybara'."
