"""The Content-Security-Policy header (django-csp) on pages, the admin and the chat."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (part.split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def test_every_page_allows_only_its_own_origin(client):
    policy = directives(client.get("/accounts/login/"))
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_no_inline_script_runs_without_the_page_nonce(client):
    policy = directives(client.get("/accounts/login/"))
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


def test_the_chat_import_map_carries_the_header_nonce(conversation_factory):
    conversation = conversation_factory()
    client = Client()
    client.force_login(conversation.owner)
    response = client.get(f"/c/{conversation.pk}/")
    nonce = re.search(r'<script type="importmap" nonce="([^"]+)">', response.content.decode())
    assert f"'nonce-{nonce.group(1)}'" in directives(response)["script-src"]


def test_admin_pages_have_the_policy(user_factory):
    client = Client()
    client.force_login(user_factory(is_staff=True, is_superuser=True))
    assert directives(client.get("/admin/"))["script-src"] == ["'self'"]
