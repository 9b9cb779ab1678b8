"""Real-browser fixtures: Debian's chromium driven by Playwright against the live app."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    expect,
    sync_playwright,
)

from tests.live import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}


# Module scope: a running sync Playwright keeps an event loop on this thread, which must be
# gone before the asyncio tests of other modules run.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Each CSP violation of a page's elements or loads. DOMPurify parses markup in an inert document
# under the page's policy, so Chromium also reports the inline handlers it is about to strip:
# those have no element of the page as target, and are not violations of the page.
CSP_WATCH = """document.addEventListener("securitypolicyviolation", (e) => {
  const element = e.target instanceof Element && e.target.isConnected;
  if (e.blockedURI === "inline" && !element) return;
  const html = element ? e.target.outerHTML.slice(0, 200) : "";
  window.__cspViolation(`${e.violatedDirective} ${e.blockedURI} ${html}`);
});"""


def csp_violations_watch(context: BrowserContext) -> list[str]:
    """Collect the CSP violations chromium reports in the context's pages."""
    violations: list[str] = []
    context.expose_function("__cspViolation", lambda text: violations.append(text))
    context.add_init_script(CSP_WATCH)
    return violations


@pytest.fixture
def page(browser: Browser, live_app: LiveServer) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the live app; a CSP violation fails the test."""
    expect.set_options(timeout=15_000)
    context = browser.new_context(base_url=live_app.url, viewport=VIEWPORT)
    violations = csp_violations_watch(context)
    page = context.new_page()
    yield page
    context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


def signup(page: Page) -> str:
    """Sign up a new user (unique name, so tests can share the live app) and land on the app."""
    username = f"user-{uuid.uuid4().hex[:8]}"
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill("e2e-Passphrase-2024")
    page.get_by_label("Password confirmation").fill("e2e-Passphrase-2024")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("button", name="New chat")).to_be_visible()
    return username


@pytest.fixture
def chat_page(page: Page) -> Page:
    """A signed-up user on a new chat (its first message creates the conversation)."""
    signup(page)
    page.get_by_role("button", name="New chat").click()
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()
    return page
