"""Inspect, input items, token count and delete against a fake OpenAI with its wire quirks."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.urls import reverse

from conversations.models import ProviderDeletion, Turn
from responses_client import client
from tests.fakes.admin_users import admin_user
from tests.fakes.openai import BASE_URL, FakeOpenAI, request_json

pytestmark = pytest.mark.django_db(transaction=True)
IMAGE = "data:image/png;base64,iVBORw0KGgo="


@pytest.fixture
def openai(settings, monkeypatch) -> FakeOpenAI:
    settings.OPENAI_BASE_URL = BASE_URL
    fake = FakeOpenAI()
    monkeypatch.setattr(client, "transport", fake.transport())
    return fake


@pytest.fixture
def operator_client(client):
    client.force_login(admin_user("operator"))
    return client


def user_message(text: str) -> dict:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


@pytest.fixture
def turns(openai, conversation_factory) -> list[Turn]:
    """Two chained turns; the second's input has five messages, an image and a function call."""
    first_id = openai.add(items=[user_message("first question")])
    items = [user_message(f"message {n}") for n in range(5)]
    items.append(
        {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_image", "image_url": IMAGE, "detail": "auto"}],
        }
    )
    items.append(
        {
            "type": "function_call_output",
            "call_id": "call_1",
            "output": '{"temperature": 21}',
            "status": "completed",
        }
    )
    second_id = openai.add(items=items, previous=first_id)
    conversation = conversation_factory(title="Audited", instructions="Be brief.")
    return [
        Turn.objects.create(
            conversation=conversation,
            position=n,
            user_text=f"question {n}",
            response_id=rid,
            previous_response_id=prev,
            status="completed",
            model="gpt-5",
        )
        for n, (rid, prev) in enumerate([(first_id, ""), (second_id, first_id)])
    ]


def inspect_url(turn: Turn) -> str:
    return reverse("admin:conversations_turn_inspect", args=[turn.pk])


def items_url(turn: Turn) -> str:
    return reverse("admin:conversations_turn_input_items", args=[turn.pk])


def test_inspect_shows_provider_object_beside_local_record(operator_client, turns):
    page = operator_client.get(inspect_url(turns[1]))
    assert page.status_code == 200
    provider = page.context["provider"]
    assert provider["model"] == "gpt-5-2025-08-07"
    assert provider["usage"] == {"input": 9, "cached": 4, "output": 27, "reasoning": 18}
    assert [item["type"] for item in provider["output"]] == ["reasoning", "message"]
    assert b"question 1" in page.content


def test_inspect_escapes_provider_text(operator_client, turns):
    page = operator_client.get(inspect_url(turns[1]))
    assert b"<img src=x onerror" not in page.content
    assert b"&lt;img src=x onerror=alert(1)&gt;Hello!" in page.content
    assert b"<script>x</script>" not in page.content


def test_inspect_links_the_previous_response_chain(operator_client, turns):
    page = operator_client.get(inspect_url(turns[1]))
    link = f'<a href="{inspect_url(turns[0])}">{turns[0].response_id}</a>'
    assert link.encode() in page.content


def test_inspect_of_forgotten_response_says_so(operator_client, turns, openai):
    del openai.responses[turns[1].response_id]
    page = operator_client.get(inspect_url(turns[1]))
    assert page.status_code == 200
    assert page.context["provider"] is None
    assert "no longer has this response" in page.context["note"]


def test_a_response_without_a_turn_is_inspected_by_its_id(operator_client, openai):
    response_id = openai.add(items=[user_message("a batch prompt")])
    page = operator_client.get(
        reverse("admin:conversations_turn_response_inspect", args=[response_id])
    )
    assert page.status_code == 200
    assert page.context["provider"]["id"] == response_id
    assert b"No chat turn has this response id" in page.content


def test_a_turns_response_id_leads_to_the_turns_inspection(operator_client, turns):
    url = reverse("admin:conversations_turn_response_inspect", args=[turns[0].response_id])
    assert operator_client.get(url).url == inspect_url(turns[0])


def test_input_items_pages_forward_and_back(operator_client, turns):
    first = operator_client.get(items_url(turns[1]), {"limit": 5, "order": "asc"})
    assert [i["parts"][0].get("text") for i in first.context["items"]] == [
        f"message {n}" for n in range(5)
    ]
    second = operator_client.get(items_url(turns[1]) + "?" + first.context["next_query"])
    kinds = [item["type"] for item in second.context["items"]]
    assert kinds == ["message", "function_call_output"]
    assert second.context["items"][0]["parts"] == [{"image": IMAGE}]
    assert second.context["next_query"] == ""
    back = operator_client.get(items_url(turns[1]) + "?" + second.context["previous_query"])
    assert back.context["items"] == first.context["items"]


def test_input_items_render_image_and_function_output(operator_client, turns):
    page = operator_client.get(items_url(turns[1]), {"limit": 5, "order": "desc"})
    assert f'src="{IMAGE}"'.encode() in page.content
    assert b"&quot;temperature&quot;: 21" in page.content


def test_input_items_desc_starts_with_newest(operator_client, turns):
    page = operator_client.get(items_url(turns[1]), {"limit": 5, "order": "desc"})
    assert page.context["items"][0]["type"] == "function_call_output"


def test_input_tokens_count(operator_client, turns, openai):
    page = operator_client.get(inspect_url(turns[1]), {"count": "1"})
    assert page.context["tokens"] == "11 input tokens"
    body = request_json(openai.requests[-1])
    assert body == {
        "model": "gpt-5",
        "input": "question 1",
        "previous_response_id": turns[0].response_id,
        "instructions": "Be brief.",
    }


def test_delete_deletes_at_provider_and_here(operator_client, turns, openai):
    url = reverse("admin:conversations_turn_delete", args=[turns[1].pk])
    confirm = operator_client.get(url)
    assert turns[1].response_id.encode() in confirm.content
    operator_client.post(url, {"post": "yes"})
    assert turns[1].response_id not in openai.responses
    assert not Turn.objects.filter(pk=turns[1].pk).exists()
    assert not ProviderDeletion.objects.exists()
    assert LogEntry.objects.get(action_flag=DELETION).user.username == "operator-account"


def test_cancel_of_foreground_response_is_nothing_at_provider(operator_client, turns, settings):
    settings.GENERATION_STALE_SECONDS = 1  # no job runs it anywhere; do not wait long for one
    Turn.objects.filter(pk=turns[1].pk).update(status="streaming")
    url = reverse("admin:conversations_turn_cancel", args=[turns[1].pk])
    page = operator_client.post(url, follow=True)
    assert "not a background response" in page.content.decode()
    assert Turn.objects.get(pk=turns[1].pk).status == "cancelled"


@pytest.mark.parametrize("asked,sent", [("0", "1"), ("500", "100"), ("x", "20")])
def test_input_items_limit_kept_within_the_api_range(operator_client, turns, openai, asked, sent):
    operator_client.get(items_url(turns[1]), {"limit": asked})
    assert openai.requests[-1].url.params["limit"] == sent


def test_bulk_cancel_cancels_running_turns_and_logs_each(operator_client, turns, settings):
    settings.GENERATION_STALE_SECONDS = 1  # no job runs them anywhere; do not wait long for one
    Turn.objects.update(status="streaming")
    changelist = reverse("admin:conversations_turn_changelist")
    selected = {"action": "cancel_selected", "_selected_action": [t.pk for t in turns]}
    operator_client.post(changelist, selected)
    assert set(Turn.objects.values_list("status", flat=True)) == {"cancelled"}
    entries = LogEntry.objects.filter(action_flag=CHANGE, user__username="operator-account")
    assert entries.count() == 2


def test_bulk_delete_lists_responses_then_deletes_them(operator_client, turns, openai):
    changelist = reverse("admin:conversations_turn_changelist")
    selected = {"action": "delete_selected", "_selected_action": [t.pk for t in turns]}
    confirm = operator_client.post(changelist, selected)
    assert all(t.response_id.encode() in confirm.content for t in turns)
    operator_client.post(changelist, {**selected, "post": "yes"})
    assert openai.responses == {}
    assert not Turn.objects.exists()
    assert LogEntry.objects.filter(action_flag=DELETION).count() == 2


def test_input_items_link_the_earlier_context(operator_client, turns):
    page = operator_client.get(items_url(turns[1]))
    assert f'href="{items_url(turns[0])}"'.encode() in page.content


def test_input_items_empty_page_with_null_ids(operator_client, turns, openai):
    openai.input_items[turns[0].response_id] = []
    page = operator_client.get(items_url(turns[0]))
    assert page.status_code == 200
    assert page.context["items"] == []
    assert b"No input items on this page." in page.content


def test_chain_follows_the_provider_when_our_record_lacks_it(operator_client, turns):
    Turn.objects.filter(pk=turns[1].pk).update(previous_response_id="")
    page = operator_client.get(inspect_url(turns[1]))
    assert page.context["chain"] == [(turns[0].response_id, turns[0])]


def test_delete_of_a_running_turn_stops_it_first(operator_client, turns, openai, settings):
    settings.GENERATION_STALE_SECONDS = 1  # no job runs it anywhere; do not wait long for one
    Turn.objects.filter(pk=turns[1].pk).update(status="streaming")
    url = reverse("admin:conversations_turn_delete", args=[turns[1].pk])
    operator_client.post(url, {"post": "yes"})
    assert not Turn.objects.filter(pk=turns[1].pk).exists()
    assert turns[1].response_id not in openai.responses
