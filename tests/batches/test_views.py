"""Batch pages: creating a run (or a clear error and nothing stored), and per-user isolation."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import UserLimits
from batches.models import Item, Run
from chatsite.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {"models": "m1, m2", "temperatures": "0.2, 0.9", "concurrency": "4", "store": "on"}


def test_start_run_stores_prompts_times_configurations(client, user_factory, monkeypatch):
    enqueued = []
    monkeypatch.setattr("batches.tasks.run_enqueue", lambda *, run_id: enqueued.append(run_id))
    client.force_login(user_factory())
    response = client.post(reverse("batch_index"), {**FORM, "prompts": "one\ntwo\nthree"})
    run = Run.objects.get()
    assert response.url == reverse("batch_detail", args=[run.pk])
    assert (run.total, Item.objects.count(), enqueued) == (12, 12, [run.pk])


def test_preview_counts_requests_and_creates_nothing(client, user_factory):
    client.force_login(user_factory())
    response = client.post(reverse("batch_index"), {**FORM, "prompts": "one\ntwo", "preview": "1"})
    assert "2 prompts × 4 configurations = 8 requests" in response.content.decode()
    assert not Run.objects.exists()


def test_bad_jsonl_names_the_line_and_creates_nothing(client, user_factory):
    client.force_login(user_factory())
    upload = SimpleUploadedFile("p.jsonl", b'{"input": "ok"}\n{"input": 3}\n')
    response = client.post(reverse("batch_index"), {**FORM, "prompt_file": upload})
    assert response.status_code == 400
    assert "line 2: &#x27;input&#x27; must be" in response.content.decode()
    assert not Run.objects.exists()


def test_csv_template_run(client, user_factory, monkeypatch):
    monkeypatch.setattr("batches.tasks.run_enqueue", lambda *, run_id: None)
    client.force_login(user_factory())
    upload = SimpleUploadedFile("p.csv", b"text\nalpha\nbeta\n")
    client.post(
        reverse("batch_index"),
        {
            **FORM,
            "models": "m1",
            "temperatures": "",
            "prompt_file": upload,
            "template": "Summarize: {text}",
        },
    )
    assert sorted(Item.objects.values_list("prompt", flat=True)) == [
        "Summarize: alpha",
        "Summarize: beta",
    ]


def test_a_run_over_the_token_limit_is_a_429_that_keeps_the_prompts(client, user_factory):
    owner = user_factory()
    UserLimits.objects.create(user=owner, tokens_per_day=0)
    client.force_login(owner)
    response = client.post(reverse("batch_index"), {**FORM, "prompts": "keep me\nand me"})
    page = response.content.decode()
    assert response.status_code == 429
    assert "No run was started. You have used your 0 tokens for today" in page
    assert "keep me\nand me" in page  # the pasted prompts are still in the box
    assert not Run.objects.exists()


def test_runs_started_too_fast_are_a_429_naming_the_wait(client, run_factory, monkeypatch):
    monkeypatch.setattr("batches.tasks.run_enqueue", lambda *, run_id: None)
    earlier = run_factory()
    UserLimits.objects.create(user=earlier.owner, messages_per_minute=1)
    client.force_login(earlier.owner)
    upload = SimpleUploadedFile("p.csv", b"prompt\nalpha\n")
    response = client.post(reverse("batch_index"), {**FORM, "prompt_file": upload})
    assert response.status_code == 429
    assert "started 1 batch runs in the last minute" in response.content.decode()
    assert "choose the prompt file again" in response.content.decode()
    assert Run.objects.count() == 1


def test_the_run_list_says_unfinished_runs_are_paused_and_why(client, run_factory):
    run = run_factory()
    UserLimits.objects.create(user=run.owner, tokens_per_day=0)
    client.force_login(run.owner)
    page = client.get(reverse("batch_index")).content.decode()
    assert "Unfinished runs are paused: You have used your 0 tokens for today" in page
    assert "Queued (paused)" in page


def test_preview_estimates_output_tokens_too_and_says_how(client, user_factory):
    client.force_login(user_factory())
    form = {**FORM, "models": "m1", "temperatures": "", "max_output_tokens": "50"}
    response = client.post(reverse("batch_index"), {**form, "prompts": "a\nb", "preview": "1"})
    page = response.content.decode()
    assert "up to 100 output tokens (each answer at most its max output tokens, or 1000" in page


@pytest.mark.parametrize(
    ("name", "method", "extra"),
    [
        ("batch_detail", "get", {}),
        ("batch_results", "get", {}),
        ("batch_cancel", "post", {}),
        ("batch_retry", "post", {}),
        ("batch_download", "get", {"fmt": "csv"}),
        ("batch_download", "get", {"fmt": "jsonl"}),
    ],
)
def test_another_users_run_is_404_everywhere(
    client, user_factory, run_factory, name, method, extra
):
    run = run_factory()
    client.force_login(user_factory())
    response = getattr(client, method)(reverse(name, kwargs={"run_id": run.pk, **extra}))
    assert response.status_code == 404
    assert Run.objects.get().status == "queued"


@pytest.mark.parametrize("is_staff", [True, False])
def test_results_link_a_response_to_the_audit_console_for_staff(client, run_factory, is_staff):
    run = run_factory()
    run.owner.is_staff = is_staff
    run.owner.save(update_fields=["is_staff"])
    run.items.filter(prompt_index=0).update(status="done", response_id="resp_abc123")
    client.force_login(run.owner)
    page = client.get(reverse("batch_results", args=[run.pk])).content.decode()
    console = reverse("admin:conversations_turn_response_inspect", args=["resp_abc123"])
    assert (f'<a href="{console}">resp_abc123</a>' in page) is is_staff
    assert "/admin/batches/" not in page


def test_download_csv_streams_every_item(client, run_factory):
    run = run_factory()
    client.force_login(run.owner)
    response = client.get(reverse("batch_download", kwargs={"run_id": run.pk, "fmt": "csv"}))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("prompt_index,prompt,config_index")
    assert len(lines) == 3


async def _socket(user, run):
    from channels.db import database_sync_to_async
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    def session_key():
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        return session.session_key

    key = await database_sync_to_async(session_key)()
    return WebsocketCommunicator(
        application,
        f"/ws/batches/{run.pk}/",
        headers=[(b"cookie", f"sessionid={key}".encode()), (b"origin", b"http://localhost")],
    )


async def test_socket_sends_progress_to_the_owner(run_factory):
    from channels.db import database_sync_to_async

    run = await database_sync_to_async(run_factory)()
    owner = await database_sync_to_async(lambda: run.owner)()
    socket = await _socket(owner, run)
    connected, _ = await socket.connect()
    assert connected
    message = await socket.receive_json_from(timeout=5)
    assert (message["type"], message["progress"]["total"]) == ("progress", 2)
    await socket.disconnect()


async def test_socket_refuses_another_user_with_4403(run_factory, user_factory):
    from channels.db import database_sync_to_async

    run = await database_sync_to_async(run_factory)()
    stranger = await database_sync_to_async(user_factory)()
    socket = await _socket(stranger, run)
    connected, code = await socket.connect()
    assert (connected, code) == (False, 4403)
