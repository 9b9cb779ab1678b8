"""The admin's pages load for a superuser and deletion goes through the service."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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


def more_turns(turn: Turn, count: int) -> None:
    for position in range(1, count + 1):
        Turn.objects.create(conversation=turn.conversation, position=position, user_text="more")


def queries(admin_client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert admin_client.get(url).status_code == 200
    return len(captured)


def test_conversation_page_names_its_turns_readably(admin_client, turn):
    url = reverse("admin:conversations_conversation_change", args=[turn.conversation_id])
    assert "Audit me · turn 1" in admin_client.get(url).content.decode()


@pytest.mark.parametrize(
    "page", ["admin:conversations_conversation_change", "admin:conversations_turn_changelist"]
)
def test_turn_names_cost_no_query_per_turn(admin_client, turn, page):
    url = reverse(page, args=[turn.conversation_id] if page.endswith("change") else [])
    one = queries(admin_client, url)
    more_turns(turn, 3)
    assert queries(admin_client, url) == one


def test_admin_delete_queues_provider_deletion(admin_client, turn):
    url = reverse("admin:conversations_conversation_delete", args=[turn.conversation_id])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Conversation.objects.exists()
    assert ProviderDeletion.objects.filter(response_id="resp_x").exists()


@pytest.fixture
def turns(conversation_factory, user_factory) -> list[Turn]:
    """Turns of two users over two days and two models."""
    alice, bob = user_factory(username="alice"), user_factory(username="bob")
    rows = [
        (alice, "m-a", "completed", 10, 2, 5, 1, "2026-01-01"),
        (alice, "m-b", "failed", 20, 0, 0, 0, "2026-01-02"),
        (bob, "m-a", "completed", 30, 6, 7, 3, "2026-01-02"),
    ]
    made = []
    for owner, model, status, inp, cached, out, reasoning, day in rows:
        turn = Turn.objects.create(
            conversation=conversation_factory(owner=owner),
            position=0,
            user_text="hi",
            status=status,
            model=model,
            input_tokens=inp,
            cached_tokens=cached,
            output_tokens=out,
            reasoning_tokens=reasoning,
        )
        Turn.objects.filter(pk=turn.pk).update(created_at=f"{day}T12:00:00Z")
        made.append(turn)
    return made


def test_turn_list_filters_by_user(admin_client, turns):
    url = reverse("admin:conversations_turn_changelist")
    owner = turns[2].conversation.owner
    response = admin_client.get(url, {"conversation__owner__id__exact": owner.pk})
    assert response.context["cl"].result_count == 1


def test_usage_sums_per_user_model_day_and_status(admin_client, turns):
    url = reverse("admin:conversations_turn_usage")
    usage = admin_client.get(url, {"since": "2026-01-01", "until": "2026-01-02"}).context["usage"]
    alice = {"label": "alice", "input": 30, "cached": 2, "output": 5, "reasoning": 1}
    # Models m-a and m-b have no price: the cost is unknown, not zero.
    assert usage["per_user"][0] == {**alice, "responses": 2, "cost": None}
    assert [(row["label"], row["input"]) for row in usage["per_model"]] == [
        ("m-a", 40),
        ("m-b", 20),
    ]
    assert [row["responses"] for row in usage["per_day"]] == [1, 2]
    assert usage["per_status"] == [
        {"status": "completed", "count": 2},
        {"status": "failed", "count": 1},
    ]


def test_usage_range_excludes_other_days(admin_client, turns):
    url = reverse("admin:conversations_turn_usage")
    usage = admin_client.get(url, {"since": "2026-01-02", "until": "2026-01-02"}).context["usage"]
    assert sum(row["responses"] for row in usage["per_user"]) == 2


@pytest.mark.parametrize(
    "query",
    [
        {"until": "2020-13-45"},
        {"since": "2024-02-30"},
        {"until": "0001-01-01"},
        {"until": "9999-12-31"},
    ],
)
def test_usage_ignores_an_impossible_date(admin_client, query):
    response = admin_client.get(reverse("admin:conversations_turn_usage"), query)
    assert response.status_code == 200
    assert response.context["until"] == timezone.localdate()


def test_admin_pages_link_the_favicon(admin_client):
    assert (
        b'rel="icon" href="/static/favicon.svg"' in admin_client.get(reverse("admin:index")).content
    )


def test_turn_page_links_to_its_inspection(admin_client, turn):
    page = admin_client.get(reverse("admin:conversations_turn_change", args=[turn.pk]))
    inspect = reverse("admin:conversations_turn_inspect", args=[turn.pk])
    assert f'href="{inspect}"'.encode() in page.content
