"""Batch pages: creating a run (or a clear error and nothing stored), and per-user isolation."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from batches.models import Item, Run
from batches.parsing import Prompt
from batches.services import run_create
from chatsite.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)

FORM = {"models": "m1, m2", "temperatures": "0.2, 0.9", "concurrency": "4", "store": "on"}


@pytest.fixture
def run_factory(user_factory):
    def create(owner=None):
        return run_create(
            owner=owner or user_factory(),
            name="r",
            prompts=[Prompt(input="a"), Prompt(input="b")],
            configs=[
                {
                    "model": "m1",
                    "temperature": None,
                    "instructions": "",
                    "reasoning_effort": None,
                    "max_output_tokens": None,
                }
            ],
        )

    return create


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
