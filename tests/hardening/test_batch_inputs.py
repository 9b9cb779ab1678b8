"""Bad batch input on purpose: malformed prompt files and form fields get a 400 naming the fault
and store nothing; oversized uploads are refused with a readable sentence (on the real server,
where the body-size guard runs), and a file within the form's limit is not cut off by it.

Already covered in tests/batches and not repeated here: the parsers' own cases
(test_parsing.py), every batch URL and the socket with another user's run id (test_views.py, and
the IDOR matrix with a real run of user A), a worker SIGKILLed mid-run (test_workers.py).
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from batches.models import Run
from tests.multiprocess.session import signup

FORM = {"models": "m1", "temperatures": "0.2", "concurrency": "4", "store": "on"}
DEEP = "[" * 100_000 + "]" * 100_000
FILES = {
    "invalid UTF-8": ("p.txt.csv", b"prompt\n\xff\xfe bad\n"),
    "binary (PNG)": ("p.jsonl", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
    "empty file": ("p.csv", b""),
    "header only": ("p.csv", b"prompt\n"),
    "NUL byte in CSV": ("p.csv", b"prompt\nab\x00cd\n"),
    "NUL escape in JSONL": ("p.jsonl", b'{"input": "a\\u0000b"}\n'),
    "CSV field over csv's limit": ("p.csv", b"prompt\n" + b"x" * 200_000 + b"\n"),
    "CSV unclosed quote": ("p.csv", b'prompt\n"never closed\n'),
    "CSV without prompt column": ("p.csv", b"text\nhello\n"),
    "JSONL bad JSON": ("p.jsonl", b'{"input": "ok"}\n{"input": \n'),
    "JSONL deep nesting": ("p.jsonl", b'{"input": ' + DEEP.encode() + b"}\n"),
    "JSONL array line": ("p.jsonl", b"[1, 2]\n"),
    "JSONL input a number": ("p.jsonl", b'{"input": 5}\n'),
    "JSONL huge number override": ("p.jsonl", b'{"input": "a", "temperature": 1e999}\n'),
    "JSONL NaN override": ("p.jsonl", b'{"input": "a", "temperature": NaN}\n'),
    "JSONL wrong-type model": ("p.jsonl", b'{"input": "a", "model": 5}\n'),
    "JSONL wrong-type limit": ("p.jsonl", b'{"input": "a", "max_output_tokens": "many"}\n'),
    "JSONL unknown effort": ("p.jsonl", b'{"input": "a", "reasoning_effort": "max"}\n'),
    "JSONL list instructions": ("p.jsonl", b'{"input": "a", "instructions": ["x"]}\n'),
    "wrong extension": ("p.exe", b"prompt\nhello\n"),
    "10,001 prompts": ("p.csv", b"prompt\n" + b"q\n" * 10_001),
}
TEMPLATES = {
    "format spec (a huge width)": "{prompt:>999999999}",
    "conversion and attribute": "{prompt.__class__}",
    "positional field": "{0}",
    "unbalanced brace": "Summarize: {prompt",
}
FIELDS = {
    "no models": {"models": ""},
    "NUL in models": {"models": "m\x001"},
    "temperature a word": {"temperatures": "warm"},
    "temperature huge": {"temperatures": "1e999"},
    "temperature NaN": {"temperatures": "nan"},
    "concurrency huge": {"concurrency": "9" * 400},
    "concurrency negative": {"concurrency": "-1"},
    "limit zero": {"max_output_tokens": "0"},
    "limit a list": {"max_output_tokens": "[1]"},
    "effort unknown": {"reasoning_efforts": "maximal"},
    "schema not JSON": {"json_schema": "{not json"},
    "schema an array": {"json_schema": "[1]"},
    "schema deep nesting": {"json_schema": DEEP},
    "schema invalid": {"json_schema": json.dumps({"type": 5})},
    "too many configurations": {"models": ",".join(f"m{n}" for n in range(70))},
}


def refused(response) -> bool:
    """A 400 with the form's error shown (role=alert), and nothing stored (a run stored by a
    failing case is removed, so it does not count against the next)."""
    body = response.content.decode(errors="replace")
    stored = Run.objects.exists()
    Run.objects.all().delete()
    return response.status_code == 400 and 'role="alert"' in body and not stored


@pytest.mark.django_db
def test_malformed_prompt_files_name_the_fault_and_store_nothing(user_factory, table):
    client = Client()
    client.force_login(user_factory())
    for name, (filename, content) in FILES.items():
        upload = SimpleUploadedFile(filename, content)
        response = client.post("/batches/", {**FORM, "prompt_file": upload})
        table.record("Malformed: batch prompt files", refused(response), f"{name} -> {response}")
    for name, template in TEMPLATES.items():
        upload = SimpleUploadedFile("p.csv", b"prompt\nhello\n")
        response = client.post("/batches/", {**FORM, "prompt_file": upload, "template": template})
        table.record("Malformed: batch prompt files", refused(response), f"{name} -> {response}")
    row = table.row("Malformed: batch prompt files")
    assert row.passed == row.tried, row.failures


@pytest.mark.django_db
def test_malformed_batch_form_fields_name_the_fault_and_store_nothing(user_factory, table):
    client = Client()
    client.force_login(user_factory())
    for name, fields in FIELDS.items():
        for action in ({}, {"preview": "1"}):
            response = client.post("/batches/", {**FORM, "prompts": "a\nb", **fields, **action})
            what = f"{name}{' (preview)' if action else ''} -> {response}"
            table.record("Malformed: batch form fields", refused(response), what)
    row = table.row("Malformed: batch form fields")
    assert row.passed == row.tried, row.failures


def _preview(http, content: bytes):
    return http.post(
        "/batches/",
        data={**FORM, "preview": "1", "csrfmiddlewaretoken": http.cookies["csrftoken"]},
        files={"prompt_file": ("prompts.csv", content, "text/csv")},
    )


def test_batch_uploads_are_bounded_with_a_readable_refusal(live_app, table):
    http = signup(live_app)
    http.get("/batches/")
    # 5,000 prompts of 600 characters: 3 MB, over the default body limit, within the form's.
    within = b"prompt\n" + b"".join(b"%05d " % n + b"w" * 594 + b"\n" for n in range(5000))
    response = _preview(http, within)
    ok = response.status_code == 200 and "5000 prompts × 1 configurations" in response.text
    table.record("Oversized: batch uploads", ok, f"3 MB file -> {response.status_code}")
    over = b"prompt\n" + b"x" * (settings.BATCH_FILE_MAX_BYTES + 2 * 2**20)
    response = _preview(http, over)
    ok = response.status_code == 413 and "larger than the" in response.text
    table.record("Oversized: batch uploads", ok, f"34 MB file -> {response.status_code}")
    alive = http.get("/batches/").status_code == 200
    row = table.row("Oversized: batch uploads")
    assert alive and row.passed == row.tried, row.failures
