"""The XSS corpus in real Chromium: every payload in every place, none runs, no CSP report.

Places: model output stored and streamed (Markdown through DOMPurify), the reasoning text, the
user's message, an error text, conversation titles (sidebar, heading, admin lists), attachment
file names (a text file's link, an image's alt), and chats imported through the Import page (their
titles, messages, reasoning and errors). Each place has its own range of canary numbers, so a
payload that runs names itself and its place.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import VIEWPORT
from tests.hardening.xss_payloads import TEMPLATES, payloads
from tests.live import ROOT, LiveServer

pytestmark = pytest.mark.e2e
PASSWORD = "xss-Passphrase-2024"
PLACES = {
    "model output (stored)": 1000,
    "reasoning text": 2000,
    "user message": 3000,
    "error text": 4000,
    "conversation title": 5000,
    "model output (streamed)": 6000,
    "attachment file name": 7000,
    "imported chat (title)": 8000,
    "imported chat (messages)": 9000,
    "batch CSV cell (prompt)": 10000,
    "batch result (output, schema error)": 11000,
}
SEED = """
import csv
import io
import json
from batches.parsing import prompts_parse
from batches.services import run_create
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from accounts.models import UserLimits
from conversations.models import Conversation, Turn
from conversations.services import attachment_create
from tests.samples import png_bytes
user = get_user_model().objects.create_superuser(username={username!r}, password={password!r})
UserLimits.objects.create(user=user, messages_per_minute=1000)
for title in json.loads({titles!r}):
    Conversation.objects.create(owner=user, title=title[:200])
corpus = Conversation.objects.create(owner=user, title="XSS corpus")
parent = None  # one branch: each turn follows the one before
for n, (out, reasoning, said, error, name) in enumerate(json.loads({turns!r})):
    parent = Turn.objects.create(conversation=corpus, parent=parent, position=n, user_text=said,
                                 output_text=out, reasoning_text=reasoning, error=error,
                                 status="failed", model="scripted")
    # Through the upload service, which cleans names as a real upload's are; images and text
    # files in turn (an image shows its name as alt text, a text file as its link).
    image = n % 2 == 1
    upload = SimpleUploadedFile(name + (".png" if image else ".txt"),
                                png_bytes() if image else b"plain text")
    attachment = attachment_create(owner=user, upload=upload)
    attachment.turn = parent
    attachment.save(update_fields=["turn"])
# A batch run whose prompts are the cells of a CSV (read by the batch parser) and whose
# results carry the other payloads, as a model that echoed them would have answered.
buffer = io.StringIO()
writer = csv.writer(buffer)
writer.writerow(["prompt"])
writer.writerows([cell] for cell in json.loads({cells!r}))
config = {{"model": "scripted", "temperature": None, "instructions": "", "reasoning_effort": None,
          "max_output_tokens": None}}
run = run_create(owner=user, name="XSS batch", configs=[config],
                 prompts=prompts_parse(text=buffer.getvalue(), filename="cells.csv"))
for item, out in zip(run.items.order_by("prompt_index"), json.loads({outputs!r}), strict=True):
    item.status, item.output_text, item.schema_valid, item.schema_error = "done", out, False, out
    item.save(update_fields=["status", "output_text", "schema_valid", "schema_error"])
print(corpus.pk, run.pk)
"""
# The canary, and each CSP violation: its directive, and whether it hit an element of the page.
# DOMPurify parses markup in an inert document that shares the page's policy, so Chromium also
# reports the handlers it is about to strip; those have no element of the page as target.
CANARY_AND_CSP_WATCH = """window.__pwned = []; window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push({
  directive: e.violatedDirective, live: e.target instanceof Element && e.target.isConnected,
  element: e.target instanceof Element ? e.target.outerHTML.slice(0, 200) : ""}));"""
# Links, frames and forms that would run script when followed (DOMPurify should drop them).
DANGEROUS_TARGETS = """() => [...document.querySelectorAll(
  'a[href], area[href], [formaction], form[action], iframe[src], object[data], embed[src]')]
  .map((e) => e.getAttribute('href') || e.getAttribute('formaction') || e.getAttribute('action')
       || e.getAttribute('src') || e.getAttribute('data') || '')
  .filter((url) => /^(javascript|data|vbscript):/i.test(url.replace(/[\\s\\x00-\\x1f]/g, '')))"""


def texts(place: str) -> list[str]:
    return [payload for _, payload in payloads(PLACES[place])]


def seed(live_app: LiveServer, username: str) -> list[str]:
    turns = list(
        zip(
            texts("model output (stored)"),
            texts("reasoning text"),
            texts("user message"),
            texts("error text"),
            texts("attachment file name"),
            strict=True,
        )
    )
    code = SEED.format(
        username=username,
        password=PASSWORD,
        titles=json.dumps(texts("conversation title")),
        turns=json.dumps(turns),
        cells=json.dumps(texts("batch CSV cell (prompt)")),
        outputs=json.dumps(texts("batch result (output, schema error)")),
    )
    manage = [sys.executable, "manage.py", "shell", "-c", code]
    done = subprocess.run(manage, cwd=ROOT, env=live_app.env, check=True, capture_output=True)
    return done.stdout.decode().strip().splitlines()[-1].split()


def visit(page: Page, url: str) -> None:
    """Open a page and give handlers a chance: load, focus, hover over everything."""
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.mouse.move(10, 10)
    page.mouse.move(640, 400)
    page.wait_for_timeout(300)


@pytest.fixture
def corpus_page(browser: Browser, live_app: LiveServer):
    expect.set_options(timeout=15_000)
    context = browser.new_context(base_url=live_app.url, viewport=VIEWPORT)
    context.add_init_script(CANARY_AND_CSP_WATCH)
    page = context.new_page()
    username = f"xss-{uuid.uuid4().hex[:8]}"
    corpus, run = seed(live_app, username)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    yield page, corpus, run
    context.close()


@pytest.mark.timeout(600)
def test_no_payload_runs_in_any_place(corpus_page, table):
    page, corpus, run = corpus_page
    pwned: set[int] = set()
    dangerous: list[str] = []
    reports: dict[str, list[dict]] = {}
    imported = imported_chat(page)
    for url in (
        f"/c/{corpus}/",
        imported,
        "/search/?page=1",
        "/search/?page=2",
        "/search/?page=3",
        "/admin/conversations/conversation/",
        "/admin/conversations/conversation/?p=2",
        "/admin/conversations/turn/",
        f"/batches/{run}/",
        f"/batches/{run}/?page=2",
        "/batches/",
        "/admin/batches/item/",
    ):
        visit(page, url)
        if url.startswith("/c/"):
            expect(page.locator("article.turn")).to_have_count(len(TEMPLATES))
        if url == f"/c/{corpus}/":
            expect(page.locator("a.attachment")).to_have_count(len(TEMPLATES))
        if url.startswith(f"/batches/{run}/"):
            expect(page.locator("table.batch-results details.cell-output")).not_to_have_count(0)
        pwned |= set(page.evaluate("window.__pwned"))
        dangerous += page.evaluate(DANGEROUS_TARGETS)
        reports[url] = page.evaluate("window.__csp")
    pwned |= streamed(page)
    dangerous += page.evaluate(DANGEROUS_TARGETS)
    reports["chat (streamed)"] = page.evaluate("window.__csp")
    for place, offset in PLACES.items():
        for number, payload in payloads(offset):
            ran = number in pwned or any(f"push({number})" in url for url in dangerous)
            table.record(f"XSS: {place}", not ran, payload[:80])
    live = {url: [r for r in found if r["live"]] for url, found in reports.items()}
    for url, found in live.items():
        table.record("XSS: pages with no CSP report from an element", not found, f"{url} {found}")
    inert = sum(len(found) for found in reports.values()) - sum(map(len, live.values()))
    table.note(
        f"XSS: {inert} CSP reports came from DOMPurify's inert parsing document (handlers it "
        "then stripped), none from an element of a page"
    )
    failed = [row.failures for row in table.rows.values() if row.case.startswith("XSS: ")]
    assert not pwned and not dangerous and not any(live.values()), (pwned, dangerous, failed)


def imported_chat(page: Page) -> str:
    """Import, through the Import page, one chat holding every message payload and one chat per
    title payload; the path of the first, where the import lands."""
    said = texts("imported chat (messages)")
    turn = {"status": "failed", "model": "scripted"}
    chats = [
        {
            "format": "chatsite.conversation",
            "title": "Imported XSS corpus",
            "settings": {},
            "turns": [
                {**turn, "user_text": t, "output_text": t, "reasoning_text": t, "error": t}
                for t in said
            ],
        },
        *(
            {"format": "chatsite.conversation", "title": title, "settings": {}, "turns": []}
            for title in texts("imported chat (title)")
        ),
    ]
    page.goto("/import/")
    page.locator("input[type=file]").set_input_files(
        files=[
            {
                "name": "export.json",
                "mimeType": "application/json",
                "buffer": json.dumps(chats).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", name="Imported XSS corpus")).to_be_visible()
    return page.evaluate("location.pathname")


def streamed(page: Page) -> set[int]:
    """Send each payload as a message: the scripted model streams it back in word pieces."""
    page.goto("/")
    page.get_by_role("button", name="New chat").click()
    box = page.get_by_role("textbox", name="Message")
    for n, (_, payload) in enumerate(payloads(PLACES["model output (streamed)"])):
        expect(box).to_be_enabled()
        box.fill(payload)
        box.press("Enter")
        expect(page.locator("#turns [data-status=completed]")).to_have_count(n + 1)
    page.mouse.move(10, 10)
    page.mouse.move(640, 400)
    page.wait_for_timeout(300)
    return set(page.evaluate("window.__pwned"))
