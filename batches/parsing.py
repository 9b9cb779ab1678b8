"""Prompt sets from pasted lines, a CSV (a `prompt` column or a template) or JSONL.

Every error names the line it is on, and a file with any error yields no prompts at all.
"""

from __future__ import annotations

import csv
import io
import json
import string
from dataclasses import dataclass, field
from typing import Any

MAX_PROMPTS = 10_000
# Settings a JSONL line may set for itself (over the run's configuration).
OVERRIDE_KEYS = frozenset(
    {"model", "temperature", "instructions", "reasoning_effort", "max_output_tokens"}
)


class PromptsError(ValueError):
    """The prompt set cannot be read; the message names the line."""


@dataclass(frozen=True)
class Prompt:
    """One prompt: the request's `input` (a string or an item list) and its own settings."""

    input: str | list[Any]
    overrides: dict[str, Any] = field(default_factory=dict)


def prompts_from_lines(*, text: str) -> list[Prompt]:
    """One prompt per non-blank line."""
    prompts = [Prompt(input=line.strip()) for line in text.splitlines() if line.strip()]
    return _checked(prompts)


def prompts_from_csv(*, text: str, template: str = "") -> list[Prompt]:
    """Rows of a CSV with a header: the `prompt` column, or `template` filled from the columns."""
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    if not columns:
        raise PromptsError("line 1: the CSV has no header row")
    fields = _template_fields(template) if template else ["prompt"]
    missing = [name for name in fields if name not in columns]
    if missing:
        wanted = "the template uses" if template else "a CSV without a template needs"
        raise PromptsError(
            f"line 1: {wanted} the column {missing[0]!r}, but the header has "
            f"{', '.join(repr(c) for c in columns)}"
        )
    prompts = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise PromptsError(f"line {line}: more values than the header has columns")
        text_value = template.format_map(row) if template else (row["prompt"] or "")
        if not text_value.strip():
            raise PromptsError(f"line {line}: the prompt is empty")
        prompts.append(Prompt(input=text_value))
        _limit(len(prompts))
    return _checked(prompts)


def _template_fields(template: str) -> list[str]:
    """The `{name}` fields of a template (a malformed one is an error about the template)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise PromptsError(f"the template is malformed: {exc}") from exc
    names = [name for _, name, _, _ in parsed if name is not None]
    if any(not name or not name.isidentifier() for name in names):
        raise PromptsError("the template's fields must be column names, e.g. {text}")
    return names


def prompts_from_jsonl(*, text: str) -> list[Prompt]:
    """One JSON object per line: `input` (string or item list) and optional settings."""
    prompts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            prompts.append(_jsonl_prompt(line, number))
            _limit(len(prompts))
    return _checked(prompts)


def _jsonl_prompt(line: str, number: int) -> Prompt:
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise PromptsError(f"line {number}: not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise PromptsError(f"line {number}: expected a JSON object with an 'input'")
    value = data.get("input")
    if not (isinstance(value, str) and value.strip()) and not (isinstance(value, list) and value):
        raise PromptsError(f"line {number}: 'input' must be a non-empty string or item list")
    unknown = sorted(set(data) - OVERRIDE_KEYS - {"input"})
    if unknown:
        raise PromptsError(
            f"line {number}: unknown key {unknown[0]!r} (allowed: input, "
            f"{', '.join(sorted(OVERRIDE_KEYS))})"
        )
    return Prompt(input=value, overrides={k: v for k, v in data.items() if k != "input"})


def prompts_parse(*, text: str, filename: str = "", template: str = "") -> list[Prompt]:
    """Read a prompt set; the format follows the file name (.csv, .jsonl), else lines."""
    name = filename.lower()
    if name.endswith(".csv"):
        return prompts_from_csv(text=text, template=template)
    if name.endswith((".jsonl", ".ndjson")):
        return prompts_from_jsonl(text=text)
    if filename:
        raise PromptsError("the file must be .csv or .jsonl")
    return prompts_from_lines(text=text)


def _limit(count: int) -> None:
    if count > MAX_PROMPTS:
        raise PromptsError(f"more than {MAX_PROMPTS:,} prompts (a run takes at most that many)")


def _checked(prompts: list[Prompt]) -> list[Prompt]:
    _limit(len(prompts))
    if not prompts:
        raise PromptsError("there are no prompts")
    return prompts


def prompt_label(prompt: str | list[Any]) -> str:
    """The prompt as a line of text (an item list shows its text parts)."""
    if isinstance(prompt, str):
        return prompt
    parts = []
    for item in prompt:
        content = item.get("content") if isinstance(item, dict) else None
        if isinstance(content, str):
            parts.append(content)
        elif isinstance(content, list):
            parts += [part.get("text", "") for part in content if isinstance(part, dict)]
    return " ".join(part for part in parts if part) or json.dumps(prompt)[:200]
