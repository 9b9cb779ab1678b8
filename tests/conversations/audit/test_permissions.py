"""Who gets what from the audit console: superuser, auditor, plain staff, user, anonymous."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations.models import Turn
from tests.fakes.admin_users import admin_user

pytestmark = pytest.mark.django_db

READ_PAGES = ["changelist", "inspect", "input_items", "usage"]
# status per role for: read pages, delete confirmation, cancel (POST)
MATRIX = {
    "superuser": (200, 200),
    "auditor": (200, 403),
    "staff": (403, 403),
}


@pytest.fixture
def turn(conversation_factory) -> Turn:
    # No response id: the pages answer without calling any provider.
    return Turn.objects.create(
        conversation=conversation_factory(), position=0, user_text="hi", status="completed"
    )


def url(name: str, turn: Turn) -> str:
    args = [] if name in ("changelist", "usage") else [turn.pk]
    return reverse(f"admin:conversations_turn_{name}", args=args)


def login(client, role: str):
    if role != "anonymous":
        client.force_login(admin_user(role))
    return client


@pytest.mark.parametrize("role", list(MATRIX))
@pytest.mark.parametrize("page", READ_PAGES)
def test_read_pages(client, turn, role, page):
    assert login(client, role).get(url(page, turn)).status_code == MATRIX[role][0]


@pytest.mark.parametrize("role", list(MATRIX))
def test_delete_page(client, turn, role):
    assert login(client, role).get(url("delete", turn)).status_code == MATRIX[role][1]


@pytest.mark.parametrize("role", ["auditor", "staff"])
def test_cancel_refused_without_cancel_permission(client, turn, role):
    assert login(client, role).post(url("cancel", turn)).status_code == 403


@pytest.mark.parametrize("role", ["auditor", "staff"])
def test_delete_post_refused_and_turn_kept(client, turn, role):
    login(client, role).post(url("delete", turn), {"post": "yes"})
    assert Turn.objects.filter(pk=turn.pk).exists()


@pytest.mark.parametrize("role", ["user", "anonymous"])
@pytest.mark.parametrize("page", [*READ_PAGES, "delete"])
def test_non_staff_get_the_login_page(client, turn, role, page):
    response = login(client, role).get(url(page, turn))
    assert response.status_code == 302
    assert "/login/?next=" in response["Location"]


@pytest.mark.parametrize("role", ["user", "anonymous"])
def test_non_staff_cannot_cancel(client, turn, role):
    response = login(client, role).post(url("cancel", turn))
    assert response.status_code == 302
    assert Turn.objects.get(pk=turn.pk).status == "completed"


def test_auditor_sees_no_cancel_or_delete_buttons(client, turn):
    Turn.objects.filter(pk=turn.pk).update(status="streaming")
    page = login(client, "auditor").get(url("inspect", turn))
    assert page.context["can_cancel"] is False
    assert page.context["can_delete"] is False


@pytest.mark.parametrize(
    "role,offered", [("superuser", True), ("operator", True), ("auditor", False)]
)
def test_cancel_action_only_with_cancel_permission(client, turn, role, offered):
    page = login(client, role).get(url("changelist", turn))
    assert (b'value="cancel_selected"' in page.content) is offered
