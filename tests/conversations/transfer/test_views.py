"""Export and Import pages: downloads, round trips, bad and huge files, all or nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conversations import services
from conversations.models import Attachment, Conversation, Turn, TurnStatus
from conversations.streaming.requests import request_body_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def conversation(conversation_factory, owner) -> Conversation:
    conversation = conversation_factory(
        owner=owner, title="Bread & butter", instructions="Be brief.", temperature=0.3
    )
    turn = services.turn_create(conversation=conversation, text="How long to proof?")
    Turn.objects.filter(pk=turn.pk).update(
        status=TurnStatus.COMPLETED,
        output_text="About **an hour**.",
        reasoning_text="Yeast at room temperature.",
        response_id="resp_1",
        input_tokens=12,
        output_tokens=5,
    )
    return conversation


def export(client: Client, conversation: Conversation, kind: str):
    return client.get(reverse("conversation_export", args=[conversation.pk, kind]))


def upload(client: Client, content: bytes, name: str = "export.json"):
    file = SimpleUploadedFile(name, content, content_type="application/json")
    return client.post(reverse("conversations_import"), {"file": file})


def test_markdown_export_is_readable(owner_client, conversation):
    response = export(owner_client, conversation, "markdown")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert 'filename="bread-butter.md"' in response["Content-Disposition"]
    text = response.content.decode()
    assert text.startswith("# Bread & butter\n")
    assert "- Temperature: 0.3" in text and "  > Be brief." in text
    assert "How long to proof?" in text and "About **an hour**." in text
    assert "<details>\n<summary>Thinking</summary>\n\nYeast at room temperature." in text
    assert "12 in / 5 out tokens" in text


def test_json_export_has_everything(owner_client, conversation):
    data = export(owner_client, conversation, "json").json()
    assert data["format"] == "chatsite.conversation" and data["version"] == 1
    assert data["settings"]["instructions"] == "Be brief."
    [turn] = data["turns"]
    assert turn["response_id"] == "resp_1" and turn["status"] == "completed"
    assert turn["reasoning_text"] == "Yeast at room temperature."
    assert turn["usage"]["input_tokens"] == 12


def test_export_of_another_users_conversation_is_404(conversation, user_factory):
    client = Client()
    client.force_login(user_factory())
    assert export(client, conversation, "json").status_code == 404


def test_unknown_export_format_is_404(owner_client, conversation):
    assert export(owner_client, conversation, "pdf").status_code == 404


def test_json_round_trip(owner_client, owner, conversation):
    response = upload(owner_client, export(owner_client, conversation, "json").content)
    imported = Conversation.objects.exclude(pk=conversation.pk).get(owner=owner)
    assert response.status_code == 302
    assert response["Location"] == reverse("conversation_detail", args=[imported.pk])
    assert (imported.title, imported.instructions, imported.temperature) == (
        "Bread & butter",
        "Be brief.",
        0.3,
    )
    [turn] = imported.turns.all()
    assert (turn.user_text, turn.output_text, turn.reasoning_text, turn.input_tokens) == (
        "How long to proof?",
        "About **an hour**.",
        "Yeast at room temperature.",
        12,
    )
    # The provider has no response of this conversation: nothing to chain to, or to delete.
    assert turn.response_id == ""


def test_the_next_turn_of_an_import_sends_its_history(owner_client, owner, conversation):
    upload(owner_client, export(owner_client, conversation, "json").content)
    imported = Conversation.objects.exclude(pk=conversation.pk).get(owner=owner)
    turn = services.turn_create(conversation=imported, text="And in the fridge?")
    body = request_body_sync(
        turn=turn, conversation=imported, background=False, previous_response_id=""
    )
    assert body["input"] == [
        {"role": "user", "content": "How long to proof?"},
        {"role": "assistant", "content": "About **an hour**."},
        {"role": "user", "content": "And in the fridge?"},
    ]
    assert "previous_response_id" not in body


def test_imported_words_are_searchable(owner_client, owner, conversation):
    conversation.delete()
    upload(owner_client, json.dumps([{"title": "T", "chat": {"messages": [
        {"role": "user", "content": "sourdough"}]}}]).encode())  # fmt: skip
    page = owner_client.get(reverse("conversation_search"), {"q": "sourdough"}).content.decode()
    assert "<mark>sourdough</mark>" in page


def test_bad_file_is_a_clear_error_and_imports_nothing(owner_client, owner):
    good = {"title": "fine", "chat": {"messages": []}}
    response = upload(owner_client, json.dumps([good, {"title": "broken"}]).encode())
    assert response.status_code == 400
    assert "Conversation 2 is not in the Open WebUI format of the first one." in (
        response.content.decode()
    )
    assert not Conversation.objects.filter(owner=owner).exists()


def test_a_failure_while_storing_leaves_nothing_behind(owner_client, owner, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Turn.objects, "bulk_create", broken)
    data = [{"title": "one", "chat": {"messages": [{"role": "user", "content": "hi"}]}}]
    with pytest.raises(RuntimeError):
        upload(owner_client, json.dumps(data).encode())
    assert not Conversation.objects.filter(owner=owner).exists()


def test_a_file_over_the_limit_is_refused_while_it_uploads(owner_client, owner, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(owner_client, b"[" + b" " * 5000 + b"]")
    assert response.status_code == 400
    assert "The file is larger than the 0 MB import limit." in response.content.decode()
    assert not Conversation.objects.filter(owner=owner).exists()


def test_no_file_chosen(owner_client):
    response = owner_client.post(reverse("conversations_import"), {})
    assert response.status_code == 400
    assert "Choose an export file to import." in response.content.decode()


def test_import_page_and_sidebar_link(owner_client):
    page = owner_client.get(reverse("conversations_import")).content.decode()
    assert '<label for="id_file">Export file</label>' in page
    assert f'href="{reverse("conversations_import")}">Import</a>' in page


def test_import_checks_csrf(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    assert upload(client, b"[]").status_code == 403


def test_exports_name_the_attached_files(owner_client, owner, conversation):
    upload_file = SimpleUploadedFile("notes.txt", b"some notes", content_type="text/plain")
    attachment = services.attachment_create(owner=owner, upload=upload_file)
    Attachment.objects.filter(pk=attachment.pk).update(turn=conversation.turns.get())
    [turn] = export(owner_client, conversation, "json").json()["turns"]
    assert turn["attachments"] == [
        {
            "name": "notes.txt",
            "kind": "text",
            "content_type": "text/plain; charset=utf-8",
            "size": 10,
        }
    ]
    assert (
        "*Attached: notes.txt*" in export(owner_client, conversation, "markdown").content.decode()
    )


def test_an_imported_conversation_is_one_branch(owner_client, owner, conversation):
    second = services.turn_create(conversation=conversation, text="And overnight?")
    Turn.objects.filter(pk=second.pk).update(status=TurnStatus.COMPLETED, output_text="Cold.")
    upload(owner_client, export(owner_client, conversation, "json").content)
    imported = Conversation.objects.exclude(pk=conversation.pk).get(owner=owner)
    first, last = imported.turns.order_by("position")
    assert (first.parent_id, last.parent_id) == (None, first.pk)
    turn = services.turn_create(conversation=imported, text="Thanks")
    body = request_body_sync(
        turn=turn, conversation=imported, background=False, previous_response_id=""
    )
    assert [item["content"] for item in body["input"]] == [
        "How long to proof?",
        "About **an hour**.",
        "And overnight?",
        "Cold.",
        "Thanks",
    ]
