"""The chat websocket against the live app's embedded provider (scripted engine)."""

from __future__ import annotations

import json
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from accounts.models import UserLimits
from chatsite.asgi import application
from conversations.models import Attachment, Conversation, Turn
from responses_client import client
from tests.conversations.streaming.sockets import connect
from tests.polling import eventually

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 30  # seconds before a missing frame counts as a hang, not a timing assertion


@pytest.fixture
def conversation(conversation_factory):
    return conversation_factory(reasoning_effort="low")


async def frames_until(communicator, kind: str) -> list[dict]:
    """Frames up to and including the first of the given type."""
    frames = []
    while not frames or frames[-1]["type"] != kind:
        frames.append(await communicator.receive_json_from(timeout=WAIT))
    return frames


async def send_text(communicator, text: str) -> None:
    await communicator.send_json_to({"type": "message.send", "text": text})


async def stop_after_first(communicator, kind: str) -> list[dict]:
    """Frames until the first delta of that kind, a Stop, then frames until turn.finished."""
    frames = []
    while texts(frames, kind) == "":
        frames.append(await communicator.receive_json_from(timeout=WAIT))
    await communicator.send_json_to({"type": "turn.stop"})
    return frames + await frames_until(communicator, "turn.finished")


def texts(frames: list[dict], kind: str) -> str:
    return "".join(f["delta"] for f in frames if f["type"] == "turn.delta" and f["kind"] == kind)


async def turn_count(conversation) -> int:
    return await Turn.objects.filter(conversation=conversation).acount()


async def assert_forbidden(communicator) -> None:
    assert await communicator.receive_output(timeout=WAIT) == {
        "type": "websocket.close",
        "code": 4403,
    }


async def test_anonymous_closed_4403(conversation):
    await assert_forbidden(await connect(AnonymousUser(), conversation.pk))


async def test_non_owner_closed_4403(conversation, user_factory):
    stranger = await database_sync_to_async(user_factory)()
    await assert_forbidden(await connect(stranger, conversation.pk))


async def test_unknown_conversation_closed_4403(conversation):
    await assert_forbidden(
        await connect(conversation.owner, "00000000-0000-0000-0000-000000000000")
    )


async def test_full_stack_without_session_closed_4403(conversation):
    communicator = WebsocketCommunicator(
        application,
        f"/ws/conversations/{conversation.pk}/",
        headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")],
    )
    connected, _ = await communicator.connect()
    assert connected
    await assert_forbidden(communicator)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("x" * (64 * 1024 + 1), "frame_too_large"),
        ("{not json", "invalid_json"),
        ("[1, 2]", "invalid_json"),
        ("[" * 30_000 + "]" * 30_000, "invalid_json"),
        (json.dumps({"type": "dance"}), "unknown_type"),
        (json.dumps({"text": "no type"}), "unknown_type"),
        (json.dumps({"type": "message.send", "text": "   "}), "empty_message"),
        (json.dumps({"type": "message.send", "text": 5}), "empty_message"),
        (json.dumps({"type": "message.send", "text": "x" * 32001}), "message_too_long"),
        (json.dumps({"type": "message.send", "text": "a\u0000b"}), "invalid_text"),
        ('{"type": "message.send", "text": "\\ud800"}', "invalid_text"),
    ],
)
async def test_bad_frames_rejected_and_socket_still_works(conversation, frame, code):
    communicator = await connect(conversation.owner, conversation.pk)
    await communicator.send_to(text_data=frame)
    error = await communicator.receive_json_from(timeout=WAIT)
    assert error["type"] == "error" and error["code"] == code and error["message"]
    assert await turn_count(conversation) == 0
    await communicator.send_to(text_data='{"type": "turn.stop"}')
    await communicator.send_to(text_data="[]")
    assert (await communicator.receive_json_from(timeout=WAIT))["code"] == "invalid_json"
    await communicator.disconnect()


async def test_full_streamed_turn(provider_settings, conversation):
    communicator = await connect(conversation.owner, conversation.pk)
    await send_text(communicator, "  hello there  ")
    frames = await frames_until(communicator, "turn.finished")
    await communicator.disconnect()
    kinds = [f["type"] for f in frames]
    assert kinds[0] == "turn.created" and frames[0]["turn"]["user_text"] == "hello there"
    assert "turn.response" in kinds and "turn.reasoning_done" in kinds
    assert texts(frames, "reasoning") == "Planning a reply to: hello there"
    assert texts(frames, "text") == "You said: hello there"
    seqs = [f["seq"] for f in frames if f["type"] == "turn.delta"]
    assert seqs == list(range(1, len(seqs) + 1))
    finished = frames[-1]["turn"]
    assert finished["status"] == "completed"
    assert finished["output_text"] == "You said: hello there"
    assert finished["usage"]["output_tokens"] > 0
    assert finished["reasoning_seconds"] is not None
    response_id = next(f["response_id"] for f in frames if f["type"] == "turn.response")
    turn = await Turn.objects.aget(pk=finished["id"])
    assert (turn.status, turn.response_id) == ("completed", response_id)
    assert turn.output_text == "You said: hello there"
    assert turn.reasoning_text == "Planning a reply to: hello there"
    assert turn.output_tokens and turn.finished_at


async def test_two_tabs_receive_the_same_stream(provider_settings, conversation):
    first = await connect(conversation.owner, conversation.pk)
    second = await connect(conversation.owner, conversation.pk)
    await send_text(first, "both tabs")
    frames_first = await frames_until(first, "turn.finished")
    frames_second = await frames_until(second, "turn.finished")
    assert frames_first == frames_second
    await first.disconnect()
    await second.disconnect()


async def test_closing_the_tab_does_not_stop_generation(provider_settings, conversation):
    first = await connect(conversation.owner, conversation.pk)
    second = await connect(conversation.owner, conversation.pk)
    await send_text(first, "[delay=20] keep going")
    await first.receive_json_from(timeout=WAIT)
    await first.disconnect()
    frames = await frames_until(second, "turn.finished")
    assert frames[-1]["turn"]["status"] == "completed"
    await second.disconnect()


async def test_stop_mid_stream_saves_relayed_text(provider_settings, conversation):
    communicator = await connect(conversation.owner, conversation.pk)
    await send_text(communicator, "[delay=100] [tokens=200] long one")
    frames = await stop_after_first(communicator, "text")
    await communicator.disconnect()
    finished = frames[-1]["turn"]
    turn = await Turn.objects.aget(pk=finished["id"])
    assert turn.status == finished["status"] == "cancelled"
    assert turn.output_text == finished["output_text"] == texts(frames, "text")
    assert turn.output_text.startswith("You")
    assert len(turn.output_text.split()) < 200
    # The provider stopped too: closing the upstream stream cancelled its response.
    upstream = await provider_response_when_settled(turn.response_id)
    assert upstream["status"] == "cancelled"
    assert len(upstream["output"][-1]["content"][0]["text"].split()) < 200


async def provider_response_when_settled(response_id: str) -> dict:
    """The provider's stored response once it has left in_progress."""

    async def settled() -> dict | None:
        body = await client.response_retrieve(response_id=response_id)
        return None if body["status"] in ("queued", "in_progress") else body

    return await eventually(settled)


async def test_provider_failure_marks_turn_failed(provider_settings, conversation):
    communicator = await connect(conversation.owner, conversation.pk)
    await send_text(communicator, "[fail] please")
    frames = await frames_until(communicator, "turn.finished")
    await communicator.disconnect()
    finished = frames[-1]["turn"]
    assert finished["status"] == "failed"
    assert finished["error"]
    assert finished["output_text"] == texts(frames, "text") != ""
    turn = await Turn.objects.aget(pk=finished["id"])
    assert (turn.status, turn.output_text) == ("failed", finished["output_text"])


async def test_second_turn_chains_to_the_first(provider_settings, conversation):
    communicator = await connect(conversation.owner, conversation.pk)
    await send_text(communicator, "remember apples")
    first = (await frames_until(communicator, "turn.finished"))[-1]["turn"]
    await send_text(communicator, "[recall]")
    second = (await frames_until(communicator, "turn.finished"))[-1]["turn"]
    await communicator.disconnect()
    assert second["output_text"] == "Earlier you said: remember apples"
    turn = await Turn.objects.aget(pk=second["id"])
    assert turn.previous_response_id == first["response_id"]


async def test_busy_while_generating(provider_settings, conversation):
    communicator = await connect(conversation.owner, conversation.pk)
    await send_text(communicator, "[delay=50] [tokens=100] first")
    await frames_until(communicator, "turn.created")
    await send_text(communicator, "second")
    frames = await frames_until(communicator, "error")
    assert frames[-1]["code"] == "busy"
    await communicator.send_json_to({"type": "turn.stop"})
    await frames_until(communicator, "turn.finished")
    await communicator.disconnect()
    assert await turn_count(conversation) == 1


async def test_sending_to_a_conversation_deleted_meanwhile_is_refused(
    provider_settings, conversation
):
    communicator = await connect(conversation.owner, conversation.pk)
    await Conversation.objects.filter(pk=conversation.pk).adelete()
    await send_text(communicator, "anyone there?")
    frames = await frames_until(communicator, "error")
    await communicator.disconnect()
    assert frames[-1]["code"] == "not_found"
    assert not await Turn.objects.filter(conversation_id=conversation.pk).aexists()


def deltas(frames: list[dict]) -> list[tuple[int, str, str]]:
    return [(f["seq"], f["kind"], f["delta"]) for f in frames if f["type"] == "turn.delta"]


async def test_resume_after_n_gets_the_rest_without_gap_or_duplicate(
    provider_settings, conversation
):
    first = await connect(conversation.owner, conversation.pk)
    await send_text(first, "[delay=40] [tokens=30] resume me")
    seen = []
    while len(deltas(seen)) < 3:
        seen.append(await first.receive_json_from(timeout=WAIT))
    await first.disconnect()  # a reload: the page saw deltas 1..3
    resumed = await connect(conversation.owner, conversation.pk, after=3)
    rest = await frames_until(resumed, "turn.finished")
    await resumed.disconnect()
    got = deltas(seen) + deltas(rest)
    assert [seq for seq, _, _ in got] == list(range(1, len(got) + 1))
    finished = rest[-1]["turn"]
    assert "".join(d for _, kind, d in got if kind == "text") == finished["output_text"]
    assert "".join(d for _, kind, d in got if kind == "reasoning") == finished["reasoning_text"]


async def test_replay_from_zero_mid_stream_matches_the_live_tab(provider_settings, conversation):
    live = await connect(conversation.owner, conversation.pk)
    await send_text(live, "[delay=30] [tokens=30] replay me")
    live_frames = []
    while len(deltas(live_frames)) < 4:
        live_frames.append(await live.receive_json_from(timeout=WAIT))
    late = await connect(conversation.owner, conversation.pk, after=0)
    late_frames = await frames_until(late, "turn.finished")
    live_frames += await frames_until(live, "turn.finished")
    assert deltas(late_frames) == deltas(live_frames)  # same frames, none twice, none missing
    assert [f for f in late_frames if f["type"] == "turn.finished"] == [late_frames[-1]]
    await live.disconnect()
    await late.disconnect()


async def test_replay_after_the_end_gives_the_whole_turn(provider_settings, conversation):
    live = await connect(conversation.owner, conversation.pk)
    await send_text(live, "finished already")
    live_frames = await frames_until(live, "turn.finished")
    await live.disconnect()
    late = await connect(conversation.owner, conversation.pk, after=0)
    late_frames = await frames_until(late, "turn.finished")
    await late.disconnect()
    assert deltas(late_frames) == deltas(live_frames)
    assert late_frames[-1] == live_frames[-1]


async def test_message_from_one_tab_appears_in_the_other(provider_settings, conversation):
    first = await connect(conversation.owner, conversation.pk)
    second = await connect(conversation.owner, conversation.pk)
    await send_text(first, "typed in the first tab")
    created = (await frames_until(second, "turn.created"))[-1]
    assert created["turn"]["user_text"] == "typed in the first tab"
    await frames_until(second, "turn.finished")
    await frames_until(first, "turn.finished")
    await first.disconnect()
    await second.disconnect()


async def test_stop_mid_reasoning(provider_settings, conversation):
    communicator = await connect(conversation.owner, conversation.pk)
    await send_text(communicator, "[delay=150] think first")
    frames = await stop_after_first(communicator, "reasoning")
    await communicator.disconnect()
    turn = await Turn.objects.aget(pk=frames[-1]["turn"]["id"])
    assert (turn.status, turn.output_text) == ("cancelled", "")
    assert turn.reasoning_text == texts(frames, "reasoning") != ""
    upstream = await provider_response_when_settled(turn.response_id)
    assert upstream["status"] == "cancelled"


async def test_stop_from_another_tab(provider_settings, conversation):
    first = await connect(conversation.owner, conversation.pk)
    second = await connect(conversation.owner, conversation.pk)
    await send_text(first, "[delay=100] [tokens=200] stop me elsewhere")
    await frames_until(second, "turn.delta")
    await second.send_json_to({"type": "turn.stop"})
    finished = (await frames_until(first, "turn.finished"))[-1]["turn"]
    assert finished["status"] == "cancelled"
    await first.disconnect()
    await second.disconnect()


async def test_other_conversation_hears_generating_of_the_same_user_only(
    provider_settings, conversation, conversation_factory
):
    other = await database_sync_to_async(conversation_factory)(owner=conversation.owner)
    stranger = await database_sync_to_async(conversation_factory)()
    watching = await connect(conversation.owner, conversation.pk)
    outsider = await connect(stranger.owner, stranger.pk)
    generating = await connect(conversation.owner, other.pk)
    await send_text(generating, "[delay=20] elsewhere")
    await frames_until(generating, "turn.finished")
    started = await watching.receive_json_from(timeout=WAIT)
    ended = await watching.receive_json_from(timeout=WAIT)
    expected = {"type": "conversation.generating", "conversation_id": str(other.pk)}
    assert started == {**expected, "generating": True}
    assert ended == {**expected, "generating": False}
    assert await watching.receive_nothing()
    assert await outsider.receive_nothing()
    for communicator in (watching, outsider, generating):
        await communicator.disconnect()


async def send_with_files(communicator, text: str, ids: list) -> None:
    await communicator.send_json_to(
        {"type": "message.send", "text": text, "attachments": [str(pk) for pk in ids]}
    )


@pytest.mark.parametrize(
    ("attachments", "code"),
    [
        ("not a list", "invalid_attachments"),
        ([1, 2], "invalid_attachments"),
        (["not-a-uuid"], "attachment_not_found"),
        ([str(uuid.uuid4())], "attachment_not_found"),
        ([str(uuid.uuid4()) for _ in range(11)], "too_many_attachments"),
    ],
)
async def test_bad_attachment_lists_are_rejected(conversation, attachments, code):
    communicator = await connect(conversation.owner, conversation.pk)
    await communicator.send_json_to(
        {"type": "message.send", "text": "hi", "attachments": attachments}
    )
    error = await communicator.receive_json_from(timeout=WAIT)
    await communicator.disconnect()
    assert error["type"] == "error" and error["code"] == code and error["message"]
    assert await turn_count(conversation) == 0


async def test_another_users_attachment_is_rejected(conversation, attachment_factory):
    foreign = await database_sync_to_async(attachment_factory)()
    communicator = await connect(conversation.owner, conversation.pk)
    await send_with_files(communicator, "hi", [foreign.pk])
    error = await communicator.receive_json_from(timeout=WAIT)
    await communicator.disconnect()
    assert error["code"] == "attachment_not_found"
    assert await turn_count(conversation) == 0
    assert (await Attachment.objects.aget(pk=foreign.pk)).turn_id is None


async def test_an_attachment_sent_in_another_conversation_is_rejected(
    conversation, conversation_factory, attachment_factory
):
    other = await database_sync_to_async(conversation_factory)(owner=conversation.owner)
    turn = await Turn.objects.acreate(conversation=other, position=0, user_text="x")
    sent = await database_sync_to_async(attachment_factory)(turn=turn)
    communicator = await connect(conversation.owner, conversation.pk)
    await send_with_files(communicator, "hi", [sent.pk])
    error = await communicator.receive_json_from(timeout=WAIT)
    await communicator.disconnect()
    assert error["code"] == "attachment_not_found"


async def test_a_message_of_files_alone_is_sent_and_stored(
    provider_settings, conversation, attachment_factory
):
    image = await database_sync_to_async(attachment_factory)(owner=conversation.owner)
    communicator = await connect(conversation.owner, conversation.pk)
    await send_with_files(communicator, "  ", [image.pk])
    frames = await frames_until(communicator, "turn.finished")
    await communicator.disconnect()
    created = frames[0]["turn"]
    assert created["user_text"] == ""
    assert [a["name"] for a in created["attachments"]] == ["cat.png"]
    assert frames[-1]["turn"]["status"] == "completed"
    # The embedded provider took the input_image part (its small model cannot see it).
    assert "cannot see images" in frames[-1]["turn"]["output_text"]
    image = await Attachment.objects.select_related("turn").aget(pk=image.pk)
    assert image.turn.pk == created["id"]


async def test_a_retry_sends_the_same_files_again(
    provider_settings, conversation, attachment_factory
):
    image = await database_sync_to_async(attachment_factory)(owner=conversation.owner)
    communicator = await connect(conversation.owner, conversation.pk)
    await send_with_files(communicator, "first", [image.pk])
    await frames_until(communicator, "turn.finished")
    await send_with_files(communicator, "again", [image.pk])
    frames = await frames_until(communicator, "turn.finished")
    await communicator.disconnect()
    assert [a["name"] for a in frames[0]["turn"]["attachments"]] == ["cat.png"]
    assert await Attachment.objects.filter(turn__conversation=conversation).acount() == 2


async def test_over_a_limit_the_message_is_refused_and_says_which(
    conversation, conversation_factory
):
    other = await database_sync_to_async(conversation_factory)(owner=conversation.owner)
    await UserLimits.objects.acreate(user=conversation.owner, running_generations=1)
    await Turn.objects.acreate(
        conversation=other, position=0, user_text="running", status="streaming"
    )
    communicator = await connect(conversation.owner, conversation.pk)
    await send_text(communicator, "one more")
    error = await communicator.receive_json_from(timeout=WAIT)
    await communicator.disconnect()
    assert error["code"] == "limit_exceeded" and error["limit"] == "running_generations"
    assert error["resets_at"] is None and "Wait for one to finish" in error["message"]
    assert await turn_count(conversation) == 0


async def test_another_users_limit_leaves_this_user_alone(
    provider_settings, conversation, conversation_factory
):
    limited = await database_sync_to_async(conversation_factory)()
    await UserLimits.objects.acreate(user=limited.owner, messages_per_minute=0)
    communicator = await connect(conversation.owner, conversation.pk)
    await send_text(communicator, "hello")
    frames = await frames_until(communicator, "turn.finished")
    await communicator.disconnect()
    assert frames[-1]["turn"]["status"] == "completed"


# ------------------------------------------------------------------ branches


async def answer(communicator, frame: dict) -> dict:
    """Send a frame that starts a turn; the finished turn."""
    await communicator.send_json_to(frame)
    return (await frames_until(communicator, "turn.finished"))[-1]["turn"]


async def test_edit_answers_from_the_edited_point_and_keeps_the_old_branch(
    provider_settings, conversation
):
    communicator = await connect(conversation.owner, conversation.pk)
    first = await answer(communicator, {"type": "message.send", "text": "apples"})
    old = await answer(communicator, {"type": "message.send", "text": "pears"})
    await communicator.send_json_to({"type": "message.send", "text": "plums", "edit_of": old["id"]})
    frames = await frames_until(communicator, "turn.finished")
    created = frames[0]
    assert created["type"] == "turn.created"
    assert created["turn"]["parent_id"] == first["id"]
    assert created["turn"]["position"] == old["position"]
    assert created["turn"]["versions"] == [old["id"], created["turn"]["id"]]
    recall = await answer(communicator, {"type": "message.send", "text": "[recall]"})
    await communicator.disconnect()
    assert recall["output_text"] == "Earlier you said: apples | plums"
    edited = await Turn.objects.aget(pk=created["turn"]["id"])
    assert edited.previous_response_id == first["response_id"]
    assert await Turn.objects.filter(pk=old["id"], status="completed").aexists()


async def test_regenerate_is_a_new_version_from_the_same_point(provider_settings, conversation):
    communicator = await connect(conversation.owner, conversation.pk)
    first = await answer(communicator, {"type": "message.send", "text": "one"})
    second = await answer(communicator, {"type": "message.send", "text": "two"})
    again = await answer(communicator, {"type": "turn.regenerate", "turn_id": second["id"]})
    await communicator.disconnect()
    assert (again["user_text"], again["parent_id"]) == ("two", first["id"])
    turn = await Turn.objects.aget(pk=again["id"])
    assert turn.previous_response_id == first["response_id"]


async def test_branch_select_reaches_every_tab_and_the_next_message_follows_it(
    provider_settings, conversation
):
    first_tab = await connect(conversation.owner, conversation.pk)
    first = await answer(first_tab, {"type": "message.send", "text": "kiwi"})
    await answer(first_tab, {"type": "message.send", "text": "[recall] old"})
    edited = await answer(
        first_tab, {"type": "message.send", "text": "mango", "parent": first["id"]}
    )
    second_tab = await connect(conversation.owner, conversation.pk)
    old_leaf = await Turn.objects.filter(parent_id=first["id"]).order_by("pk").afirst()
    await first_tab.send_json_to({"type": "branch.select", "turn_id": old_leaf.pk})
    expected = {"type": "branch.selected", "leaf_id": old_leaf.pk}
    assert await first_tab.receive_json_from(timeout=WAIT) == expected
    assert await second_tab.receive_json_from(timeout=WAIT) == expected
    await conversation.arefresh_from_db()
    assert conversation.active_leaf_id == old_leaf.pk
    recall = await answer(second_tab, {"type": "message.send", "text": "[recall]"})
    assert recall["parent_id"] == old_leaf.pk != edited["id"]
    assert recall["output_text"] == "Earlier you said: kiwi | [recall] old"
    for tab in (first_tab, second_tab):
        await tab.disconnect()


async def test_branch_select_while_generating_is_busy(provider_settings, conversation):
    communicator = await connect(conversation.owner, conversation.pk)
    first = await answer(communicator, {"type": "message.send", "text": "first"})
    await send_text(communicator, "[delay=50] [tokens=100] running")
    await frames_until(communicator, "turn.created")
    await communicator.send_json_to({"type": "branch.select", "turn_id": first["id"]})
    assert (await frames_until(communicator, "error"))[-1]["code"] == "busy"
    await communicator.send_json_to({"type": "turn.regenerate", "turn_id": first["id"]})
    assert (await frames_until(communicator, "error"))[-1]["code"] == "busy"
    await communicator.send_json_to({"type": "turn.stop"})
    await frames_until(communicator, "turn.finished")
    await communicator.disconnect()
    assert await turn_count(conversation) == 2


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"type": "message.send", "text": "x", "parent": "1"}, "invalid_turn"),
        ({"type": "message.send", "text": "x", "edit_of": True}, "invalid_turn"),
        ({"type": "message.send", "text": "x", "parent": 1, "edit_of": 1}, "invalid_turn"),
        ({"type": "message.send", "text": "x", "parent": 999_999}, "unknown_turn"),
        ({"type": "message.send", "text": "x", "edit_of": 999_999}, "unknown_turn"),
        ({"type": "message.send", "text": "", "edit_of": 999_999}, "empty_message"),
        ({"type": "turn.regenerate"}, "invalid_turn"),
        ({"type": "turn.regenerate", "turn_id": 999_999}, "unknown_turn"),
        ({"type": "branch.select", "turn_id": -3}, "invalid_turn"),
        ({"type": "branch.select", "turn_id": 999_999}, "unknown_turn"),
    ],
)
async def test_bad_branch_frames_rejected(conversation, frame, code):
    communicator = await connect(conversation.owner, conversation.pk)
    await communicator.send_json_to(frame)
    error = await communicator.receive_json_from(timeout=WAIT)
    await communicator.disconnect()
    assert (error["type"], error["code"]) == ("error", code) and error["message"]
    assert await turn_count(conversation) == 0


async def test_a_turn_of_another_conversation_is_unknown(conversation, conversation_factory):
    other = await database_sync_to_async(conversation_factory)(owner=conversation.owner)
    foreign = await Turn.objects.acreate(conversation=other, position=0, user_text="elsewhere")
    communicator = await connect(conversation.owner, conversation.pk)
    for frame in (
        {"type": "message.send", "text": "x", "edit_of": foreign.pk},
        {"type": "turn.regenerate", "turn_id": foreign.pk},
        {"type": "branch.select", "turn_id": foreign.pk},
    ):
        await communicator.send_json_to(frame)
        assert (await communicator.receive_json_from(timeout=WAIT))["code"] == "unknown_turn"
    await communicator.disconnect()
    assert await turn_count(conversation) == 0
