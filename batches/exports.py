"""Streamed CSV and JSONL of a run's results (rows are produced as the download is read)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from batches import selectors
from batches.models import Item, Run
from batches.parsing import prompt_label

COLUMNS = [
    "prompt_index",
    "prompt",
    "config_index",
    "config",
    "model",
    "temperature",
    "instructions",
    "reasoning_effort",
    "max_output_tokens",
    "status",
    "output_text",
    "output_json",
    "schema_valid",
    "schema_error",
    "error",
    "input_tokens",
    "cached_tokens",
    "output_tokens",
    "reasoning_tokens",
    "first_token_ms",
    "latency_ms",
    "cost",
    "reused",
    "response_id",
]


def _row(item: Item, columns: list[dict[str, Any]]) -> dict[str, Any]:
    config = {**columns[item.config_index], **item.overrides}
    return {
        "prompt_index": item.prompt_index,
        "prompt": item.prompt,
        "config_index": item.config_index,
        "config": config["label"],
        **{key: config.get(key) for key in COLUMNS[4:9]},
        "status": item.status,
        **{key: getattr(item, key) for key in COLUMNS[10:]},
        "cost": format(item.cost.normalize(), "f") if item.cost is not None else None,
    }


class _Echo:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def results_csv(*, run: Run) -> Iterator[str]:
    """The header, then one CSV line per item."""
    columns = selectors.config_columns(run=run)
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for item in selectors.items_for_export(run=run):
        row = _row(item, columns)
        row["prompt"] = prompt_label(item.prompt)
        row["output_json"] = json.dumps(row["output_json"]) if row["output_json"] else ""
        yield writer.writerow([row[key] for key in COLUMNS])


def results_jsonl(*, run: Run) -> Iterator[str]:
    """One JSON object per item."""
    columns = selectors.config_columns(run=run)
    for item in selectors.items_for_export(run=run):
        yield json.dumps(_row(item, columns), ensure_ascii=False) + "\n"
