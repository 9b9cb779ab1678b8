"""The provider-deletion outbox: flush, backoff, background schedule, management command."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from conversations import outbox
from conversations.models import ProviderDeletion
from responses_client import client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider(settings, monkeypatch):
    """A mocked provider answering DELETEs with a status per response id (200 by default)."""
    settings.OPENAI_BASE_URL = "http://provider.test/v1"
    statuses: dict[str, int] = {}
    deleted: list[str] = []

    async def no_sleep(seconds):
        return None

    def handler(request: httpx.Request) -> httpx.Response:
        response_id = request.url.path.rsplit("/", 1)[-1]
        status = statuses.get(response_id, 200)
        if status == 200:
            deleted.append(response_id)
            return httpx.Response(200, json={"id": response_id, "deleted": True})
        return httpx.Response(status, json={"error": {"message": f"status {status}"}})

    monkeypatch.setattr(client, "transport", httpx.MockTransport(handler))
    monkeypatch.setattr(client, "_sleep", no_sleep)
    return type("Provider", (), {"statuses": statuses, "deleted": deleted})


def queue(*response_ids: str, due_in: timedelta = timedelta(0)) -> None:
    ProviderDeletion.objects.bulk_create(
        ProviderDeletion(response_id=rid, next_attempt_at=timezone.now() + due_in)
        for rid in response_ids
    )


async def remaining() -> list[str]:
    return [row.response_id async for row in ProviderDeletion.objects.order_by("response_id")]


async def test_flush_deletes_due_rows(provider):
    await ProviderDeletion.objects.abulk_create(
        [ProviderDeletion(response_id=r, next_attempt_at=timezone.now()) for r in ("a", "b")]
    )
    assert await outbox.outbox_flush() == 2
    assert sorted(provider.deleted) == ["a", "b"]
    assert await remaining() == []


async def test_not_found_counts_as_done(provider):
    provider.statuses["gone"] = 404
    await ProviderDeletion.objects.acreate(response_id="gone", next_attempt_at=timezone.now())
    assert await outbox.outbox_flush() == 1
    assert await remaining() == []


async def test_failure_postponed_with_backoff(provider):
    provider.statuses["x"] = 503
    before = timezone.now()
    await ProviderDeletion.objects.acreate(response_id="x", next_attempt_at=before)
    assert await outbox.outbox_flush() == 0
    row = await ProviderDeletion.objects.aget(response_id="x")
    assert row.attempts == 1
    assert "503" in row.last_error
    assert row.next_attempt_at >= before + timedelta(seconds=30)


async def test_rows_not_due_are_left(provider):
    later = timezone.now() + timedelta(hours=1)
    await ProviderDeletion.objects.acreate(response_id="later", next_attempt_at=later)
    assert await outbox.outbox_flush() == 0
    assert provider.deleted == []


async def test_schedule_flushes_in_one_background_task(provider):
    await ProviderDeletion.objects.acreate(response_id="a", next_attempt_at=timezone.now())
    outbox.outbox_flush_schedule()
    task = outbox._task
    outbox.outbox_flush_schedule()
    assert outbox._task is task
    await task
    assert provider.deleted == ["a"]
    assert await remaining() == []


def test_management_command_flushes(provider, capsys):
    queue("a")
    call_command("outbox_flush")
    assert provider.deleted == ["a"]
    assert "Deleted 1" in capsys.readouterr().out
