"""Search, Export and Import in a real browser."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

FILLER = "Some filler so that every turn takes room on the screen. " * 12


def send_and_wait(page: Page, text: str) -> None:
    """Send a message and wait for its own answer to complete."""
    turns = page.locator(".turn")
    count = turns.count()
    expect(page.get_by_role("button", name="Send")).to_be_enabled()
    box = page.get_by_role("textbox", name="Message")
    box.fill(text)
    box.press("Enter")
    expect(turns).to_have_count(count + 1)
    expect(turns.last.locator(".assistant")).to_have_attribute("data-status", "completed")


def download(page: Page, choice: str) -> Path:
    page.get_by_text("Export", exact=True).click()
    with page.expect_download() as info:
        page.get_by_role("link", name=choice).click()
    return Path(info.value.path())


def test_search_lands_on_the_turn_then_export_and_import(chat_page: Page, tmp_path: Path):
    page = chat_page
    for n in range(5):
        word = "zanzibar" if n == 1 else f"turn{n}"
        send_and_wait(page, f"{word} {FILLER}")
    conversation_url = page.url

    search_box = page.get_by_role("searchbox", name="Search conversations")
    search_box.fill("zanzibar")
    search_box.press("Enter")
    hit = page.get_by_role("link").filter(has=page.locator("mark", has_text="zanzibar"))
    expect(hit).to_have_count(1)
    hit.click()
    expect(page).to_have_url(re.compile(r"#turn-1$"))
    target = page.locator("#turn-1")
    expect(target).to_contain_text("You said: zanzibar")
    expect(target).to_be_in_viewport()
    expect(page.locator("#turn-4")).to_be_attached()
    expect(page.locator("#turn-4")).not_to_be_in_viewport()

    markdown = download(page, "Markdown").read_text()
    assert markdown.startswith("# turn0 Some filler")
    assert "You said: zanzibar" in markdown and "<summary>Thinking</summary>" in markdown

    exported = tmp_path / "conversation.json"
    exported.write_bytes(download(page, "JSON").read_bytes())
    assert len(json.loads(exported.read_text())["turns"]) == 5

    page.get_by_role("link", name="Import").click()
    page.get_by_label("Export file").set_input_files(exported)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("Imported 1 conversation(s).")).to_be_visible()
    assert page.url != conversation_url
    expect(page.locator(".turn")).to_have_count(5)
    expect(page.locator("#turn-1")).to_contain_text("You said: zanzibar")
    # Its next turn goes out with the imported history as input, and is answered.
    send_and_wait(page, "one more")
    expect(page.locator(".turn")).to_have_count(6)


def test_a_hit_on_another_branch_opens_that_branch_at_its_turn(chat_page: Page):
    page = chat_page
    for text in ("first", "durian", "after"):
        send_and_wait(page, f"{text} {FILLER}")
    second = page.locator("#turn-1")
    second.get_by_role("button", name="Edit").click()
    second.get_by_role("textbox", name="Edited text").fill("plums instead")
    second.get_by_role("button", name="Save").click()
    expect(page.locator(".turn")).to_have_count(2)
    expect(page.locator("#turn-1 .assistant")).to_have_attribute("data-status", "completed")

    search_box = page.get_by_role("searchbox", name="Search conversations")
    search_box.fill("durian")
    search_box.press("Enter")
    hit = page.get_by_role("link").filter(has=page.locator("mark", has_text="durian"))
    expect(hit).to_have_count(1)
    hit.click()
    expect(page).to_have_url(re.compile(r"\?turn=\d+#turn-1$"))
    target = page.locator("#turn-1")
    expect(target).to_contain_text("You said: durian")
    expect(target.get_by_text("1 / 2")).to_be_visible()
    expect(target).to_be_in_viewport()
    expect(page.locator(".turn")).to_have_count(3)
    page.reload()  # the hit's branch is the one on screen now
    expect(page.locator("#turn-2")).to_contain_text("after")
