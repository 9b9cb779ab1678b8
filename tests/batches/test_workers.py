"""Runs through real db_worker processes against the embedded provider (scripted engine)."""

from __future__ import annotations

import json

import pytest

from tests.batches.workers import db_rows, run_row, run_submit, wait_for
from tests.multiprocess.session import signup

pytestmark = pytest.mark.timeout(240)


def _finished(server, run_id):
    row = run_row(server, run_id)
    return row if row["status"] in ("completed", "cancelled") else None


def _items(server, run_id):
    return db_rows(
        server,
        "SELECT prompt_index, config_index, status, output_text, attempts FROM batches_item "
        "WHERE run_id = ?",
        run_id,
    )


def test_a_run_of_300_items_completes_through_two_workers(batch_app, workers):
    workers.start(2)
    http = signup(batch_app)
    prompts = "\n".join(f"Topic number {n}" for n in range(150))
    run_id = run_submit(
        http,
        prompts=prompts,
        models="smollm2-135m-instruct",
        temperatures="0.2, 0.9",
        concurrency="8",
    )
    row = wait_for(lambda: _finished(batch_app, run_id))
    assert (row["status"], row["total"], row["done"], row["failed"]) == ("completed", 300, 300, 0)
    download = http.get(f"/batches/{_dashed(run_id)}/download.jsonl")
    lines = [json.loads(line) for line in download.text.splitlines()]
    assert len(lines) == 300
    assert {(r["prompt_index"], r["config_index"]) for r in lines} == {
        (p, c) for p in range(150) for c in range(2)
    }
    assert all(r["output_text"] == f"You said: {r['prompt']}" for r in lines)
    assert row["output_tokens"] == sum(r["output_tokens"] for r in lines)


def test_a_worker_killed_mid_run_loses_nothing_and_counts_nothing_twice(batch_app, workers):
    doomed, survivor = workers.start(2)
    http = signup(batch_app)
    prompts = "\n".join(f"Slow topic {n} [delay=15]" for n in range(200))
    run_id = run_submit(http, prompts=prompts, models="smollm2-135m-instruct", concurrency="4")
    wait_for(lambda: run_row(batch_app, run_id)["done"] >= 40)
    workers.kill(doomed)
    killed_at = run_row(batch_app, run_id)["done"]
    row = wait_for(lambda: _finished(batch_app, run_id), timeout=180)
    items = _items(batch_app, run_id)
    assert (row["status"], row["done"], row["failed"]) == ("completed", 200, 0)
    assert len(items) == 200 and all(status == "done" for _, _, status, _, _ in items)
    assert sum(attempts > 1 for *_, attempts in items) > 0, "the kill hit no claimed item"
    assert (
        row["output_tokens"]
        == db_rows(
            batch_app, "SELECT SUM(output_tokens) FROM batches_item WHERE run_id = ?", run_id
        )[0][0]
    )
    assert killed_at < 200


def test_cancel_stops_queued_and_running_items(batch_app, workers):
    workers.start(1)
    http = signup(batch_app)
    prompts = "\n".join(f"Very slow topic {n} [delay=400]" for n in range(40))
    run_id = run_submit(http, prompts=prompts, models="smollm2-135m-instruct", concurrency="4")
    wait_for(lambda: run_row(batch_app, run_id)["done"] >= 4)
    page = http.get(f"/batches/{_dashed(run_id)}/").text
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    http.post(f"/batches/{_dashed(run_id)}/cancel/", data={"csrfmiddlewaretoken": token})
    row = run_row(batch_app, run_id)
    assert row["status"] == "cancelled"
    assert row["done"] + row["failed"] + row["cancelled"] == 40
    assert row["cancelled"] > 20
    # The worker notices within a poll and cancels its background responses upstream.
    wait_for(
        lambda: (
            db_rows(
                batch_app, "SELECT COUNT(*) FROM provider_storedresponse WHERE status = 'cancelled'"
            )[0][0]
            > 0
        ),
        timeout=30,
    )
    settled = run_row(batch_app, run_id)
    assert settled["done"] + settled["failed"] + settled["cancelled"] == 40


def _dashed(hex_id: str) -> str:
    return f"{hex_id[:8]}-{hex_id[8:12]}-{hex_id[12:16]}-{hex_id[16:20]}-{hex_id[20:]}"
