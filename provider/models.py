"""Stored responses of the embedded provider: the response, its items and its event log."""

from __future__ import annotations

from django.db import models


class StoredResponse(models.Model):
    """One Response object; `body` is the latest full JSON the API returns for it."""

    id = models.CharField(primary_key=True, max_length=64)
    created_at = models.DateTimeField()
    status = models.CharField(max_length=16)
    body = models.JSONField()
    # Renewed every few seconds by the process running it: a running response whose heartbeat
    # has stopped lost its process, and is failed when next read.
    heartbeat_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"


class PositionedItem(models.Model):
    """An item stored in order: its wire JSON, its id, its position in its parent."""

    position = models.PositiveIntegerField()
    item_id = models.CharField(max_length=64)
    data = models.JSONField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.item_id


class InputItem(PositionedItem):
    """An input item as seen by a response: its own input plus everything chained before it."""

    response = models.ForeignKey(
        StoredResponse, on_delete=models.CASCADE, related_name="input_items"
    )

    class Meta:
        ordering = ["response", "position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "position"], name="input_item_position")
        ]
        indexes = [models.Index(fields=["item_id"])]


class OutputItem(PositionedItem):
    """An output item of a finished response, in output_index order."""

    response = models.ForeignKey(
        StoredResponse, on_delete=models.CASCADE, related_name="output_items"
    )

    class Meta:
        ordering = ["response", "position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "position"], name="output_item_position")
        ]
        indexes = [models.Index(fields=["item_id"])]


class ResponseEvent(models.Model):
    """One streamed event, kept so `GET ?stream=true` can replay the stream."""

    response = models.ForeignKey(StoredResponse, on_delete=models.CASCADE, related_name="events")
    sequence_number = models.PositiveIntegerField()
    data = models.JSONField()

    class Meta:
        ordering = ["response", "sequence_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "sequence_number"], name="event_sequence_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response_id}#{self.sequence_number}"


class Conversation(models.Model):
    """A conversation of the Conversations API: items that responses can continue."""

    id = models.CharField(primary_key=True, max_length=64)
    created_at = models.DateTimeField()
    metadata = models.JSONField(default=dict)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.id

    def to_dict(self) -> dict[str, object]:
        """The wire Conversation object."""
        return {
            "id": self.id,
            "object": "conversation",
            "created_at": int(self.created_at.timestamp()),
            "metadata": self.metadata,
        }


class ConversationItem(PositionedItem):
    """One item of a conversation, in the order it was added."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="items")

    class Meta:
        ordering = ["conversation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "position"], name="conversation_item_position"
            )
        ]
        indexes = [models.Index(fields=["item_id"])]
