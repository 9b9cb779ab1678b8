"""Forms for conversations: validation only, saving is done by services."""

from __future__ import annotations

import uuid

from django import forms

from conversations import uploads
from conversations.models import Conversation, ReasoningEffort
from conversations.services import MESSAGE_MAX_LENGTH, TITLE_MAX_LENGTH
from conversations.tools.hosted import HOSTED_TOOLS, mcp_tool_name
from conversations.tools.registry import tool_names

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
    tools = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Functions the model may call; chatsite runs them and shows each call in "
        "the turn. Needs a provider with function calling (OpenAI, the embedded one, vLLM).",
    )
    hosted_tools = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tools the provider runs itself. OpenAI has them; the embedded provider, "
        "vLLM, Ollama and LM Studio refuse a request that asks for them. MCP servers are "
        "added by staff in the admin.",
    )
    vector_store_ids = forms.CharField(
        required=False,
        max_length=1000,
        label="Vector store ids",
        help_text="For file_search: the ids of your OpenAI vector stores (vs_…), comma-separated.",
    )

    def __init__(
        self, *args, model_ids: list[str] | None = None, mcp_labels: list[str] = (), **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tools"].choices = [(name, name) for name in tool_names()]
        hosted = [*HOSTED_TOOLS, *(mcp_tool_name(label) for label in mcp_labels)]
        self.fields["hosted_tools"].choices = [(name, name) for name in hosted]
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
            "tools": conversation.tools,
            "hosted_tools": conversation.tools,
            "vector_store_ids": ", ".join(conversation.vector_store_ids),
        }

    def clean_vector_store_ids(self) -> list[str]:
        ids = [part.strip() for part in self.cleaned_data["vector_store_ids"].split(",")]
        return list(dict.fromkeys(filter(None, ids)))

    def clean(self) -> dict[str, object]:
        # One list of tool names is stored: those chatsite runs, then the provider's.
        cleaned = super().clean()
        cleaned["tools"] = [*cleaned.get("tools", []), *cleaned.pop("hosted_tools", [])]
        if "file_search" in cleaned["tools"] and not cleaned.get("vector_store_ids"):
            self.add_error("vector_store_ids", "file_search needs at least one vector store id.")
        return cleaned
