"""The chat websocket: one socket per open conversation tab.

Protocol (a contract with static/ JS; path `ws/conversations/<uuid>/[?after=<seq>]`):

A socket connecting with `?after=<seq>` first gets, from the stream log, the latest turn's deltas
after seq and its response / reasoning_done / finished frames, then the live tail; a delta it has
already been sent is never sent twice.

A conversation is a tree of turns (versions of a turn share its parent and its position, the
depth); the page shows one branch, the conversation's active path, kept on the server so every tab
and a reload show the same. Each new turn becomes the end of that path.

Client -> server frames (JSON objects, at most 64 KiB; checked in streaming/frames.py):
  {"type": "message.send", "text": str, "attachments"?: [id], "parent"?: int, "edit_of"?: int}
      text is stripped; 1..32000 characters (may be empty with attachments); attachments: at
      most 10 ids from the upload endpoint (the user's, unsent, or already sent in this
      conversation for a message sent again). With neither id, the turn follows the last turn of
      the active path; with "parent" (the last turn the tab shows), it follows that turn; with
      "edit_of", it is a new version of that turn with this text (the edited message), answered
      from the same point (chained to the answer before it).
  {"type": "turn.regenerate", "turn_id": int}   a new version of that turn: the same message
      and files, answered again from the same point
  {"type": "branch.select", "turn_id": int}     show the branch through that turn (a version of a
      turn on screen), continuing down its newest versions
  {"type": "turn.stop"}                   stop the conversation's generating turn (no-op if none)

Server -> client frames:
  {"type": "turn.created", "turn": T}    T has "versions" here; the turns after T.parent_id
      shown until now are no longer on the path
  {"type": "turn.response", "turn_id": int, "response_id": str}
  {"type": "turn.delta", "turn_id": int, "seq": int, "kind": "reasoning"|"text", "delta": str}
      seq counts a turn's delta frames from 1 without gaps; under load, same-kind deltas are joined
  {"type": "turn.reasoning_done", "turn_id": int, "seconds": float}
  {"type": "turn.tool_call", "turn_id": int, "call": C}   a function call chatsite runs started
      (C.ok null) or ended, or a tool the provider ran (C.kind: its item type) ended. C is
      {"call_id", "name", "arguments", "output" (str|null), "ok" (bool|null), "response_id",
      "kind"?, "links"? ([web addresses])}; a replay sends the same call again, to update it
  {"type": "turn.finished", "turn": T}    status completed|incomplete|failed|cancelled|interrupted
  {"type": "turn.resumed", "turn": T, "seq": int}   another process re-attached to the turn: T holds
      its checkpointed text, and its deltas go on from seq + 1 (replacing what came after seq)
  {"type": "branch.selected", "leaf_id": int}   the active path changed (in any tab): it now ends
      at that turn; the page fetches it again (GET c/<id>/turns/)
  {"type": "conversation.generating", "conversation_id": str, "generating": bool}   a turn of
      any of the user's conversations (this one included) started or ended, in any process; the
      page marks that conversation's sidebar link. Sent to every socket of the user through
      services.user_group(); no replay: the page renders the marks as they were when it loaded.
  {"type": "error", "code": str, "message": str}   a rejected frame; nothing was stored and the
      socket stays open. Codes: frame_too_large, invalid_json, unknown_type, empty_message,
      message_too_long, invalid_text (a NUL or a lone surrogate), busy (a turn of this
      conversation is still generating: no new turn and no other branch until it ends),
      not_found (the conversation was deleted since the socket connected), invalid_turn (parent /
      edit_of / turn_id is not a turn id, or both parent and edit_of were given), unknown_turn (no
      such turn in this conversation), invalid_attachments, too_many_attachments,
      attachment_not_found, limit_exceeded (one of the user's limits, accounts.limits; the frame
      adds "limit": running_generations|messages_per_minute|tokens_per_day and "resets_at":
      ISO 8601, or null when it resets as a reply ends).

T is selectors.turn_as_dict: {"id", "parent_id" (int|null: the turn it follows), "position" (its
depth: 0 for a first message; `#turn-<position>` anchors), "user_text", "status", "response_id",
"output_text", "reasoning_text", "reasoning_seconds" (float|null), "usage" ({"input_tokens",
"output_tokens", "reasoning_tokens", "cached_tokens"}|null), "error" (str), "retryable" (bool: the
turn failed or was interrupted in a way sending its message again may fix; the page offers Retry
only then, not for a request the provider refuses, such as one too long for the model),
"attachments" ([selectors.attachment_as_dict], left out of frames that do not carry them),
"tool_calls" ([C], in order), "compacted" (bool: the provider summarised the earlier turns
first), "citations" ([{"url", "title"}]: the sources the answer cites),
"versions" (only in turn.created and in the page's and c/<id>/turns/'s path: the ids of the
turn's versions, oldest first, itself included; other frames leave it out)}.

Anonymous users and non-owners: the socket is accepted, then closed with code 4403 (closing
before accept would reach the browser as a bare 1006). Every tab of the conversation gets the
turn frames through the group services.conversation_group(); generation is owned by the process,
so closing a tab doesn't stop it.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from conversations import selectors, services, streamlog
from conversations.models import Conversation, Turn
from conversations.streaming import frames, generation, reaper

BUSY_MESSAGE = "Wait for the current reply to finish, or stop it, before sending."
UNKNOWN_TURN_MESSAGE = "That message is no longer in this conversation."
CLOSE_FORBIDDEN = 4403


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """Relays a conversation's turns to one tab and takes its messages and stops."""

    conversation: Conversation | None = None
    group: str = ""
    user_group: str = ""

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels hops to the database thread before every message to close stale connections;
        # a relayed frame touches no database, and that hop would queue it behind turn writes.
        if message["type"] == "chat.message":
            await self.chat_message(message)
        else:
            await super().dispatch(message)

    @classmethod
    async def encode_json(cls, content: dict[str, Any]) -> str:
        # Every delta frame is encoded once per socket: orjson takes a tenth of json's time.
        return orjson.dumps(content).decode()

    async def connect(self) -> None:
        # turn id -> the highest delta seq this socket has been sent (filled by a replay).
        self.sent_seq: dict[int, int] = {}
        await self.accept()
        self.conversation = await self._owned_conversation()
        if self.conversation is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        reaper.reaper_ensure()
        self.group = services.conversation_group(conversation_id=self.conversation.pk)
        # Join before reading the log: frames published meanwhile queue up, and seq drops repeats.
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.user_group = services.user_group(user_id=self.conversation.owner_id)
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        after = frames.after_param(self.scope)
        if after is not None:
            await self._replay(after)

    async def disconnect(self, code: int) -> None:
        for group in (self.group, self.user_group):
            if group:
                await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.conversation is None:
            return
        try:
            await self.receive_json(frames.frame_parse(text_data, bytes_data))
        except frames.FrameRejected as rejected:
            await self.send_json(
                {"type": "error", "code": rejected.code, "message": rejected.message}
                | rejected.extra
            )

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        kind = content.get("type")
        if kind == "message.send":
            await self._submit(await self._message_draft(content))
        elif kind == "turn.regenerate":
            await self._submit(await self._regenerate_draft(content.get("turn_id")))
        elif kind == "branch.select":
            await self._branch_select(content.get("turn_id"))
        elif kind == "turn.stop":
            generation.generation_stop_soon(conversation_id=self.conversation.pk)
        else:
            raise frames.FrameRejected("unknown_type", f"Unknown frame type: {str(kind)[:50]!r}.")

    async def chat_message(self, event: dict[str, Any]) -> None:
        """A frame published by services to the conversation's or the user's group."""
        await self._send_frame(event["message"])

    async def _replay(self, after: int) -> None:
        frames = await streamlog.log_read(conversation_id=self.conversation.pk)
        for frame in frames:
            if frame["type"] == "turn.delta":
                self.sent_seq.setdefault(frame["turn_id"], after)
        for frame in streamlog.frames_after(frames=frames, after=after):
            await self._send_frame(frame)

    async def _send_frame(self, frame: dict[str, Any]) -> None:
        if frame["type"] == "turn.resumed":
            self.sent_seq[frame["turn"]["id"]] = frame["seq"]
        elif frame["type"] == "turn.delta":
            if frame["seq"] <= self.sent_seq.get(frame["turn_id"], 0):
                return
            self.sent_seq[frame["turn_id"]] = frame["seq"]
        await self.send_json(frame)

    async def _message_draft(self, content: dict[str, Any]) -> services.TurnDraft:
        attachment_ids = await self._attachments_clean(content.get("attachments"))
        text = frames.text_clean(content.get("text"), required=not attachment_ids)
        parent, edit_of = content.get("parent"), content.get("edit_of")
        if parent is not None and edit_of is not None:
            raise frames.FrameRejected(
                "invalid_turn", "Send a message after a turn or edit one, not both."
            )
        if edit_of is not None:
            return _draft_beside(
                await self._turn(edit_of), text=text, attachment_ids=attachment_ids
            )
        if parent is None:
            return services.TurnDraft(text=text, attachment_ids=attachment_ids)
        parent_turn = await self._turn(parent)
        return services.TurnDraft(
            text=text, parent_id=parent_turn.pk, attachment_ids=attachment_ids
        )

    async def _regenerate_draft(self, turn_id: Any) -> services.TurnDraft:
        """The same message and files again, beside the turn."""
        target = await self._turn(turn_id)
        files = await database_sync_to_async(selectors.turn_attachments)(turn=target)
        ids = tuple(attachment.pk for attachment in files)
        return _draft_beside(target, text=target.user_text, attachment_ids=ids)

    async def _attachments_clean(self, value: Any) -> tuple[uuid.UUID, ...]:
        """The frame's attachment ids, or raise frames.FrameRejected before anything is stored."""
        ids = frames.attachment_ids_clean(value)
        if ids:
            sendable = await database_sync_to_async(selectors.attachments_sendable_count)(
                owner=self.scope["user"], conversation_id=self.conversation.pk, attachment_ids=ids
            )
            if sendable != len(ids):
                raise frames.FrameRejected(
                    "attachment_not_found",
                    "An attached file is no longer available: remove it and attach it again.",
                )
        return ids

    async def _submit(self, draft: services.TurnDraft) -> None:
        exceeded = await database_sync_to_async(selectors.user_limit_exceeded)(
            user_id=self.conversation.owner_id
        )
        if exceeded is not None:
            resets_at = exceeded.resets_at.isoformat() if exceeded.resets_at else None
            raise frames.FrameRejected(
                "limit_exceeded", exceeded.message, limit=exceeded.limit, resets_at=resets_at
            )
        try:
            await generation.generation_submit(conversation=self.conversation, draft=draft)
        except generation.GenerationBusy:
            raise frames.FrameRejected("busy", BUSY_MESSAGE) from None
        except Conversation.DoesNotExist:
            raise frames.FrameRejected("not_found", "This conversation has been deleted.") from None
        except Turn.DoesNotExist:
            raise frames.FrameRejected("unknown_turn", UNKNOWN_TURN_MESSAGE) from None

    async def _turn(self, turn_id: Any) -> Turn:
        """The conversation's turn with the id a frame named, or raise frames.FrameRejected."""
        try:
            return await database_sync_to_async(selectors.turn_get)(
                conversation_id=self.conversation.pk, turn_id=frames.turn_id_clean(turn_id)
            )
        except Turn.DoesNotExist:
            raise frames.FrameRejected("unknown_turn", UNKNOWN_TURN_MESSAGE) from None

    async def _branch_select(self, turn_id: Any) -> None:
        try:
            leaf = await database_sync_to_async(services.conversation_branch_select)(
                conversation=self.conversation, turn_id=frames.turn_id_clean(turn_id)
            )
        except Turn.DoesNotExist:
            raise frames.FrameRejected("unknown_turn", UNKNOWN_TURN_MESSAGE) from None
        except Conversation.DoesNotExist:
            raise frames.FrameRejected("not_found", "This conversation has been deleted.") from None
        if leaf is None:
            raise frames.FrameRejected("busy", BUSY_MESSAGE)
        await services.conversation_publish(
            conversation_id=self.conversation.pk,
            message={"type": "branch.selected", "leaf_id": leaf.pk},
        )

    async def _owned_conversation(self) -> Conversation | None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            return None
        conversation_id: uuid.UUID = self.scope["url_route"]["kwargs"]["conversation_id"]
        try:
            return await database_sync_to_async(selectors.conversation_get)(
                owner=user, conversation_id=conversation_id
            )
        except Conversation.DoesNotExist:
            return None


def _draft_beside(
    turn: Turn, *, text: str, attachment_ids: tuple[uuid.UUID, ...]
) -> services.TurnDraft:
    """A new version of the turn: answered from the same point, with this message."""
    return services.TurnDraft(text=text, parent_id=turn.parent_id, attachment_ids=attachment_ids)
