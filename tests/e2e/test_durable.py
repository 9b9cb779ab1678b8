"""Durable answers in a real browser: a reload mid-stream resumes exactly; Stop after a resume."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.live import LiveServer

pytestmark = pytest.mark.e2e

TERMINAL = {"completed", "incomplete", "failed", "cancelled", "interrupted"}


def send(page: Page, text: str) -> None:
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")


def provider_response(live_app: LiveServer, response_id: str) -> dict:
    headers = {"Authorization": f"Bearer {live_app.api_key}"}
    return httpx.get(f"{live_app.v1}/responses/{response_id}", headers=headers).json()


def words(text: str) -> list[str]:
    return text.split()


def shown_while_streaming(page: Page) -> list[str]:
    """The last answer's text, sampled every 50 ms until the turn ends."""
    answer = page.locator(".assistant").last
    shown = []
    deadline = time.monotonic() + 60
    while answer.get_attribute("data-status") not in TERMINAL:
        assert time.monotonic() < deadline, "the answer did not finish within 60 s"
        shown.append(answer.locator(".answer").inner_text())
        page.wait_for_timeout(50)
    return shown


def test_reload_mid_stream_finishes_with_the_providers_text(chat_page: Page, live_app):
    page = chat_page
    send(page, "Keep this answer across a reload [delay=40] [tokens=60]")
    answer = page.locator(".assistant").last
    expect(answer.locator(".answer")).to_contain_text("You said")
    page.reload()
    answer = page.locator(".assistant").last
    expect(answer).to_have_attribute("data-status", "completed", timeout=60_000)
    response_id = answer.get_attribute("data-response-id")
    upstream = provider_response(live_app, response_id)
    provider_text = upstream["output"][-1]["content"][0]["text"]
    assert words(answer.locator(".answer").inner_text()) == words(provider_text)
    page.reload()  # and the saved turn says the same
    saved = page.locator(".assistant").last.locator(".answer")
    assert words(saved.inner_text()) == words(provider_text)


def test_reload_mid_stream_replays_the_thinking_and_the_text_seen_so_far(chat_page: Page, live_app):
    page = chat_page
    send(page, "Replay what I saw [delay=100] [tokens=100]")
    answer = page.locator(".assistant").last
    expect(answer.locator(".answer")).to_contain_text("word2")
    reasoning_before = answer.locator(".reasoning-text").text_content()
    text_before = answer.locator(".answer").inner_text()
    page.reload()
    answer = page.locator(".assistant").last
    # Well before the reply ends (~8 s more), the replay shows all that was shown before.
    expect(answer.locator(".answer")).to_contain_text(text_before, timeout=3_000)
    assert answer.get_attribute("data-status") not in TERMINAL
    assert answer.locator(".reasoning-text").text_content() == reasoning_before
    shown = shown_while_streaming(page)
    upstream = provider_response(live_app, answer.get_attribute("data-response-id"))
    final = words(upstream["output"][-1]["content"][0]["text"])
    # No gap and no repeat at any moment of the live tail, nor in the end.
    for text in shown:
        assert final[: len(words(text))] == words(text)
    assert words(answer.locator(".answer").inner_text()) == final


def test_stop_after_a_reload_cancels_the_turn(chat_page: Page, live_app):
    page = chat_page
    send(page, "Stop me after reloading [delay=200] [tokens=300]")
    expect(page.locator(".assistant").last.locator(".answer")).to_contain_text("You")
    page.reload()
    answer = page.locator(".assistant").last
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    page.get_by_role("button", name="Stop").click()
    expect(answer).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    response_id = answer.get_attribute("data-response-id")
    assert provider_response(live_app, response_id)["status"] == "cancelled"
