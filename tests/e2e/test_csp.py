"""The Content-Security-Policy in chromium: injected inline script is blocked and reported."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import VIEWPORT, csp_violations_watch
from tests.live import LiveServer

pytestmark = pytest.mark.e2e

INJECT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.__pwned = true";
  document.body.append(script);
  const img = document.createElement("img");
  img.setAttribute("onerror", "window.__pwned = true");
  img.src = "/no-such-image";
  document.body.append(img);
}"""


def test_injected_inline_script_is_blocked_and_reported(browser: Browser, live_app: LiveServer):
    context = browser.new_context(base_url=live_app.url, viewport=VIEWPORT)
    violations = csp_violations_watch(context)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.evaluate(INJECT)
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert len(violations) == 2
    context.close()


def test_the_chat_streams_over_its_socket_under_the_policy(chat_page: Page):
    chat_page.get_by_role("textbox", name="Message").fill("hello")
    chat_page.get_by_role("button", name="Send").click()
    expect(chat_page.locator("[data-status=completed]")).to_have_count(1)
