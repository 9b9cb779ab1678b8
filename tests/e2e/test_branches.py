"""Branches in a real browser: edit a message, regenerate an answer, switch versions."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e


def send(page: Page, text: str) -> None:
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    box = page.get_by_role("textbox", name="Message", exact=True)
    box.fill(text)
    box.press("Enter")


def turn(page: Page, n: int):
    return page.locator("article.turn").nth(n)


def answered(page: Page, n: int):
    answer = turn(page, n).locator(".assistant")
    expect(answer).to_have_attribute("data-status", "completed")
    return answer


def test_edit_answers_anew_and_previous_version_brings_the_old_branch_back(chat_page: Page):
    page = chat_page
    send(page, "Apples")
    answered(page, 0)
    send(page, "Pears")
    answered(page, 1)
    send(page, "Grapes")
    answered(page, 2)

    second = turn(page, 1)
    second.get_by_role("button", name="Edit").click()
    editor = second.get_by_role("textbox", name="Edited text")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Pears")
    editor.fill("Plums [recall]")
    second.get_by_role("button", name="Save").click()

    expect(page.locator("article.turn")).to_have_count(2)
    expect(answered(page, 1).locator(".answer")).to_have_text("Earlier you said: Apples")
    expect(turn(page, 1).get_by_text("2 / 2")).to_be_visible()
    expect(turn(page, 1).locator(".user-message")).to_contain_text("Plums [recall]")

    turn(page, 1).get_by_role("button", name="Previous version").click()
    expect(turn(page, 1).get_by_text("1 / 2")).to_be_visible()
    expect(turn(page, 1).locator(".user-message")).to_contain_text("Pears")
    expect(page.locator("article.turn")).to_have_count(3)
    expect(answered(page, 2).locator(".answer")).to_contain_text("Grapes")

    page.reload()  # the server keeps the branch on screen
    expect(page.locator("article.turn")).to_have_count(3)
    expect(turn(page, 1).get_by_text("1 / 2")).to_be_visible()
    turn(page, 1).get_by_role("button", name="Next version").click()
    expect(page.locator("article.turn")).to_have_count(2)
    expect(turn(page, 1).locator(".user-message")).to_contain_text("Plums [recall]")

    send(page, "[recall] and then")  # continues the branch on screen
    expect(answered(page, 2).locator(".answer")).to_have_text(
        "Earlier you said: Apples | Plums [recall]"
    )


def test_regenerate_makes_a_second_version_of_the_answer(chat_page: Page):
    page = chat_page
    send(page, "Tell me something")
    first = answered(page, 0)
    first_id = first.get_attribute("data-response-id")
    first.get_by_role("button", name="Regenerate").click()

    regenerated = turn(page, 0).locator(".assistant")
    expect(regenerated).not_to_have_attribute("data-response-id", first_id)
    expect(regenerated).to_have_attribute("data-status", "completed")
    expect(turn(page, 0).get_by_text("2 / 2")).to_be_visible()
    expect(page.locator("article.turn")).to_have_count(1)

    turn(page, 0).get_by_role("button", name="Previous version").click()
    expect(turn(page, 0).get_by_text("1 / 2")).to_be_visible()
    expect(turn(page, 0).locator(".assistant")).to_have_attribute("data-response-id", first_id)


def test_a_branch_chosen_in_one_tab_shows_in_the_other(chat_page: Page):
    page = chat_page
    send(page, "Hello")
    answered(page, 0).get_by_role("button", name="Regenerate").click()
    expect(turn(page, 0).get_by_text("2 / 2")).to_be_visible()
    expect(answered(page, 0)).to_have_attribute("data-response-id", re.compile("^resp_"))
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.get_by_text("2 / 2")).to_be_visible()
    other.wait_for_timeout(300)  # let the second tab's socket join the group
    page.get_by_role("button", name="Previous version").click()
    expect(other.get_by_text("1 / 2")).to_be_visible()
