"""IDOR matrix: user B against every route of user A (URL conf and socket routes walked)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from batches.models import Item, Run
from chatsite.asgi import application
from conversations import services
from conversations.models import Attachment, Conversation, Turn
from tests.hardening.routes import fill, http_routes, websocket_routes
from tests.samples import png_bytes

PASSWORD = "pw-for-tests-123"
# Pages anyone may open, not A's: signing in and out is not access to A's data.
PUBLIC = {"login", "logout", "signup", "admin:login", "admin:logout"}
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


@pytest.fixture
def victim(django_user_model, run_factory):
    """User A (a superuser, so the admin holds their rows): a conversation, a turn, a file, and a
    batch run with an answered item."""
    owner = django_user_model.objects.create_superuser(username="alice", password=PASSWORD)
    conversation = Conversation.objects.create(owner=owner, title="Alice's secret")
    turn = Turn.objects.create(
        conversation=conversation,
        position=0,
        user_text="secret",
        status="completed",
        response_id="resp_alice",
        output_text="secret answer",
    )
    upload = SimpleUploadedFile("secret.png", png_bytes())
    attachment = services.attachment_create(owner=owner, upload=upload)
    attachment.turn = turn
    attachment.save(update_fields=["turn"])
    run = run_factory(owner=owner, name="Alice's secret run", prompts=("secret",))
    run.items.update(status="done", output_text="secret answer", response_id="resp_alice_batch")
    return owner, conversation, turn, attachment, run


def values(victim) -> dict:
    """Route kwarg -> one of A's ids; admin object ids by app/model in the route."""
    owner, conversation, turn, attachment, run = victim
    return {
        "uuid": str(conversation.pk),
        "int": str(turn.pk),
        "admin": {
            "auth/user": owner.pk,
            "conversations/conversation": conversation.pk,
            "batches/run": run.pk,
            "batches/item": run.items.get().pk,
        },
        "names": {
            "response_id": turn.response_id,
            "id": str(owner.pk),
            "attachment_id": str(attachment.pk),
            "run_id": str(run.pk),
        },
    }


def value_for(route: str, known: dict):
    def pick(name: str, converter: str) -> str:
        parts = route.split("/")
        model = "/".join(parts[1:3]) if route.startswith("admin/") else ""
        if name in known["names"]:
            return known["names"][name]
        if name == "object_id" and model in known["admin"]:
            return str(known["admin"][model])
        return known["uuid"] if converter == "uuid" else known["int"]

    return pick


SECRETS = ("Alice's secret", "secret answer", "resp_alice")


def denied(response, route, url: str) -> bool:
    """Refused, sent to a login page, or sent away (admin: a missing object goes to the index)
    to a page that shows none of A's data; a page of no one's id (admin index) may show, without it.
    """
    final = response.request["PATH_INFO"]
    if response.status_code in (401, 403, 404, 405) or final.startswith(LOGIN_PATHS):
        return True
    body = response.content.decode(errors="replace")
    shows_nothing = not any(secret in body for secret in SECRETS)
    return shows_nothing and (final != url or not route.has_params)


def intact(victim) -> bool:
    owner, conversation, turn, attachment, run = victim
    owner.refresh_from_db()
    conversation.refresh_from_db()
    return (
        conversation.title == "Alice's secret"
        and Turn.objects.filter(pk=turn.pk, status="completed").exists()
        and owner.is_superuser
        and owner.check_password(PASSWORD)
        and Attachment.objects.filter(pk=attachment.pk, turn=turn).exists()
        and Run.objects.filter(pk=run.pk, status="queued", failed=0).exists()
        and Item.objects.filter(run=run, status="done", output_text="secret answer").exists()
    )


def intruders(django_user_model) -> dict[str, object]:
    return {
        "user": django_user_model.objects.create_user(username="bob", password=PASSWORD),
        "staff without permissions": django_user_model.objects.create_user(
            username="mallory", password=PASSWORD, is_staff=True
        ),
    }


@pytest.mark.django_db
def test_user_b_is_denied_every_route_of_user_a(victim, django_user_model, table):
    known = values(victim)
    routes = [
        route
        for route in http_routes()
        if route.name not in PUBLIC and (route.has_params or route.admin)
    ]
    for label, intruder in intruders(django_user_model).items():
        client = Client()
        client.force_login(intruder)
        for route in routes:
            if label != "user" and not route.admin:
                continue
            url = fill(route.route, value_for(route.route, known))
            for method in ("get", "post"):
                response = getattr(client, method)(url, follow=True)
                ok = denied(response, route, url) and intact(victim)
                table.record(
                    "IDOR: HTTP routes of user A (GET+POST)",
                    ok,
                    f"{label} {method.upper()} {url} -> {response.status_code}",
                )
    row = table.row("IDOR: HTTP routes of user A (GET+POST)")
    assert row.tried > 0 and row.passed == row.tried, row.failures


@pytest.mark.django_db(transaction=True)
async def test_user_b_is_closed_out_of_every_socket_of_user_a(victim, django_user_model, table):
    owner, conversation, *_ = victim
    bob = await database_sync_to_async(django_user_model.objects.create_user)(
        username="bob", password=PASSWORD
    )
    client = Client()
    await database_sync_to_async(client.force_login)(bob)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    known = await database_sync_to_async(values)(victim)
    routes = websocket_routes()
    for route in routes:
        path = fill(route.route, value_for(route.route, known))
        communicator = WebsocketCommunicator(
            application,
            path,
            headers=[
                (b"origin", b"http://localhost"),
                (b"host", b"localhost"),
                (b"cookie", cookie),
            ],
        )
        connected, _ = await communicator.connect()
        closed = await communicator.receive_output(timeout=10) if connected else None
        ok = (not connected) or closed == {"type": "websocket.close", "code": 4403}
        table.record("IDOR: websocket routes of user A", ok, f"{path} -> {closed}")
        await communicator.disconnect()
    row = table.row("IDOR: websocket routes of user A")
    assert routes and row.passed == row.tried, row.failures
