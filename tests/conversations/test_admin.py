"""The admin's pages load for a superuser and deletion goes through the service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations.models import Conversation, ProviderDeletion, Turn

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(username="root", password="pw-root-123")
    client.force_login(admin)
    return client


@pytest.fixture
def turn(conversation_factory) -> Turn:
    conversation = conversation_factory(title="Audit me")
    return Turn.objects.create(
        conversation=conversation,
        position=0,
        user_text="hello",
        response_id="resp_x",
        status="completed",
        output_tokens=5,
    )


@pytest.mark.parametrize("model", ["conversation", "turn", "providerdeletion"])
def test_changelist_loads(admin_client, turn, model):
    ProviderDeletion.objects.create(response_id="resp_old", next_attempt_at=turn.created_at)
    response = admin_client.get(reverse(f"admin:conversations_{model}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model,filters",
    [
        ("conversation", {"reasoning_effort__exact": "low"}),
        ("turn", {"status__exact": "completed"}),
    ],
)
def test_changelist_search_and_filters(admin_client, turn, model, filters):
    url = reverse(f"admin:conversations_{model}_changelist")
    response = admin_client.get(url, {"q": "resp_x", **filters})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_conversation_page_shows_turns(admin_client, turn):
    url = reverse("admin:conversations_conversation_change", args=[turn.conversation_id])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"resp_x" in response.content


def test_admin_delete_queues_provider_deletion(admin_client, turn):
    url = reverse("admin:conversations_conversation_delete", args=[turn.conversation_id])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Conversation.objects.exists()
    assert ProviderDeletion.objects.filter(response_id="resp_x").exists()
