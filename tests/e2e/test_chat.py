"""The chat in a real browser: streaming, history, rename, delete, stop, tabs, safe Markdown."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.live import LiveServer

pytestmark = pytest.mark.e2e

CODE_MESSAGE = (
    "Thanks! And in **Markdown**:\n\n```python\nfor n in range(3):\n    print(n)\n```\n\n[delay=20]"
)


def send(page: Page, text: str) -> None:
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")


def last_answer(page: Page):
    return page.locator(".assistant").last


def provider_status(live_app: LiveServer, response_id: str) -> int:
    """The HTTP status of GET /v1/responses/{id} at the live app's embedded provider."""
    headers = {"Authorization": f"Bearer {live_app.api_key}"}
    return httpx.get(f"{live_app.v1}/responses/{response_id}", headers=headers).status_code


def test_chat_streams_persists_renames_and_deletes(chat_page: Page, live_app: LiveServer):
    page = chat_page
    send(page, "Hello there")  # the first message opens the conversation page
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    send(page, "Hello there [delay=60]")
    answer = last_answer(page)
    summary = answer.locator("details > summary")
    expect(summary).to_have_text(re.compile(r"^Thinking"))
    expect(page.get_by_role("button", name="Stop")).to_be_visible()
    expect(summary).to_have_text(re.compile(r"^Thought for"))
    expect(answer).to_have_attribute("data-status", "completed")
    expect(answer).to_have_attribute("data-response-id", re.compile(r"^resp_"))
    expect(answer.locator(".answer")).to_contain_text("You said: Hello there")
    expect(page.get_by_role("button", name="Stop")).to_be_hidden()
    expect(answer.locator(".turn-meta")).to_contain_text("output")
    response_id = answer.get_attribute("data-response-id")
    assert provider_status(live_app, response_id) == 200

    page.reload()
    expect(page.locator(".user-message").first).to_contain_text("Hello there")
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    expect(last_answer(page).locator(".answer")).to_contain_text("You said: Hello there")
    nav = page.get_by_role("navigation", name="Conversations")
    expect(nav.get_by_role("link", name="Hello there")).to_be_visible()

    page.get_by_role("button", name="Rename").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Title").fill("Greetings")
    dialog.get_by_role("button", name="Save").click()
    expect(nav.get_by_role("link", name="Greetings")).to_be_visible()

    page.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("You have no conversations yet")).to_be_visible()
    expect(nav.get_by_role("link", name="Greetings")).to_have_count(0)
    # The deletion reaches the provider through the outbox, in the background.
    deadline = time.monotonic() + 30
    while provider_status(live_app, response_id) != 404:
        assert time.monotonic() < deadline, "the provider still has the deleted response"
        time.sleep(0.1)


def answered_in_two_tabs(page: Page, text: str) -> Page:
    """Send text and wait for its answer, then open the conversation in a second tab."""
    send(page, text)
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.get_by_role("textbox", name="Message")).to_be_enabled()
    other.wait_for_timeout(300)  # let the second tab's socket join the group
    return other


def test_a_rename_reaches_the_other_tab(chat_page: Page):
    page = chat_page
    other = answered_in_two_tabs(page, "Name me")

    page.get_by_role("button", name="Rename").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Title").fill("Renamed elsewhere")
    dialog.get_by_role("button", name="Save").click()

    expect(other.get_by_role("heading", name="Renamed elsewhere")).to_be_visible()
    expect(other).to_have_title("Renamed elsewhere · chatsite")


def test_a_tab_on_a_conversation_deleted_elsewhere_says_so(chat_page: Page):
    page = chat_page
    other = answered_in_two_tabs(page, "Soon gone")

    page.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()

    expect(other.get_by_text("This conversation has been deleted.")).to_be_visible()
    expect(other.get_by_role("textbox", name="Message")).to_be_disabled()
    expect(other.get_by_role("button", name="Send")).to_be_disabled()
    expect(other.get_by_role("button", name="Rename")).to_have_count(0)
    nav = other.get_by_role("navigation", name="Conversations")
    expect(nav.get_by_role("link", name="Soon gone")).to_have_count(0)


def test_model_output_cannot_run_script(chat_page: Page):
    page = chat_page
    page.on("dialog", lambda dialog: dialog.dismiss())
    send(page, 'Look <img src=x onerror="window.pwned=1"> <script>window.pwned=2</script> **bold**')
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-status", "completed")
    expect(answer.locator(".answer strong")).to_have_text("bold")
    assert page.evaluate("window.pwned") is None
    assert answer.locator("script, [onerror]").count() == 0
    page.reload()
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    assert page.evaluate("window.pwned") is None


def test_stop_cancels_a_running_answer(chat_page: Page):
    page = chat_page
    send(page, "Please write something long [delay=300]")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-status", "streaming")
    page.get_by_role("button", name="Stop").focus()
    page.keyboard.press("Enter")
    expect(answer).to_have_attribute("data-status", "cancelled")
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    expect(page.get_by_role("textbox", name="Message")).to_be_focused()  # not lost to <body>
    expect(page.locator("#chat-status")).to_have_text("Answer stopped.")


@pytest.mark.parametrize(
    ("text", "announced"),
    [
        ("Hi", "Answer complete."),
        ("Break, please [fail]", "The answer failed. The model failed to generate a response."),
    ],
)
def test_an_ended_answer_is_announced_politely(chat_page: Page, text, announced):
    page = chat_page
    send(page, "Hello")  # the first message opens the conversation page
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    status = page.locator("#chat-status")
    send(page, text + " [delay=50]")
    expect(last_answer(page)).to_have_attribute("data-status", "streaming")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_text("")  # the streamed tokens are not read out
    expect(status).to_have_text(announced)
    assert page.locator("[aria-live], [role=status], [role=alert]").evaluate_all(
        "regions => regions.every(region => !region.closest('#turns'))"
    )


def test_other_tab_sees_the_message(chat_page: Page):
    page = chat_page
    other = answered_in_two_tabs(page, "First, in one tab")
    send(page, "Shared between tabs")
    expect(other.locator(".user-message").nth(1)).to_contain_text("Shared between tabs")
    expect(last_answer(other)).to_have_attribute("data-status", "completed")


def test_sidebar_marks_a_conversation_generating_elsewhere(chat_page: Page):
    page = chat_page
    send(page, "Alpha")
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    first_url = page.url
    page.get_by_role("button", name="New chat").click()
    send(page, "Beta")  # a new chat's first message creates the conversation
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    second_id = page.url.rstrip("/").rsplit("/", 1)[-1]
    other = page.context.new_page()
    other.goto(first_url)
    expect(other.get_by_role("textbox", name="Message")).to_be_visible()
    other.wait_for_timeout(300)  # let the second tab's socket join the user's group
    nav = other.get_by_role("navigation", name="Conversations")
    busy = nav.locator(f'a[data-conversation-id="{second_id}"]')
    send(page, "Beta again [delay=150]")
    expect(busy).to_have_attribute("data-generating", "true")
    expect(busy.locator(".generating-mark")).to_be_visible()
    expect(nav.get_by_role("link", name=re.compile(r"^Beta.*generating"))).to_be_visible()
    expect(nav.get_by_role("link", name="Alpha")).not_to_have_attribute("data-generating", "true")
    other.reload()  # rendered by the server as well
    expect(busy).to_have_attribute("data-generating", "true")
    expect(busy).to_have_accessible_name(re.compile(r"^Beta.*generating"))
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    expect(nav.locator("a[data-generating]")).to_have_count(0)
    expect(busy).to_have_accessible_name("Beta")
    expect(busy.locator(".generating-mark")).to_be_hidden()


def test_markdown_code_block_is_highlighted_with_copy(chat_page: Page, tmp_path: Path):
    page = chat_page
    send(page, "Show me a Python loop, please")
    expect(page.locator(".assistant").first).to_have_attribute("data-status", "completed")
    send(page, CODE_MESSAGE)
    second = page.locator(".assistant").nth(1)
    expect(second).to_have_attribute("data-status", "completed")
    expect(second.locator("pre code.hljs")).to_contain_text("print(n)")
    expect(second.get_by_role("button", name="Copy", exact=True)).to_be_visible()
    page.locator("#turns").evaluate("turns => { turns.scrollTop = turns.scrollHeight; }")
    # Kept with the test's temporary files for a person to look at when it fails.
    page.screenshot(path=str(tmp_path / "chat.png"))


def test_page_loads_nothing_from_elsewhere(chat_page: Page, live_app):
    page = chat_page
    send(page, "Hello")
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.reload()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    assert urls, "no requests recorded"
    assert all(url.startswith((live_app.url, live_app.url.replace("http", "ws"))) for url in urls)
    assert any("/static/vendor/marked" in url for url in urls)


def test_incomplete_answer_says_why_in_one_sentence(chat_page: Page):
    page = chat_page
    send(page, "Hello")
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Max output tokens").fill("16")
    page.get_by_role("button", name="Save").click()
    send(page, "Go on and on [tokens=40]")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-status", "incomplete")
    expect(answer.locator(".turn-error")).to_have_text(
        "The answer is incomplete: it reached the output limit."
    )


def test_only_the_last_failed_answer_offers_a_styled_retry(chat_page: Page):
    page = chat_page
    send(page, "Break, please [fail]")
    expect(last_answer(page)).to_have_attribute("data-status", "failed")
    retry = page.get_by_role("button", name="Retry")
    expect(retry).to_have_class(re.compile(r"\bbtn\b"))
    expect(retry).to_have_css("border-radius", "8px")
    retry.click()
    # A retry is a new version of the failed turn, shown in its place.
    expect(page.get_by_text("2 / 2")).to_be_visible()
    expect(page.locator(".assistant")).to_have_count(1)
    expect(last_answer(page)).to_have_attribute("data-status", "failed")
    send(page, "Break again [fail]")
    expect(page.locator(".assistant")).to_have_count(2)
    expect(last_answer(page)).to_have_attribute("data-status", "failed")
    expect(page.get_by_role("button", name="Retry")).to_have_count(1)
    expect(last_answer(page).get_by_role("button", name="Retry")).to_be_visible()
    page.reload()
    expect(last_answer(page)).to_have_attribute("data-status", "failed")
    expect(page.get_by_role("button", name="Retry")).to_have_count(1)


def test_a_message_too_long_for_the_model_offers_no_retry(chat_page: Page):
    page = chat_page
    send(page, "a " * 9000)  # more words than the scripted engine's 8192-token window
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-status", "failed")
    expect(answer.locator(".turn-error")).to_contain_text("context window")
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
    page.reload()
    expect(last_answer(page)).to_have_attribute("data-status", "failed")
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)


def test_phone_header_shows_the_whole_title(chat_page: Page):
    page = chat_page
    page.set_viewport_size({"width": 390, "height": 844})
    send(page, "A rather long first message that names this conversation")
    title = page.locator(".chat-title")
    expect(title).to_have_text("A rather long first message that names this conversation")
    clipped = title.evaluate("node => node.scrollWidth > node.clientWidth")
    assert not clipped
    assert title.bounding_box()["width"] > 300


def test_copy_button_leaves_the_first_line_of_code_visible(chat_page: Page):
    page = chat_page
    send(
        page,
        "Code:\n\n```\n" + "x = 1  # a first line long enough to reach the corner " * 2 + "\n```",
    )
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-status", "completed")
    line = answer.locator("pre code").evaluate(
        """code => {
          const range = document.createRange();
          range.selectNodeContents(code);
          return range.getClientRects()[0].toJSON();
        }"""
    )
    button = answer.get_by_role("button", name="Copy", exact=True).bounding_box()
    assert button["y"] + button["height"] <= line["y"]


def test_copying_an_answer_leaves_out_the_copy_button(chat_page: Page):
    page = chat_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    send(page, "Code:\n\n```\nx = 1\n```")
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-status", "completed")
    expect(answer.get_by_role("button", name="Copy", exact=True)).to_be_visible()
    answer.locator(".answer").evaluate(
        """answer => {
          const range = document.createRange();
          range.selectNodeContents(answer);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
        }"""
    )
    page.keyboard.press("Control+C")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "x = 1" in copied
    assert "Copy" not in copied


def test_the_message_box_waits_for_the_script_that_sends(chat_page: Page):
    page = chat_page
    send(page, "Hello")
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    held = []
    page.route(re.compile(r"/js/chat(\.\w+)?\.js$"), lambda route: held.append(route))
    page.reload(wait_until="commit")  # "load" would wait for the held script
    box = page.get_by_role("textbox", name="Message")
    expect(box).to_be_visible()
    # Until chat.js runs, Enter could only add a line to the message, never send it.
    expect(box).to_be_disabled()
    expect(page.get_by_role("button", name="Send")).to_be_disabled()
    for _ in range(100):  # the held request reaches its handler while Playwright waits
        if held:
            break
        page.wait_for_timeout(50)
    held[0].continue_()
    expect(box).to_be_enabled()
    expect(box).to_be_focused()
    page.keyboard.type("Sent at once")
    page.keyboard.press("Enter")
    expect(page.locator(".user-message").last).to_contain_text("Sent at once")
    expect(box).to_have_value("")
