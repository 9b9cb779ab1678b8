"""The audit console with the Django test client against the live app's embedded provider."""

from __future__ import annotations

import httpx
import pytest
from asgiref.sync import ThreadSensitiveContext
from channels.db import database_sync_to_async
from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse

from conversations.models import ProviderDeletion, Turn
from responses_client import client
from tests.conversations.streaming.sockets import connect
from tests.fakes.admin_users import admin_user
from tests.live import free_port

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 30  # seconds before a missing frame counts as a hang, not a timing assertion


def provider_post(settings, path: str, body: dict) -> dict:
    """Call the live provider directly, as another client of it would."""
    headers = {"Authorization": f"Bearer {settings.OPENAI_API_KEY}"}
    response = httpx.post(f"{settings.OPENAI_BASE_URL}/{path}", json=body, headers=headers)
    response.raise_for_status()
    return response.json()


def provider_status(settings, response_id: str) -> int | str:
    headers = {"Authorization": f"Bearer {settings.OPENAI_API_KEY}"}
    response = httpx.get(f"{settings.OPENAI_BASE_URL}/responses/{response_id}", headers=headers)
    return response.json()["status"] if response.is_success else response.status_code


def messages(n: int) -> list[dict]:
    return [{"role": "user", "content": f"message {k}"} for k in range(n)]


@pytest.fixture
def operator(db):
    return admin_user("operator")


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def make_turn(provider_settings, conversation_factory):
    """A local turn for a response stored at the live provider."""

    def make(*, input: str | list, status: str = "completed", **extra) -> Turn:
        body = {"model": "scripted", "input": input, "store": True, **extra}
        response = provider_post(provider_settings, "responses", body)
        return Turn.objects.create(
            conversation=conversation_factory(),
            position=0,
            user_text=str(input),
            response_id=response["id"],
            status=status,
            model="scripted",
        )

    return make


def test_inspect_shows_live_response(operator_client, make_turn):
    turn = make_turn(input="hello")
    page = operator_client.get(reverse("admin:conversations_turn_inspect", args=[turn.pk]))
    provider = page.context["provider"]
    assert provider["status"] == "completed"
    assert provider["output"][-1]["parts"] == [{"text": "You said: hello"}]


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_input_items_page_through_both_orders(operator_client, make_turn, order):
    turn = make_turn(input=messages(5))
    url = reverse("admin:conversations_turn_input_items", args=[turn.pk])
    pages, query = [], f"limit=2&order={order}"
    while query is not None:
        page = operator_client.get(f"{url}?{query}").context
        pages.append([item["parts"][0]["text"] for item in page["items"]])
        query = page["next_query"] or None
    expected = [f"message {k}" for k in range(5)]
    assert len(pages) == 3
    assert sum(pages, []) == (expected if order == "asc" else expected[::-1])


def test_input_items_previous_page_returns_to_the_first(operator_client, make_turn):
    turn = make_turn(input=messages(7))
    url = reverse("admin:conversations_turn_input_items", args=[turn.pk])
    first = operator_client.get(url, {"limit": 5, "order": "asc"}).context
    second = operator_client.get(f"{url}?{first['next_query']}").context
    assert [i["parts"][0]["text"] for i in second["items"]] == ["message 5", "message 6"]
    again = operator_client.get(f"{url}?{second['previous_query']}").context
    assert again["items"] == first["items"]
    assert again["page_number"] == 1


def test_input_token_count(operator_client, make_turn):
    turn = make_turn(input="count me")
    url = reverse("admin:conversations_turn_inspect", args=[turn.pk])
    tokens = operator_client.get(url, {"count": "1"}).context["tokens"]
    assert tokens.endswith(" input tokens")
    assert int(tokens.split()[0]) > 0


def test_delete_forgets_response_at_provider(operator_client, make_turn, provider_settings):
    turn = make_turn(input="delete me")
    operator_client.post(
        reverse("admin:conversations_turn_delete", args=[turn.pk]), {"post": "yes"}
    )
    assert provider_status(provider_settings, turn.response_id) == 404
    assert not Turn.objects.filter(pk=turn.pk).exists()
    assert not ProviderDeletion.objects.exists()


def test_bulk_delete_while_provider_down_queues_then_retries(
    operator_client, make_turn, provider_settings, monkeypatch
):
    turns = [make_turn(input="one"), make_turn(input="two")]
    live_url = provider_settings.OPENAI_BASE_URL
    provider_settings.OPENAI_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"
    monkeypatch.setattr(client, "_sleep", _no_sleep)
    changelist = reverse("admin:conversations_turn_changelist")
    selected = {"_selected_action": [t.pk for t in turns], "action": "delete_selected"}
    page = operator_client.post(changelist, {**selected, "post": "yes"}, follow=True)
    assert "queued in the outbox" in page.content.decode()
    assert not Turn.objects.exists()
    assert ProviderDeletion.objects.count() == 2
    provider_settings.OPENAI_BASE_URL = live_url
    retry = {
        "action": "retry_now",
        "_selected_action": ProviderDeletion.objects.values_list("pk", flat=True),
    }
    operator_client.post(reverse("admin:conversations_providerdeletion_changelist"), retry)
    assert not ProviderDeletion.objects.exists()
    assert [provider_status(provider_settings, t.response_id) for t in turns] == [404, 404]


async def _no_sleep(seconds: float) -> None:
    return None


async def admin_post(async_client, url: str) -> None:
    """POST as daphne would run it: Django's ASGI handler gives each request its own sync thread.

    The test client does not, and the generation job's database calls would then queue behind the
    admin view that waits for them.
    """
    async with ThreadSensitiveContext():
        await async_client.post(url)


async def frame_of(communicator, kind: str) -> dict:
    """The next frame of the given type, skipping others."""
    while (frame := await communicator.receive_json_from(timeout=WAIT))["type"] != kind:
        pass
    return frame


async def test_cancel_running_background_response(
    async_client, operator, make_turn, provider_settings
):
    # No job of ours runs this turn, so the stop path finds none; do not wait long for one.
    provider_settings.GENERATION_STALE_SECONDS = 1
    turn = await database_sync_to_async(make_turn)(
        input="[delay=200] slow [tokens=200]", status="streaming", background=True
    )
    owner = await database_sync_to_async(lambda: turn.conversation.owner)()
    socket = await connect(owner, turn.conversation_id)
    await async_client.aforce_login(operator)
    await admin_post(async_client, reverse("admin:conversations_turn_cancel", args=[turn.pk]))
    finished = await frame_of(socket, "turn.finished")
    assert finished["turn"]["status"] == "cancelled"
    assert (await Turn.objects.aget(pk=turn.pk)).status == "cancelled"
    assert await database_sync_to_async(provider_status)(provider_settings, turn.response_id) == (
        "cancelled"
    )
    entry = await LogEntry.objects.select_related("user").aget(action_flag=CHANGE)
    assert entry.user.username == operator.username
    await socket.disconnect()


async def test_cancel_goes_through_the_users_stop_path(
    async_client, operator, provider_settings, conversation_factory
):
    conversation = await database_sync_to_async(conversation_factory)()
    owner = await database_sync_to_async(lambda: conversation.owner)()
    socket = await connect(owner, conversation.pk)
    await socket.send_json_to({"type": "message.send", "text": "[delay=100] hi [tokens=300]"})
    response = await frame_of(socket, "turn.response")
    await async_client.aforce_login(operator)
    url = reverse("admin:conversations_turn_cancel", args=[response["turn_id"]])
    await admin_post(async_client, url)
    finished = await frame_of(socket, "turn.finished")
    assert finished["turn"]["status"] == "cancelled"
    assert (await Turn.objects.aget(pk=response["turn_id"])).status == "cancelled"
    await socket.disconnect()
