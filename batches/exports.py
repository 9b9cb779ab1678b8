"""Streamed CSV and JSONL of a run's results (rows are produced as the download is read)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from batches import selectors
from batches.configs import CONFIG_KEYS
from batches.models import Item, Run
from batches.outcomes import ANSWER_FIELDS
from batches.parsing import prompt_label

COLUMNS = [
    "prompt_index",
    "prompt",
    "config_index",
    "config",
    *CONFIG_KEYS,
    "status",
    *ANSWER_FIELDS,
    "response_id",
]


def _row(item: Item, columns: list[dict[str, Any]]) -> dict[str, Any]:
    config = {**columns[item.config_index], **item.overrides}
    return {
        "prompt_index": item.prompt_index,
        "prompt": item.prompt,
        "config_index": item.config_index,
        "config": config["label"],
        **{key: config.get(key) for key in CONFIG_KEYS},
        "status": item.status,
        **{key: getattr(item, key) for key in (*ANSWER_FIELDS, "response_id")},
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
