"""Conversations, their turns, the files attached to them, and the outbox of provider deletions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models


class ReasoningEffort(models.TextChoices):
    """Values of the Responses API `reasoning.effort` we offer."""

    NONE = "none", "None"
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Conversation(models.Model):
    """One chat thread of one user, with its per-conversation generation settings."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    title = models.CharField(max_length=200, default="New chat")
    instructions = models.TextField(blank=True, default="")
    model = models.CharField(max_length=200, blank=True, default="")
    temperature = models.FloatField(null=True, blank=True)
    max_output_tokens = models.PositiveIntegerField(null=True, blank=True)
    reasoning_effort = models.CharField(
        max_length=10, choices=ReasoningEffort.choices, default=ReasoningEffort.LOW
    )
    # The last turn of the branch on screen: its ancestors are the path every tab shows, and a
    # message sent without naming a parent continues it. Null: follow the newest versions.
    # The names of the function tools the model may call in this conversation (tools.registry).
    tools = models.JSONField(default=list, blank=True)
    # The vector stores its file_search tool searches (a hosted tool: OpenAI keeps the stores).
    vector_store_ids = models.JSONField(default=list, blank=True)
    active_leaf = models.ForeignKey(
        "Turn", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="conv_owner_updated")]

    def __str__(self) -> str:
        return self.title


class TurnStatus(models.TextChoices):
    """Life cycle of a turn; the last five are terminal."""

    PENDING = "pending", "Pending"
    STREAMING = "streaming", "Streaming"
    COMPLETED = "completed", "Completed"
    INCOMPLETE = "incomplete", "Incomplete"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    INTERRUPTED = "interrupted", "Interrupted"


TERMINAL_TURN_STATUSES = frozenset(
    {
        TurnStatus.COMPLETED,
        TurnStatus.INCOMPLETE,
        TurnStatus.FAILED,
        TurnStatus.CANCELLED,
        TurnStatus.INTERRUPTED,
    }
)


class Turn(models.Model):
    """One user message and the provider response it produced: a node of the conversation's tree.

    Turns with the same parent are versions of one another (an edited message, a regenerated
    answer); `position` is the depth, so `#turn-<position>` names the same place on any branch.
    """

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    # The turn this one follows (None: a first message). RESTRICT: a turn with later turns is
    # deleted through services.turn_delete, which hands them to its parent first.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="children"
    )
    # The conversation's owner, copied here so the search index can be narrowed to one user's
    # turns (see searchindex); services set it, save() for turns created one at a time.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        editable=False,
        db_index=False,
    )
    position = models.PositiveIntegerField()
    user_text = models.TextField()
    response_id = models.CharField(max_length=100, blank=True, default="", db_index=True)
    previous_response_id = models.CharField(max_length=100, blank=True, default="")
    status = models.CharField(max_length=12, choices=TurnStatus.choices, default=TurnStatus.PENDING)
    output_text = models.TextField(blank=True, default="")
    reasoning_text = models.TextField(blank=True, default="")
    model = models.CharField(max_length=200, blank=True, default="")
    input_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    reasoning_tokens = models.PositiveIntegerField(null=True, blank=True)
    cached_tokens = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    # The function calls of the turn's tool rounds, in order: {call_id, name, arguments, output,
    # ok, response_id} (the response that made the call, so deleting the turn finds it).
    tool_calls = models.JSONField(default=list, blank=True)
    # The provider summarised the conversation's earlier turns before answering this one.
    compacted = models.BooleanField(default=False)
    # The sources the answer cites (url_citation annotations): [{url, title}].
    citations = models.JSONField(default=list, blank=True)
    # Whether sending the message again may succeed: a failure of the moment (rate limit, 5xx,
    # lost connection) or an interruption, not a request the provider refuses (too long…).
    retryable = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    reasoning_ended_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Checkpoint of a running turn, written every few seconds by the process running its job:
    # the reaper re-attaches (background responses) or interrupts turns whose heartbeat stops.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=100, blank=True, default="")
    background = models.BooleanField(default=False)
    provider_seq = models.IntegerField(null=True, blank=True)
    stream_seq = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["conversation", "position"]
        indexes = [
            models.Index(fields=["status"], name="turn_status"),
            models.Index(fields=["conversation", "position"], name="turn_conversation_position"),
            # A user's newest turns first: search walks it for words found in most turns.
            models.Index(fields=["owner", "id"], name="turn_owner_id"),
        ]
        # Viewing and deleting use Django's view_turn / delete_turn; cancelling is its own right.
        permissions = [("cancel_turn", "Can cancel a running turn")]

    def __str__(self) -> str:
        # Lists of turns select_related("conversation"): this must not cost a query per row.
        return f"{self.conversation.title} · turn {self.position + 1}"

    def save(self, *args: object, **kwargs: object) -> None:
        """Save, taking the owner from the conversation when it was not given."""
        if self.owner_id is None:
            self.owner_id = self.conversation.owner_id
        super().save(*args, **kwargs)

    @property
    def is_terminal(self) -> bool:
        """Whether the turn has finished for good."""
        return self.status in TERMINAL_TURN_STATUSES

    @property
    def provider_response_ids(self) -> list[str]:
        """Every response of the turn at the provider: its tool rounds' and its last."""
        ids = [str(call.get("response_id") or "") for call in self.tool_calls] + [self.response_id]
        return [response_id for response_id in dict.fromkeys(ids) if response_id]


def attachment_storage() -> Storage:
    """The storage of attached files: STORAGES["attachments"] (under the data dir by default)."""
    return storages["attachments"]


def attachment_upload_path(attachment: Attachment, filename: str) -> str:
    """Where a file is stored: under ids, never the user's file name (kept in a column)."""
    return f"{attachment.owner_id}/{attachment.pk}"


class AttachmentKind(models.TextChoices):
    """What a file is sent to the provider as."""

    IMAGE = "image", "Image"
    TEXT = "text", "Text"
    PDF = "pdf", "PDF"


class Attachment(models.Model):
    """A file a user attached to a message: unsent (no turn yet) until its message is sent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attachments"
    )
    turn = models.ForeignKey(
        Turn, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    # Order within its message.
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=10, choices=AttachmentKind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # A message sent again (Retry) gets rows of its own that share the stored file.
    file = models.FileField(
        storage=attachment_storage, upload_to=attachment_upload_path, max_length=255
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["turn_id", "position"]
        indexes = [models.Index(fields=["owner", "turn"], name="attachment_owner_turn")]

    def __str__(self) -> str:
        return self.name


class McpServer(models.Model):
    """A remote MCP server staff offer to conversations as a hosted tool (OpenAI calls it)."""

    label = models.SlugField(
        max_length=64, unique=True, help_text="How the model and the settings name it."
    )
    server_url = models.URLField(help_text="Its HTTPS endpoint, reachable by the provider.")
    authorization = models.CharField(
        max_length=500, blank=True, help_text="Sent to the server as its OAuth access token."
    )
    allowed_tools = models.JSONField(
        default=list, blank=True, help_text="Tool names the model may call; empty for all."
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["label"]
        verbose_name = "MCP server"

    def __str__(self) -> str:
        return self.label


class ProviderDeletion(models.Model):
    """A stored provider response still to delete (`DELETE /v1/responses/{id}`).

    Rows are written in the same transaction that deletes the conversation, so a
    provider that is down delays the deletion but never loses it.
    """

    response_id = models.CharField(max_length=100, unique=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, default="")
    next_attempt_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["next_attempt_at"]

    def __str__(self) -> str:
        return self.response_id
