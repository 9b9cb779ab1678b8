"""The XSS corpus in real Chromium: every payload in every place, none runs, no CSP report.

Places: model output stored and streamed (Markdown through DOMPurify), the reasoning text, the
user's message, an error text, conversation titles (sidebar, heading, admin lists). Each place
has its own range of canary numbers, so a payload that runs names itself and its place.
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
}
SEED = """
import json
from django.contrib.auth import get_user_model
from accounts.models import UserLimits
from conversations.models import Conversation, Turn
user = get_user_model().objects.create_superuser(username={username!r}, password={password!r})
UserLimits.objects.create(user=user, messages_per_minute=1000)
for title in json.loads({titles!r}):
    Conversation.objects.create(owner=user, title=title[:200])
corpus = Conversation.objects.create(owner=user, title="XSS corpus")
parent = None  # one branch: each turn follows the one before
for n, (out, reasoning, said, error) in enumerate(json.loads({turns!r})):
    parent = Turn.objects.create(conversation=corpus, parent=parent, position=n, user_text=said,
                                 output_text=out, reasoning_text=reasoning, error=error,
                                 status="failed", model="scripted")
print(corpus.pk)
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


def seed(live_app: LiveServer, username: str) -> str:
    turns = list(
        zip(
            texts("model output (stored)"),
            texts("reasoning text"),
            texts("user message"),
            texts("error text"),
            strict=True,
        )
    )
    code = SEED.format(
        username=username,
        password=PASSWORD,
        titles=json.dumps(texts("conversation title")),
        turns=json.dumps(turns),
    )
    manage = [sys.executable, "manage.py", "shell", "-c", code]
    done = subprocess.run(manage, cwd=ROOT, env=live_app.env, check=True, capture_output=True)
    return done.stdout.decode().strip().splitlines()[-1]


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
    corpus = seed(live_app, username)
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    yield page, corpus
    context.close()


@pytest.mark.timeout(600)
def test_no_payload_runs_in_any_place(corpus_page, table):
    page, corpus = corpus_page
    pwned: set[int] = set()
    dangerous: list[str] = []
    reports: dict[str, list[dict]] = {}
    for url in (
        f"/c/{corpus}/",
        "/admin/conversations/conversation/",
        "/admin/conversations/turn/",
    ):
        visit(page, url)
        if url.startswith("/c/"):
            expect(page.locator("article.turn")).to_have_count(len(TEMPLATES))
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
