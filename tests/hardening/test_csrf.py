"""CSRF and cross-origin sockets: every state-changing form and socket refused without proof."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from chatsite.asgi import application
from conversations.models import Conversation, Turn
from tests.hardening.routes import fill, http_routes, websocket_routes

PASSWORD = "pw-for-tests-123"
FOREIGN_ORIGINS = [b"http://evil.example", b"null", b"http://localhost.evil.example"]


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_superuser(username="alice", password=PASSWORD)


@pytest.fixture
def conversation(owner):
    conversation = Conversation.objects.create(owner=owner, title="Mine")
    Turn.objects.create(conversation=conversation, position=0, user_text="hi", status="completed")
    return conversation


def own_value(conversation):
    turn = conversation.turns.first()

    def pick(name: str, converter: str) -> str:
        if converter == "uuid" or name == "object_id":
            return str(conversation.pk)
        return str(turn.pk)

    return pick


@pytest.mark.django_db
def test_every_form_post_without_a_csrf_token_is_refused(owner, conversation, table):
    # /v1 takes a bearer key, never a cookie, so a forged cross-site POST carries no credential.
    routes = [route for route in http_routes() if not route.route.startswith("v1")]
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    client.get("/accounts/login/")  # the CSRF cookie a forged cross-site post would carry too
    assert client.cookies["csrftoken"].value
    for route in routes:
        url = fill(route.route, own_value(conversation))
        response = client.post(url, {"title": "forged", "username": "alice", "password": "x"})
        conversation.refresh_from_db()
        ok = response.status_code == 403 and conversation.title == "Mine"
        table.record(
            "CSRF: every POST route without a token", ok, f"{url} -> {response.status_code}"
        )
    row = table.row("CSRF: every POST route without a token")
    assert row.tried and row.passed == row.tried, row.failures


@pytest.mark.django_db
def test_v1_ignores_a_session_cookie(owner, table):
    client = Client()
    client.force_login(owner)
    response = client.post("/v1/responses", {"input": "hi"}, content_type="application/json")
    table.record("CSRF: /v1 with a session cookie, no key", response.status_code == 401)
    assert response.status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
async def test_a_socket_from_another_origin_is_refused(owner, conversation, origin, table):
    client = Client()
    await database_sync_to_async(client.force_login)(owner)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    known = await database_sync_to_async(own_value)(conversation)
    for route in websocket_routes():
        path = fill(route.route, known)
        communicator = WebsocketCommunicator(
            application,
            path,
            headers=[(b"origin", origin), (b"host", b"localhost"), (b"cookie", cookie)],
        )
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        table.record("Cross-origin websocket", not connected, f"{origin!r} {path}")
        assert not connected


@pytest.mark.django_db(transaction=True)
async def test_the_same_socket_from_our_origin_is_accepted(owner, conversation):
    client = Client()
    await database_sync_to_async(client.force_login)(owner)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    communicator = WebsocketCommunicator(
        application,
        f"/ws/conversations/{conversation.pk}/",
        headers=[(b"origin", b"http://localhost"), (b"host", b"localhost"), (b"cookie", cookie)],
    )
    connected, _ = await communicator.connect()
    assert connected
    await communicator.send_to(text_data="[]")  # answered, not closed: it is A's own socket
    assert (await communicator.receive_json_from(timeout=10))["code"] == "invalid_json"
    await communicator.disconnect()
