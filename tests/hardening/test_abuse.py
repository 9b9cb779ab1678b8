"""Login brute force and per-user limits: locked out after N, refused clearly, others unaffected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone

from accounts.models import UserLimits
from batches.models import Run
from conversations.models import Turn
from tests.conversations.streaming.sockets import connect

RIGHT = "pw-for-tests-123"
WAIT = 30


# One client: each new one loads the middleware again, and WhiteNoise scans static/ each time.
CLIENT = Client()


def login(username: str, password: str, ip: str) -> int:
    data = {"username": username, "password": password}
    status = CLIENT.post("/accounts/login/", data, REMOTE_ADDR=ip).status_code
    CLIENT.logout()
    return status


@pytest.mark.django_db
def test_brute_force_on_one_username_from_many_addresses(user_factory, settings, table):
    victim, limit = user_factory(), settings.AXES_FAILURE_LIMIT
    for n in range(100):
        status = login(victim.username, f"guess-{n}", ip=f"10.1.{n // 250}.{n % 250}")
        # Tries before the Nth fail as usual (200, the form again); from the Nth on: locked.
        table.record(
            "Login brute force: one username, 100 tries", status == (200 if n < limit - 1 else 429)
        )
    refused = login(victim.username, RIGHT, ip="10.2.0.1") == 429
    table.record("Login brute force: right password while locked", refused)
    row = table.row("Login brute force: one username, 100 tries")
    assert refused and row.passed == row.tried, row.failures


@pytest.mark.django_db
def test_brute_force_from_one_address_over_many_usernames(user_factory, settings, table):
    bystander, limit = user_factory(), settings.AXES_FAILURE_LIMIT
    for n in range(100):
        status = login(f"guess{n}", "guess", ip="10.3.0.1")
        table.record(
            "Login brute force: one address, 100 tries", status == (200 if n < limit - 1 else 429)
        )
    elsewhere = login(bystander.username, RIGHT, ip="10.3.0.2") == 302
    table.record("Login brute force: another address unaffected", elsewhere)
    row = table.row("Login brute force: one address, 100 tries")
    assert elsewhere and row.passed == row.tried, row.failures


async def refused_with(communicator, limit: str) -> bool:
    await communicator.send_json_to({"type": "message.send", "text": "one more"})
    frame = await communicator.receive_json_from(timeout=WAIT)
    return frame["type"] == "error" and frame.get("limit") == limit and bool(frame["message"])


async def seed(conversation, **fields) -> None:
    count = await Turn.objects.filter(conversation=conversation).acount()
    await Turn.objects.acreate(conversation=conversation, position=count, user_text="x", **fields)


@pytest.mark.django_db(transaction=True)
async def test_each_limit_refuses_clearly_and_leaves_others_alone(
    provider_settings, conversation_factory, table
):
    limited = await database_sync_to_async(conversation_factory)()
    other = await database_sync_to_async(conversation_factory)()
    limits = await UserLimits.objects.acreate(user=limited.owner)
    cases = {
        "running_generations": ({"running_generations": 1}, {"status": "streaming"}),
        "messages_per_minute": ({"messages_per_minute": 1}, {"status": "completed"}),
        "tokens_per_day": (
            {"tokens_per_day": 100},
            {"status": "completed", "input_tokens": 60, "output_tokens": 40},
        ),
    }
    communicator = await connect(limited.owner, limited.pk)
    for limit, (override, turn) in cases.items():
        await Turn.objects.filter(conversation=limited).adelete()
        cleared = {"running_generations": None, "messages_per_minute": None, "tokens_per_day": None}
        await UserLimits.objects.filter(pk=limits.pk).aupdate(**(cleared | override))
        await seed(limited, **turn)
        if limit == "tokens_per_day":  # a minute old, so only the token budget is spent
            await Turn.objects.filter(conversation=limited).aupdate(
                created_at=timezone.now() - timedelta(minutes=2)
            )
        table.record(
            "Per-user limits: refused with the limit named",
            await refused_with(communicator, limit),
            limit,
        )
    await communicator.disconnect()
    bystander = await connect(other.owner, other.pk)
    await bystander.send_json_to({"type": "message.send", "text": "hello"})
    frames = []
    while not frames or frames[-1]["type"] != "turn.finished":
        frames.append(await bystander.receive_json_from(timeout=WAIT))
    await bystander.disconnect()
    table.record(
        "Per-user limits: another user unaffected", frames[-1]["turn"]["status"] == "completed"
    )
    row = table.row("Per-user limits: refused with the limit named")
    assert row.passed == row.tried == 3, row.failures


BATCH_FORM = {"models": "m1", "concurrency": "4", "store": "on", "prompts": "a\nb"}


@pytest.mark.django_db
def test_batch_runs_over_a_limit_are_429_and_others_start(user_factory, monkeypatch, table):
    """Start run over the day's tokens (spent by chat turns) or the runs per minute: 429 naming
    the limit, no run stored; another user's run starts."""
    monkeypatch.setattr("batches.tasks.run_enqueue", lambda *, run_id: None)
    limited, other = user_factory(), user_factory()
    UserLimits.objects.create(user=limited, tokens_per_day=100)
    conversation = limited.conversations.create()
    Turn.objects.create(
        conversation=conversation, position=0, status="completed", input_tokens=60, output_tokens=40
    )
    client = Client()
    client.force_login(limited)
    response = client.post("/batches/", BATCH_FORM)
    ok = response.status_code == 429 and b"100 tokens for today" in response.content
    table.record("Per-user limits: batch Start run refused (429)", ok, "tokens_per_day")
    UserLimits.objects.filter(user=limited).update(tokens_per_day=None, messages_per_minute=0)
    response = client.post("/batches/", BATCH_FORM)
    ok = response.status_code == 429 and b"batch runs in the last minute" in response.content
    table.record("Per-user limits: batch Start run refused (429)", ok, "messages_per_minute")
    assert not Run.objects.filter(owner=limited).exists()
    client.force_login(other)
    started = client.post("/batches/", BATCH_FORM).status_code == 302
    table.record("Per-user limits: another user unaffected", started, "batch run")
    row = table.row("Per-user limits: batch Start run refused (429)")
    assert started and row.passed == row.tried == 2, row.failures
