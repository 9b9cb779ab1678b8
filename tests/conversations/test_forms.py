"""Form validation: settings bounds, model choices, titles."""

from __future__ import annotations

import pytest

from conversations.forms import ConversationSettingsForm, RenameForm

VALID = {
    "instructions": "",
    "model": "",
    "temperature": "1",
    "max_output_tokens": "16",
    "reasoning_effort": "low",
}


def test_settings_minimums_are_accepted():
    form = ConversationSettingsForm({**VALID, "temperature": "0"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["max_output_tokens"] == 16


def test_empty_output_limit_is_described_as_the_providers_default():
    help_text = ConversationSettingsForm().fields["max_output_tokens"].help_text
    assert help_text.endswith("empty means the provider's default.")


@pytest.mark.parametrize(
    "field,value",
    [
        ("temperature", "2.01"),
        ("temperature", "-0.1"),
        ("temperature", "warm"),
        ("max_output_tokens", "15"),
        ("max_output_tokens", "1.5"),
        ("reasoning_effort", "max"),
    ],
)
def test_settings_rejects_out_of_range(field, value):
    form = ConversationSettingsForm({**VALID, field: value})
    assert not form.is_valid()
    assert list(form.errors) == [field]


def test_settings_model_is_free_text_without_provider_list():
    form = ConversationSettingsForm({**VALID, "model": "my-own-model"})
    assert form.is_valid()
    assert form.cleaned_data["model"] == "my-own-model"


def test_settings_model_is_a_choice_with_provider_list():
    form = ConversationSettingsForm({**VALID, "model": "b"}, model_ids=["a", "b"])
    assert form.is_valid()
    assert not ConversationSettingsForm({**VALID, "model": "c"}, model_ids=["a", "b"]).is_valid()


def test_settings_keeps_current_model_even_if_no_longer_listed():
    form = ConversationSettingsForm(
        {**VALID, "model": "old"}, initial={"model": "old"}, model_ids=["new"]
    )
    assert form.is_valid()


def test_settings_empty_model_means_provider_default():
    form = ConversationSettingsForm(VALID, model_ids=["a"])
    assert form.is_valid()
    assert form.cleaned_data["model"] == ""


def test_rename_strips_and_requires_text():
    assert RenameForm({"title": "  Plans  "}).is_valid()
    assert not RenameForm({"title": "   "}).is_valid()
    assert not RenameForm({"title": "x" * 201}).is_valid()


def test_settings_store_one_list_of_tools_ours_then_the_provider_s():
    data = {**VALID, "tools": ["calculator"], "hosted_tools": ["web_search", "mcp: deepwiki"]}
    form = ConversationSettingsForm(data, mcp_labels=["deepwiki"])
    assert form.is_valid(), form.errors
    assert form.cleaned_data["tools"] == ["calculator", "web_search", "mcp: deepwiki"]
    assert "hosted_tools" not in form.cleaned_data


def test_settings_file_search_needs_a_vector_store():
    form = ConversationSettingsForm({**VALID, "hosted_tools": ["file_search"]})
    assert form.errors["vector_store_ids"] == ["file_search needs at least one vector store id."]
    data = {**VALID, "hosted_tools": ["file_search"], "vector_store_ids": " vs_1, ,vs_2,vs_1"}
    form = ConversationSettingsForm(data)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["vector_store_ids"] == ["vs_1", "vs_2"]


def test_settings_offer_only_enabled_mcp_servers():
    form = ConversationSettingsForm({**VALID, "hosted_tools": ["mcp: gone"]}, mcp_labels=[])
    assert "hosted_tools" in form.errors
