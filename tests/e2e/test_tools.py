"""Function tools in a real browser: turned on in settings, called, shown live and after reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_chat import last_answer, send

pytestmark = pytest.mark.e2e

# The scripted engine calls the first tool on `[call]`, with `[arg=…]` as its string argument,
# then answers "You said: " + the call's result.
QUESTION = "what is 1234*5678 [call] [arg=1234*5678]"


def test_the_calculator_answers_through_a_tool_call(chat_page: Page):
    page = chat_page
    send(page, "hello")
    expect(last_answer(page)).to_have_attribute("data-status", "completed")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("checkbox", name="calculator").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()

    send(page, QUESTION)
    answer = last_answer(page)
    expect(answer).to_have_attribute("data-status", "completed")
    call = answer.locator("details.tool-call")
    expect(call.locator("summary")).to_have_text("Tool: calculator")
    call.locator("summary").click()
    expect(call.locator(".tool-call-arguments")).to_contain_text('"expression": "1234*5678"')
    expect(call.locator(".tool-call-result")).to_have_text("1234*5678 = 7006652")
    expect(answer.locator(".answer")).to_contain_text("7006652")

    page.reload()
    answer = last_answer(page)
    expect(answer.locator("details.tool-call summary")).to_have_text(
        re.compile(r"^Tool: calculator")
    )
    expect(answer.locator(".tool-call-result")).to_have_text("1234*5678 = 7006652")
    expect(answer.locator(".answer")).to_contain_text("7006652")
