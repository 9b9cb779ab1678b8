"""The search page: hits link to their turn with the words marked; login required; owner-only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conversations import services, views

pytestmark = pytest.mark.django_db


def search_page(client: Client, query: str) -> str:
    response = client.get(reverse("conversation_search"), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_hit_links_to_its_turn_with_the_word_marked(owner_client, owner, conversation_factory):
    conversation = conversation_factory(owner=owner, title="Maps")
    services.turn_create(conversation=conversation, text="first")
    turn = services.turn_create(conversation=conversation, text="where is Reykjavik <i>")
    page = search_page(owner_client, "reykjavik")
    assert f'href="/c/{conversation.pk}/?turn={turn.pk}#turn-1"' in page
    assert "where is <mark>Reykjavik</mark> &lt;i&gt;" in page


def test_title_hit_links_to_the_conversation(owner_client, owner, conversation_factory):
    conversation = conversation_factory(owner=owner, title="Sourdough starter")
    page = search_page(owner_client, "sourdough")
    assert f'href="/c/{conversation.pk}/"' in page
    assert "<mark>Sourdough</mark> starter" in page


def test_no_match_says_so(owner_client):
    assert "No conversations match “zzz”." in search_page(owner_client, "zzz")


def test_fts_syntax_is_a_search(owner_client):
    assert "No conversations match" in search_page(owner_client, '"unclosed AND (x* -y:')


def test_another_users_conversations_are_not_found(owner_client, conversation_factory):
    conversation_factory(title="Secret recipe")
    assert "Secret" not in search_page(owner_client, "secret")


def test_login_required():
    response = Client().get(reverse("conversation_search"), {"q": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_sidebar_search_box_submits_to_the_search_page(owner_client):
    page = search_page(owner_client, "")
    assert 'action="/search/"' in page
    assert 'aria-label="Search conversations"' in page


def test_sidebar_lists_the_newest_and_links_to_all(owner_client, owner, conversation_factory):
    for n in range(views.SIDEBAR_CONVERSATIONS + 1):
        conversation_factory(owner=owner, title=f"chat {n}")
    page = owner_client.get(reverse("conversation_search")).content.decode()
    sidebar = page.split('aria-label="Conversations"')[1].split("</nav>")[0]
    assert f"chat {views.SIDEBAR_CONVERSATIONS}<" in sidebar
    assert "chat 0<" not in sidebar
    assert "All conversations" in sidebar


def test_empty_query_pages_through_all_conversations(owner_client, owner, conversation_factory):
    for n in range(views.ALL_CONVERSATIONS_PAGE + 1):
        conversation_factory(owner=owner, title=f"chat {n}")
    first = owner_client.get(reverse("conversation_search")).content.decode()
    older = owner_client.get(reverse("conversation_search"), {"page": 2}).content.decode()
    assert "Page 1 of 2" in first
    assert ">chat 0<" in older
    assert ">chat 0<" not in first.split("</nav>", 1)[1]
