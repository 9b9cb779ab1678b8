"""Prompt sets from pasted lines, a CSV (a `prompt` column or a template) or JSONL.

Every error names the line it is on, and a file with any error yields no prompts at all.
"""

from __future__ import annotations

import csv
import io
import json
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

MAX_PROMPTS = 10_000
# Settings a JSONL line may set for itself (over the run's configuration), each with its check.
OVERRIDES: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "model": ("a model id", lambda v: isinstance(v, str) and bool(v.strip())),
    "temperature": (
        "a number from 0 to 2",
        lambda v: isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v <= 2,
    ),
    "instructions": ("a string", lambda v: isinstance(v, str)),
    "reasoning_effort": (
        "one of none, minimal, low, medium, high",
        lambda v: v in ("none", "minimal", "low", "medium", "high"),
    ),
    "max_output_tokens": (
        "a positive whole number",
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 10**9,
    ),
}
OVERRIDE_KEYS = frozenset(OVERRIDES)


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
    # strict: an unclosed quote is an error, not the rest of the file read as one prompt.
    reader = csv.DictReader(io.StringIO(text), strict=True)
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
    for line, row in _csv_rows(reader):
        if None in row:
            raise PromptsError(f"line {line}: more values than the header has columns")
        text_value = template.format_map(row) if template else (row["prompt"] or "")
        if not text_value.strip():
            raise PromptsError(f"line {line}: the prompt is empty")
        prompts.append(Prompt(input=text_value))
        _limit(len(prompts))
    return _checked(prompts)


def _csv_rows(reader: csv.DictReader) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each row with its line number; a row csv cannot read is an error naming its line."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            # The row that failed begins on the line after the last one read whole.
            raise PromptsError(f"line {reader.line_num + 1}: {exc}") from exc
        yield reader.line_num, row


def _template_fields(template: str) -> list[str]:
    """The `{name}` fields of a template (a malformed one is an error about the template)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise PromptsError(f"the template is malformed: {exc}") from exc
    fields = [(name, spec, conversion) for _, name, spec, conversion in parsed if name is not None]
    # A format spec such as {text:>999999999} would build the padding: fields are names only.
    if any(not name.isidentifier() or spec or conversion for name, spec, conversion in fields):
        raise PromptsError("the template's fields must be column names, e.g. {text}")
    return [name for name, _, _ in fields]


def prompts_from_jsonl(*, text: str) -> list[Prompt]:
    """One JSON object per line: `input` (string or item list) and optional settings."""
    prompts = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            prompts.append(_jsonl_prompt(line, number))
            _limit(len(prompts))
    return _checked(prompts)


def _jsonl_load(line: str, number: int) -> Any:
    try:
        return json.loads(line, parse_constant=_no_constant)
    except ValueError as exc:
        raise PromptsError(f"line {number}: not valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise PromptsError(f"line {number}: the JSON is nested too deeply") from exc


def _jsonl_prompt(line: str, number: int) -> Prompt:
    data = _jsonl_load(line, number)
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
    if _holds_nul(data):
        raise PromptsError(f"line {number}: the text holds a NUL character (\\u0000)")
    overrides = {key: v for key, v in data.items() if key != "input"}
    wrong = [(key, OVERRIDES[key][0]) for key, v in overrides.items() if not OVERRIDES[key][1](v)]
    if wrong:
        raise PromptsError(f"line {number}: {wrong[0][0]!r} must be {wrong[0][1]}")
    return Prompt(input=value, overrides=overrides)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def prompts_parse(*, text: str, filename: str = "", template: str = "") -> list[Prompt]:
    """Read a prompt set; the format follows the file name (.csv, .jsonl), else lines."""
    # PostgreSQL cannot store NUL in text or JSON: refused here, for every database alike.
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise PromptsError(f"line {line}: the text holds a NUL character")
    name = filename.lower()
    if name.endswith(".csv"):
        return prompts_from_csv(text=text, template=template)
    if name.endswith((".jsonl", ".ndjson")):
        return prompts_from_jsonl(text=text)
    if filename:
        raise PromptsError("the file must be .csv or .jsonl")
    return prompts_from_lines(text=text)


def _holds_nul(value: Any) -> bool:
    """Whether a parsed JSON value has a NUL in any string (walked without recursion)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
    return False


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
