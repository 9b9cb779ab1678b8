"""The upload endpoint and the attached files: CSRF, limits before parsing, owner-only access."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conversations import uploads
from conversations.models import Attachment, Turn, attachment_storage
from tests.samples import png_bytes

pytestmark = pytest.mark.django_db
UPLOAD_URL = "/attachments/"


def content_url(attachment: Attachment) -> str:
    return reverse("attachment_content", kwargs={"attachment_id": attachment.pk})


def test_upload_stores_an_unsent_attachment(owner_client, owner):
    response = owner_client.post(UPLOAD_URL, {"file": SimpleUploadedFile("cat.png", png_bytes())})
    assert response.status_code == 201
    body = response.json()["attachment"]
    attachment = Attachment.objects.get(pk=body["id"])
    assert (attachment.owner, attachment.turn, attachment.name) == (owner, None, "cat.png")
    assert body == {
        "id": str(attachment.pk),
        "name": "cat.png",
        "kind": "image",
        "content_type": "image/png",
        "size": len(png_bytes()),
        "url": content_url(attachment),
    }
    assert attachment_storage().open(attachment.file.name).read() == png_bytes()


def test_upload_refuses_a_file_whose_content_is_not_what_its_name_says(owner_client):
    response = owner_client.post(UPLOAD_URL, {"file": SimpleUploadedFile("cat.png", b"text")})
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "content_mismatch",
            "message": "cat.png is not a PNG, JPEG, WebP or GIF image.",
        }
    }
    assert not Attachment.objects.exists()


def test_upload_needs_exactly_one_file(owner_client):
    response = owner_client.post(UPLOAD_URL, {"name": "nothing"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_file"


def test_upload_is_refused_from_its_content_length_before_the_body_is_parsed(
    owner_client, monkeypatch
):
    parsed = []
    monkeypatch.setattr(
        "django.http.multipartparser.MultiPartParser.parse", lambda self: parsed.append(1)
    )
    response = owner_client.post(
        UPLOAD_URL,
        data=b"x",
        content_type="multipart/form-data; boundary=b",
        CONTENT_LENGTH=str(uploads.MAX_UPLOAD_REQUEST_BYTES + 1),
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert parsed == []


def test_upload_checks_csrf(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(UPLOAD_URL, {"file": SimpleUploadedFile("cat.png", png_bytes())})
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_upload_with_the_csrf_token_passes(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    token = _csrf_token(client)
    response = client.post(
        UPLOAD_URL, {"file": SimpleUploadedFile("a.txt", b"hi")}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201


def _csrf_token(client: Client) -> str:
    client.get(reverse("index"))
    return client.cookies["csrftoken"].value


def test_upload_requires_login(client):
    response = client.post(UPLOAD_URL, {"file": SimpleUploadedFile("cat.png", png_bytes())})
    assert response.status_code == 302
    assert not Attachment.objects.exists()


def test_owner_gets_the_image_inline(owner_client, owner, attachment_factory):
    attachment = attachment_factory(owner=owner)
    response = owner_client.get(content_url(attachment))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["Cache-Control"].startswith("private")


def test_a_text_file_downloads_rather_than_renders(owner_client, owner, attachment_factory):
    attachment = attachment_factory(owner=owner, name="page.html", data=b"<script>1</script>")
    response = owner_client.get(content_url(attachment))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="page.html"'
    assert "sandbox" in response["Content-Security-Policy"]


def test_another_user_gets_404(user_factory, attachment_factory):
    attachment = attachment_factory()
    intruder = Client()
    intruder.force_login(user_factory())
    assert intruder.get(content_url(attachment)).status_code == 404


def test_anonymous_gets_404_not_a_login_page(client, attachment_factory):
    assert client.get(content_url(attachment_factory())).status_code == 404


def test_an_unknown_id_is_404(owner_client):
    url = reverse("attachment_content", kwargs={"attachment_id": uuid.uuid4()})
    assert owner_client.get(url).status_code == 404


def test_sent_files_are_in_the_history_page(
    owner_client, owner, attachment_factory, conversation_factory
):
    conversation = conversation_factory(owner=owner)
    turn = Turn.objects.create(conversation=conversation, position=0, user_text="look")
    attachment = attachment_factory(turn=turn)
    response = owner_client.get(
        reverse("conversation_detail", kwargs={"conversation_id": conversation.pk})
    )
    [shown] = response.context["turns"]
    assert shown["attachments"] == [
        {
            "id": str(attachment.pk),
            "name": "cat.png",
            "kind": "image",
            "content_type": "image/png",
            "size": len(png_bytes()),
            "url": content_url(attachment),
        }
    ]
