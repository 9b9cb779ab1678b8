"""A new user's first minutes in a real browser: a message box at once, themes, shortcuts."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import signup

pytestmark = pytest.mark.e2e

DARK_BG = "rgb(23, 24, 26)"
LIGHT_BG = "rgb(247, 247, 245)"


def message_box(page: Page):
    return page.get_by_role("textbox", name="Message", exact=True)


def send(page: Page, text: str) -> None:
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    message_box(page).fill(text)
    message_box(page).press("Enter")


def last_answer(page: Page):
    return page.locator(".assistant").last


def background(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_sign_up_lands_on_a_message_box_and_the_first_message_starts_the_chat(page: Page):
    signup(page)
    expect(message_box(page)).to_be_focused()
    nav = page.get_by_role("navigation", name="Conversations")
    expect(nav.get_by_role("link")).to_have_count(0)
    page.keyboard.type("My very first question")
    page.keyboard.press("Enter")
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    expect(last_answer(page).locator(".answer")).to_have_text("You said: My very first question")
    expect(nav.get_by_role("link", name="My very first question")).to_be_visible()
    expect(page.get_by_role("heading", name="My very first question")).to_be_visible()


def test_new_chat_leaves_no_empty_conversation_behind(chat_page: Page):
    page = chat_page
    page.get_by_role("button", name="New chat").click()
    expect(message_box(page)).to_be_focused()
    page.reload()
    nav = page.get_by_role("navigation", name="Conversations")
    expect(nav.get_by_role("link")).to_have_count(0)
    expect(page.get_by_text("You have no conversations yet")).to_be_visible()


def test_an_empty_first_message_sends_nothing(chat_page: Page):
    page = chat_page
    message_box(page).press("Enter")
    page.get_by_role("button", name="Send").click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("navigation", name="Conversations").get_by_role("link")).to_have_count(
        0
    )


def test_the_theme_follows_the_system_until_switched_and_is_remembered(browser, live_app):
    context = browser.new_context(base_url=live_app.url, color_scheme="dark")
    page = context.new_page()
    signup(page)
    expect(page.get_by_label("Theme")).to_have_value("system")
    assert background(page) == DARK_BG
    page.get_by_label("Theme").select_option("light")
    assert background(page) == LIGHT_BG
    page.reload()
    expect(page.get_by_label("Theme")).to_have_value("light")
    assert background(page) == LIGHT_BG
    send(page, "Hello")  # on the chat page, the code colours follow the switch too
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    assert background(page) == LIGHT_BG
    expect(page.locator('link[data-scheme="dark"]')).to_have_attribute("media", "not all")
    expect(page.locator('link[data-scheme="light"]')).to_have_attribute("media", "all")
    page.get_by_label("Theme").select_option("system")
    assert background(page) == DARK_BG
    context.close()


def test_escape_stops_a_reply(chat_page: Page):
    page = chat_page
    send(page, "Write at length [delay=300] [tokens=200]")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-status", "streaming")
    page.keyboard.press("Escape")
    expect(answer).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_role("button", name="Send")).to_be_enabled()


def test_shortcuts_are_listed_under_question_mark_and_work(chat_page: Page):
    page = chat_page
    send(page, "Hello")
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    page.locator("#turns").click()  # out of the message box, where ? is just a character
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    for action in ("New chat", "Search conversations", "Stop the reply being written"):
        expect(dialog.get_by_text(action)).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    page.keyboard.press("Control+k")
    expect(page.get_by_role("searchbox", name="Search conversations")).to_be_focused()
    page.keyboard.press("Control+Shift+O")
    expect(page).to_have_url("/")
    expect(message_box(page)).to_be_focused()


def test_jump_to_latest_while_a_reply_runs_below(chat_page: Page):
    page = chat_page
    page.set_viewport_size({"width": 900, "height": 420})
    send(page, "Long, please [delay=40] [tokens=400]")
    jump = page.get_by_role("button", name="Jump to latest")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-status", "streaming")
    expect(jump).to_be_hidden()
    turns = page.locator("#turns")
    # Polled from here: wait_for_function evals its predicate, which the page's CSP refuses.
    while turns.evaluate("t => t.scrollHeight") <= 900:
        page.wait_for_timeout(50)
    turns.evaluate("turns => { turns.scrollTop = 0; }")
    expect(jump).to_be_visible()
    jump.click()
    expect(jump).to_be_hidden()
    at_bottom = "t => t.scrollHeight - t.scrollTop - t.clientHeight < 80"
    assert page.locator("#turns").evaluate(at_bottom)
    page.keyboard.press("Escape")
    expect(answer).to_have_attribute("data-status", "cancelled")


def test_copy_answer_copies_the_whole_answer(chat_page: Page):
    page = chat_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    send(page, "Two parts:\n\n```\nx = 1\n```")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-status", "completed")
    answer.get_by_role("button", name="Copy answer").click()
    expect(answer.get_by_role("button", name="Copied")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("You said: Two parts:") and "x = 1" in copied
