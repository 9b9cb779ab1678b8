"""Forms for conversations: validation only, saving is done by services."""

from __future__ import annotations

import uuid

from django import forms

from conversations import uploads
from conversations.models import Conversation, ReasoningEffort
from conversations.services import MESSAGE_MAX_LENGTH, TITLE_MAX_LENGTH

MIN_OUTPUT_TOKENS = 16


class AttachmentIdsField(forms.Field):
    """Distinct upload ids, in order (hidden inputs named `attachments`)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: list[str] | None) -> tuple[uuid.UUID, ...]:
        try:
            ids = tuple(dict.fromkeys(uuid.UUID(item) for item in value or []))
        except ValueError:
            raise forms.ValidationError("An attached file was not found.") from None
        if len(ids) > uploads.MAX_ATTACHMENTS:
            raise forms.ValidationError(
                f"A message can carry at most {uploads.MAX_ATTACHMENTS} files."
            )
        return ids


class MessageForm(forms.Form):
    """The first message of a new conversation: text, files, or both."""

    text = forms.CharField(
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        label="Message",
        widget=forms.Textarea(
            attrs={"id": "message", "rows": 1, "placeholder": "Message", "autofocus": True}
        ),
    )
    attachments = AttachmentIdsField(required=False)

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        if not cleaned.get("text") and not cleaned.get("attachments") and not self.errors:
            self.add_error("text", "Type a message before sending.")
        return cleaned


class RenameForm(forms.Form):
    """A conversation's new title."""

    title = forms.CharField(max_length=TITLE_MAX_LENGTH, strip=True)


class ImportForm(forms.Form):
    """An export file of chatsite, ChatGPT (conversations.json) or Open WebUI."""

    file = forms.FileField(label="Export file")


class ConversationSettingsForm(forms.Form):
    """Generation settings of one conversation.

    The model is a choice when the provider listed its models, free text otherwise.
    """

    instructions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Sent to the model before every message of this conversation.",
    )
    model = forms.CharField(
        required=False,
        max_length=200,
        help_text="Leave empty to use the provider's default model.",
    )
    temperature = forms.FloatField(
        required=False,
        min_value=0,
        max_value=2,
        widget=forms.NumberInput(attrs={"step": "0.1"}),
        help_text="0 to 2; empty means the provider's default.",
    )
    max_output_tokens = forms.IntegerField(
        required=False,
        min_value=MIN_OUTPUT_TOKENS,
        label="Max output tokens",
        help_text=f"At least {MIN_OUTPUT_TOKENS}; empty means the provider's default.",
    )
    reasoning_effort = forms.ChoiceField(choices=ReasoningEffort.choices)

    def __init__(self, *args, model_ids: list[str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if model_ids:
            current = self.initial.get("model") or ""
            ids = sorted({*model_ids, current} - {""})
            self.fields["model"] = forms.ChoiceField(
                required=False,
                choices=[("", "Provider default"), *((mid, mid) for mid in ids)],
            )

    @classmethod
    def initial_for(cls, conversation: Conversation) -> dict[str, object]:
        """The form's initial values taken from a conversation."""
        return {
            "instructions": conversation.instructions,
            "model": conversation.model,
            "temperature": conversation.temperature,
            "max_output_tokens": conversation.max_output_tokens,
            "reasoning_effort": conversation.reasoning_effort,
        }
