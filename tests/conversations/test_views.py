"""Chat pages and actions through the Django test client: login required, isolation, forms."""

from __future__ import annotations

import json
import uuid

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse
from django.views import defaults

from accounts.models import UserLimits
from conversations import services, views
from conversations.models import Conversation, ProviderDeletion, Turn
from conversations.outbox import outbox_flush_schedule
from conversations.streaming import generation
from responses_client import client
from tests.polling import eventually

pytestmark = pytest.mark.django_db

CONVERSATION_PAGES = [
    "conversation_detail",
    "conversation_turns",
    "conversation_rename",
    "conversation_delete",
    "conversation_settings",
]


@pytest.fixture(autouse=True)
def provider_calls(monkeypatch) -> dict[str, int]:
    """Stub the provider: two models listed, outbox flushes counted."""
    calls = {"flush": 0}

    async def models_list():
        return [{"id": "model-a", "object": "model"}, {"id": "model-b", "object": "model"}]

    def flush_schedule():
        calls["flush"] += 1

    monkeypatch.setattr(views.client, "models_list", models_list)
    monkeypatch.setattr(views.outbox, "outbox_flush_schedule", flush_schedule)
    return calls


@pytest.fixture
def conversation(conversation_factory, owner) -> Conversation:
    return conversation_factory(owner=owner, title="Owner's chat")


@pytest.fixture
def intruder_client(user_factory) -> Client:
    client = Client()
    client.force_login(user_factory())
    return client


def url(name: str, conversation: Conversation | None = None) -> str:
    kwargs = {"conversation_id": conversation.pk} if conversation else {}
    return reverse(name, kwargs=kwargs)


# ------------------------------------------------------------------ login required


@pytest.mark.parametrize("name", CONVERSATION_PAGES)
def test_conversation_pages_require_login(client, conversation, name):
    response = client.get(url(name, conversation))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_index_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_create_requires_login(client):
    response = client.post(url("conversation_create"), {"text": "hi"})
    assert response.status_code == 302
    assert not Conversation.objects.exists()


# ------------------------------------------------------------------ index and create


def test_index_is_a_new_chat_with_the_message_box_focused(owner_client):
    response = owner_client.get("/")
    assert response.status_code == 200
    assert b"New chat" in response.content
    assert b"You have no conversations yet" in response.content
    textarea = response.content.decode().split("<textarea", 1)[1].split(">", 1)[0]
    assert 'name="text"' in textarea and "autofocus" in textarea
    assert not Conversation.objects.exists()


def test_index_stays_a_new_chat_beside_existing_conversations(
    owner_client, conversation_factory, owner
):
    conversation_factory(owner=owner, title="older")
    response = owner_client.get("/")
    assert response.status_code == 200
    assert b"You have no conversations yet" not in response.content
    assert [c.title for c in response.context["conversations"]] == ["older"]


def test_index_ignores_other_users_conversations(owner_client, conversation_factory):
    conversation_factory(title="not mine")
    response = owner_client.get("/")
    assert list(response.context["conversations"]) == []


@pytest.mark.django_db(transaction=True)
async def test_create_starts_the_conversation_with_its_first_message(
    provider_settings, async_client, user_factory
):
    owner = await database_sync_to_async(user_factory)()
    await async_client.aforce_login(owner)
    response = await async_client.post(url("conversation_create"), {"text": "  First words  "})
    conversation = await Conversation.objects.aget(owner=owner)
    assert response.url == url("conversation_detail", conversation)
    assert (conversation.title, conversation.model, conversation.reasoning_effort) == (
        "First words",
        "",
        "low",
    )
    turn = await Turn.objects.aget(conversation=conversation)
    assert turn.user_text == "First words"
    finished = await eventually(
        lambda: Turn.objects.filter(pk=turn.pk, status="completed").afirst()
    )
    assert finished.output_text == "You said: First words"


@pytest.mark.parametrize("text", ["", "   ", "x" * 32_001])
def test_create_refuses_an_empty_or_too_long_message_and_keeps_it(owner_client, text):
    response = owner_client.post(url("conversation_create"), {"text": text})
    assert response.status_code == 400
    assert not Conversation.objects.exists()
    assert b'role="alert"' in response.content
    if text.strip():
        assert text.encode() in response.content


def test_create_with_files_only_gives_the_first_turn_its_files(
    owner_client, owner, attachment_factory, monkeypatch
):
    started = []
    monkeypatch.setattr(views.generation, "generation_start", lambda *, turn: started.append(turn))
    attachment = attachment_factory(owner=owner)
    response = owner_client.post(url("conversation_create"), {"attachments": [attachment.pk]})
    turn = Turn.objects.get(conversation__owner=owner)
    assert response.status_code == 302 and started == [turn]
    attachment.refresh_from_db()
    assert attachment.turn == turn


def test_create_refuses_another_users_file(owner_client, attachment_factory):
    foreign = attachment_factory()
    response = owner_client.post(
        url("conversation_create"), {"text": "mine?", "attachments": [foreign.pk]}
    )
    assert response.status_code == 400
    assert b"no longer available" in response.content and b"mine?" in response.content
    assert not Conversation.objects.exists()


def test_create_rejects_get(owner_client):
    assert owner_client.get(url("conversation_create")).status_code == 405


# ------------------------------------------------------------------ chat page


def test_detail_renders_turns_as_json(owner_client, conversation):
    Turn.objects.create(
        conversation=conversation,
        position=0,
        user_text="hi <b>",
        status="completed",
        output_text="hello",
        response_id="resp_1",
        input_tokens=3,
        output_tokens=2,
    )
    response = owner_client.get(url("conversation_detail", conversation))
    assert response.status_code == 200
    data = response.content.decode().split('id="turns-data" type="application/json">')[1]
    turns = json.loads(data.split("</script>")[0])
    assert turns[0]["user_text"] == "hi <b>"
    assert turns[0]["usage"]["input_tokens"] == 3
    assert b'id="turns-data"' in response.content
    assert b"hi <b>" not in response.content  # escaped inside json_script


def test_detail_lists_conversations_newest_first(owner_client, owner, conversation_factory):
    conversation_factory(owner=owner, title="first")
    second = conversation_factory(owner=owner, title="second")
    content = owner_client.get(url("conversation_detail", second)).content.decode()
    assert content.index("second") < content.index("first")


def test_turns_json(owner_client, conversation):
    Turn.objects.create(conversation=conversation, position=0, user_text="hi", status="streaming")
    response = owner_client.get(url("conversation_turns", conversation))
    assert response.json()["turns"][0]["status"] == "streaming"


def test_turns_json_is_the_branch_on_screen_with_versions(owner_client, conversation):
    first = services.turn_create(conversation=conversation, text="first")
    old = services.turn_create(conversation=conversation, text="old")
    services.turn_create(conversation=conversation, text="after old")
    new = services.turn_create(conversation=conversation, text="new", parent_id=first.pk)
    turns = owner_client.get(url("conversation_turns", conversation)).json()["turns"]
    assert [t["user_text"] for t in turns] == ["first", "new"]
    assert turns[1]["versions"] == [old.pk, new.pk]
    assert (turns[1]["parent_id"], turns[1]["position"]) == (first.pk, 1)


def test_detail_with_a_turn_shows_that_turns_branch(owner_client, conversation):
    first = services.turn_create(conversation=conversation, text="first")
    old = services.turn_create(conversation=conversation, text="old")
    services.turn_create(conversation=conversation, text="after old")
    services.turn_create(conversation=conversation, text="new", parent_id=first.pk)
    Turn.objects.update(status="completed")
    response = owner_client.get(url("conversation_detail", conversation), {"turn": old.pk})
    assert response.status_code == 200
    data = response.content.decode().split('id="turns-data" type="application/json">')[1]
    turns = json.loads(data.split("</script>")[0])
    assert [t["user_text"] for t in turns] == ["first", "old", "after old"]
    # It is the branch on screen now: a reconnecting page (or another tab) fetches the same.
    turns = owner_client.get(url("conversation_turns", conversation)).json()["turns"]
    assert [t["user_text"] for t in turns] == ["first", "old", "after old"]


@pytest.mark.parametrize("turn", ["x", "", "99999", "another conversation's"])
def test_detail_with_a_turn_not_in_it_is_404(owner_client, owner, conversation, turn):
    services.turn_create(conversation=conversation, text="mine")
    if turn == "another conversation's":
        turn = services.conversation_start(owner=owner, text="elsewhere").pk
    response = owner_client.get(url("conversation_detail", conversation), {"turn": turn})
    assert response.status_code == 404


def test_unknown_conversation_is_404(owner_client):
    missing = uuid.uuid4()
    assert owner_client.get(reverse("conversation_detail", args=[missing])).status_code == 404


# ------------------------------------------------------------------ isolation


@pytest.mark.parametrize("name", CONVERSATION_PAGES)
def test_other_users_pages_are_404(intruder_client, conversation, name):
    assert intruder_client.get(url(name, conversation)).status_code == 404


def test_other_users_conversation_shows_the_apps_404_page(intruder_client, conversation):
    response = intruder_client.get(url("conversation_detail", conversation))
    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    assert b"Page not found \xc2\xb7 chatsite</title>" in response.content
    assert f'href="{reverse("index")}"'.encode() in response.content


def test_server_error_page_needs_no_context(rf):
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    assert b"Back to your conversations" in response.content
    assert b'href="/"' in response.content


@pytest.mark.parametrize(
    "name,prefix", [("conversation_rename", "Rename"), ("conversation_delete", "Delete")]
)
def test_action_page_titles_separate_action_and_title(owner_client, conversation, name, prefix):
    response = owner_client.get(url(name, conversation))
    expected = f"<title>{prefix} · Owner&#x27;s chat · chatsite</title>"
    assert expected in response.content.decode()


def test_pages_link_the_favicon(owner_client):
    assert b'rel="icon" href="/static/favicon.svg"' in owner_client.get("/").content


def test_other_user_cannot_rename(intruder_client, conversation):
    response = intruder_client.post(url("conversation_rename", conversation), {"title": "pwned"})
    assert response.status_code == 404
    conversation.refresh_from_db()
    assert conversation.title == "Owner's chat"


def test_other_user_cannot_delete(intruder_client, conversation, provider_calls):
    response = intruder_client.post(url("conversation_delete", conversation))
    assert response.status_code == 404
    assert Conversation.objects.filter(pk=conversation.pk).exists()
    assert provider_calls["flush"] == 0


def test_other_user_cannot_change_settings(intruder_client, conversation):
    data = {"instructions": "be evil", "model": "", "reasoning_effort": "high"}
    response = intruder_client.post(url("conversation_settings", conversation), data)
    assert response.status_code == 404
    conversation.refresh_from_db()
    assert conversation.instructions == ""
    assert conversation.reasoning_effort == "low"


def test_other_users_conversations_not_listed(intruder_client, conversation):
    response = intruder_client.get("/")
    assert b"Owner&#x27;s chat" not in response.content
    assert list(response.context["conversations"]) == []


# ------------------------------------------------------------------ rename


def test_rename(owner_client, conversation):
    response = owner_client.post(url("conversation_rename", conversation), {"title": "  Trip  "})
    assert response.url == url("conversation_detail", conversation)
    conversation.refresh_from_db()
    assert conversation.title == "Trip"


def test_rename_blank_is_rejected(owner_client, conversation):
    response = owner_client.post(url("conversation_rename", conversation), {"title": "   "})
    assert response.status_code == 400
    assert b"This field is required" in response.content
    conversation.refresh_from_db()
    assert conversation.title == "Owner's chat"


def test_rename_too_long_keeps_input(owner_client, conversation):
    response = owner_client.post(url("conversation_rename", conversation), {"title": "x" * 201})
    assert response.status_code == 400
    assert ("x" * 201).encode() in response.content


# ------------------------------------------------------------------ delete


def test_delete_confirm_page(owner_client, conversation):
    response = owner_client.get(url("conversation_delete", conversation))
    assert response.status_code == 200
    assert b"Delete this conversation?" in response.content
    assert Conversation.objects.filter(pk=conversation.pk).exists()


def test_delete_queues_provider_deletions(owner_client, conversation, provider_calls):
    Turn.objects.create(conversation=conversation, position=0, user_text="a", response_id="resp_a")
    Turn.objects.create(conversation=conversation, position=1, user_text="b")
    response = owner_client.post(url("conversation_delete", conversation))
    assert response.status_code == 302
    assert response.url == reverse("index")
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    assert list(ProviderDeletion.objects.values_list("response_id", flat=True)) == ["resp_a"]
    assert provider_calls["flush"] == 1


# ------------------------------------------------------------------ settings


def settings_data(**overrides) -> dict[str, object]:
    data = {
        "instructions": "Be brief.",
        "model": "model-b",
        "temperature": "0.7",
        "max_output_tokens": "256",
        "reasoning_effort": "high",
    }
    return {**data, **overrides}


def test_settings_page_offers_provider_models(owner_client, conversation):
    response = owner_client.get(url("conversation_settings", conversation))
    assert response.status_code == 200
    assert b'<option value="model-a"' in response.content


def test_settings_page_falls_back_to_text_when_provider_fails(
    owner_client, conversation, monkeypatch
):
    async def broken():
        raise views.client.ProviderConnectionError("provider down")

    monkeypatch.setattr(views.client, "models_list", broken)
    response = owner_client.get(url("conversation_settings", conversation))
    assert response.status_code == 200
    assert b'<input type="text" name="model"' in response.content


def test_settings_save(owner_client, conversation):
    response = owner_client.post(url("conversation_settings", conversation), settings_data())
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert conversation.instructions == "Be brief."
    assert conversation.model == "model-b"
    assert conversation.temperature == 0.7
    assert conversation.max_output_tokens == 256
    assert conversation.reasoning_effort == "high"


def test_settings_empty_values_mean_provider_defaults(owner_client, conversation):
    data = settings_data(model="", temperature="", max_output_tokens="", reasoning_effort="none")
    owner_client.post(url("conversation_settings", conversation), data)
    conversation.refresh_from_db()
    assert (conversation.model, conversation.temperature, conversation.max_output_tokens) == (
        "",
        None,
        None,
    )


@pytest.mark.parametrize(
    "field,value",
    [
        ("temperature", "2.5"),
        ("temperature", "-1"),
        ("max_output_tokens", "15"),
        ("reasoning_effort", "extreme"),
        ("model", "not-listed"),
    ],
)
def test_settings_bad_input_changes_nothing_and_keeps_input(
    owner_client, conversation, field, value
):
    data = settings_data(**{field: value})
    response = owner_client.post(url("conversation_settings", conversation), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert b"Be brief." in response.content
    conversation.refresh_from_db()
    assert conversation.instructions == ""


@pytest.mark.django_db(transaction=True)
async def test_delete_stops_generation_and_deletes_the_response_at_the_provider(
    provider_settings, conversation_factory, async_client, monkeypatch
):
    monkeypatch.setattr(views.outbox, "outbox_flush_schedule", outbox_flush_schedule)
    conversation = await database_sync_to_async(conversation_factory)()
    await async_client.aforce_login(conversation.owner)
    turn = await generation.generation_submit(
        conversation=conversation, draft=services.TurnDraft(text="[delay=100] [tokens=200] long")
    )
    response_id = await eventually(
        lambda: Turn.objects.values_list("response_id", flat=True).aget(pk=turn.pk)
    )

    reply = await async_client.post(url("conversation_delete", conversation))

    assert reply.status_code == 302
    assert not generation.generation_busy(conversation_id=conversation.pk)
    assert not await Conversation.objects.filter(pk=conversation.pk).aexists()

    async def outbox_empty() -> bool:
        return not await ProviderDeletion.objects.filter(response_id=response_id).aexists()

    await eventually(outbox_empty)
    with pytest.raises(client.NotFoundError):
        await client.response_retrieve(response_id=response_id)


def test_create_over_a_limit_is_refused_and_keeps_the_message(owner_client, owner):
    UserLimits.objects.create(user=owner, messages_per_minute=0)
    response = owner_client.post(url("conversation_create"), {"text": "Hello there"})
    assert response.status_code == 400
    assert not Conversation.objects.exists()
    assert b"Hello there" in response.content and b"messages in the last minute" in response.content


def test_settings_turn_tools_on_and_off(owner_client, conversation):
    page = owner_client.get(url("conversation_settings", conversation)).content.decode()
    assert "<legend>Tools</legend>" in page
    assert 'value="calculator"' in page and 'value="search_conversations"' in page
    data = settings_data(tools=["calculator", "current_time"])
    owner_client.post(url("conversation_settings", conversation), data)
    conversation.refresh_from_db()
    assert conversation.tools == ["calculator", "current_time"]
    owner_client.post(url("conversation_settings", conversation), settings_data())
    conversation.refresh_from_db()
    assert conversation.tools == []


def test_settings_refuse_an_unknown_tool(owner_client, conversation):
    data = settings_data(tools=["calculator", "shell"])
    response = owner_client.post(url("conversation_settings", conversation), data)
    assert response.status_code == 400
    assert "tools" in response.context["form"].errors
    conversation.refresh_from_db()
    assert conversation.tools == []
