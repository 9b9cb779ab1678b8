"""The new-run form: prompts (pasted, CSV or JSONL), the sweep, schema and delivery options."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from django import forms
from django.conf import settings

from batches import configs as sweep
from batches.parsing import PromptsError, prompts_parse

MAX_CONFIGS = 64


class RunForm(forms.Form):
    """Validates everything before anything is stored: a bad line means no run at all."""

    name = forms.CharField(label="Name", max_length=200, required=False)
    prompts = forms.CharField(
        label="Prompts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One prompt per line, or upload a file below.",
    )
    prompt_file = forms.FileField(
        label="Prompt file",
        required=False,
        help_text="CSV with a 'prompt' column (or a template below), or JSONL with an 'input'.",
    )
    template = forms.CharField(
        label="CSV template", required=False, help_text="e.g. Summarize: {text}"
    )
    models = forms.CharField(label="Models", help_text="Comma-separated model ids.")
    temperatures = forms.CharField(
        label="Temperatures", required=False, help_text="Comma-separated, e.g. 0.2, 0.9."
    )
    instructions = forms.CharField(
        label="Instructions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Variants separated by a line holding only ---.",
    )
    reasoning_efforts = forms.CharField(
        label="Reasoning effort", required=False, help_text="Comma-separated: low, medium, high."
    )
    max_output_tokens = forms.CharField(
        label="Max output tokens", required=False, help_text="Comma-separated limits."
    )
    json_schema = forms.CharField(
        label="JSON schema",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: answers are parsed and validated against it (strict).",
    )
    concurrency = forms.IntegerField(
        label="Concurrency",
        min_value=1,
        max_value=64,
        initial=4,
        help_text="Requests in flight at once, per worker.",
    )
    store = forms.BooleanField(
        label="Store responses at the provider", required=False, initial=True
    )
    reuse = forms.BooleanField(label="Reuse identical results", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["models"].initial = settings.OPENAI_MODEL

    def clean_json_schema(self) -> dict[str, Any] | None:
        text = self.cleaned_data["json_schema"].strip()
        if not text:
            return None
        try:
            schema = json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(f"Not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise forms.ValidationError("The JSON is nested too deeply.") from exc
        if not isinstance(schema, dict):
            raise forms.ValidationError("A JSON schema is an object.")
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as exc:
            raise forms.ValidationError(f"Not a valid JSON schema: {exc.message}.") from exc
        return schema

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self._clean_prompts(data)
        self._clean_configs(data)
        return data

    def _clean_prompts(self, data: dict[str, Any]) -> None:
        upload = data.get("prompt_file")
        try:
            if upload:
                if upload.size > settings.BATCH_FILE_MAX_BYTES:
                    raise PromptsError(
                        f"the file is larger than {settings.BATCH_FILE_MAX_BYTES // 2**20} MiB"
                    )
                text = upload.read().decode("utf-8-sig")
                data["prompt_set"] = prompts_parse(
                    text=text, filename=upload.name, template=data.get("template", "")
                )
            else:
                data["prompt_set"] = prompts_parse(text=data.get("prompts", ""))
        except UnicodeDecodeError:
            self.add_error("prompt_file", "The file is not UTF-8 text.")
        except PromptsError as exc:
            self.add_error("prompt_file" if upload else "prompts", f"Prompts: {exc}.")

    def _clean_configs(self, data: dict[str, Any]) -> None:
        parsers = {
            "models": sweep.models_parse,
            "temperatures": sweep.temperatures_parse,
            "instructions": sweep.instructions_parse,
            "reasoning_efforts": sweep.efforts_parse,
            "max_output_tokens": sweep.limits_parse,
        }
        lists = {}
        for name, parse in parsers.items():
            try:
                lists[name] = parse(text=data.get(name) or "")
            except sweep.ConfigError as exc:
                self.add_error(name, str(exc).capitalize() + ".")
        if len(lists) < len(parsers):
            return
        data["configs"] = sweep.config_product(
            models=lists["models"],
            temperatures=lists["temperatures"],
            instructions=lists["instructions"],
            efforts=lists["reasoning_efforts"],
            limits=lists["max_output_tokens"],
        )
        if len(data["configs"]) > MAX_CONFIGS:
            self.add_error(None, f"{len(data['configs'])} configurations: at most {MAX_CONFIGS}.")
