"""Attachments in a real browser: attach an image, send, see it after reload; refused files."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.samples import png_bytes

pytestmark = pytest.mark.e2e


def attach(page: Page, path: Path | list[Path]) -> None:
    page.get_by_label("Attach files").set_input_files(path)


def test_an_attached_image_is_sent_and_stays_in_the_history(chat_page: Page, tmp_path: Path):
    page = chat_page
    image = tmp_path / "red dot.png"
    image.write_bytes(png_bytes())
    expect(page.get_by_role("button", name="Attach")).to_be_enabled()
    attach(page, image)
    tray = page.get_by_role("list", name="Attached files")
    thumbnail = tray.get_by_role("img", name="red dot.png")
    expect(thumbnail).to_be_visible()
    box = page.get_by_role("textbox", name="Message")
    box.fill("What is in this picture?")
    box.press("Enter")
    turns = page.get_by_role("region", name="Messages")
    expect(turns.get_by_role("img", name="red dot.png")).to_be_visible()
    expect(tray).to_be_hidden()
    expect(page.locator(".assistant").last).to_have_attribute("data-status", "completed")

    page.reload()
    sent = page.get_by_role("region", name="Messages").get_by_role("img", name="red dot.png")
    expect(sent).to_be_visible()
    # The thumbnail is the stored file, served to its owner.
    assert page.evaluate("(img) => img.naturalWidth", sent.element_handle()) == 1


def test_refused_files_show_an_error_and_keep_the_text(chat_page: Page, tmp_path: Path):
    page = chat_page
    box = page.get_by_role("textbox", name="Message")
    box.fill("Keep this text")
    fake = tmp_path / "photo.png"
    fake.write_bytes(b"this is not an image")
    attach(page, fake)
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("photo.png is not a PNG, JPEG, WebP or GIF image.")
    big = tmp_path / "huge.png"
    big.write_bytes(png_bytes() + b"\x00" * (10 * 2**20))
    attach(page, big)
    expect(alert).to_contain_text("huge.png is 10 MB; files can be at most 10 MB.")
    expect(page.get_by_role("list", name="Attached files")).to_be_hidden()
    expect(box).to_have_value("Keep this text")
    assert page.locator(".turn").count() == 0


DROP_OR_PASTE = """([kind, name, bytes]) => {
    const data = new DataTransfer();
    data.items.add(new File([new Uint8Array(bytes)], name, { type: "image/png" }));
    const init = { bubbles: true, cancelable: true };
    if (kind === "drop") {
        const event = new DragEvent("drop", { ...init, dataTransfer: data });
        document.querySelector(".composer-wrap").dispatchEvent(event);
    } else {
        const event = new ClipboardEvent("paste", { ...init, clipboardData: data });
        document.getElementById("message").dispatchEvent(event);
    }
}"""


def test_files_can_be_dropped_or_pasted(chat_page: Page):
    page = chat_page
    expect(page.get_by_role("button", name="Attach")).to_be_enabled()
    page.evaluate(DROP_OR_PASTE, ["drop", "dropped.png", list(png_bytes())])
    page.evaluate(DROP_OR_PASTE, ["paste", "pasted.png", list(png_bytes())])
    tray = page.get_by_role("list", name="Attached files")
    expect(tray.get_by_role("img", name="dropped.png")).to_be_visible()
    expect(tray.get_by_role("img", name="pasted.png")).to_be_visible()
    tray.get_by_role("button", name="Remove dropped.png").click()
    expect(tray.get_by_role("img")).to_have_count(1)


def test_at_most_ten_files_per_message(chat_page: Page, tmp_path: Path):
    page = chat_page
    files = []
    for n in range(11):
        files.append(tmp_path / f"note{n}.txt")
        files[-1].write_text(f"note {n}")
    expect(page.get_by_role("button", name="Attach")).to_be_enabled()
    attach(page, files)
    expect(page.get_by_role("alert")).to_have_text("A message can carry at most 10 files.")
    tray = page.get_by_role("list", name="Attached files")
    expect(tray.get_by_role("listitem")).to_have_count(10)


def test_retry_sends_the_files_again(chat_page: Page, tmp_path: Path):
    page = chat_page
    image = tmp_path / "chart.png"
    image.write_bytes(png_bytes())
    expect(page.get_by_role("button", name="Attach")).to_be_enabled()
    attach(page, image)
    expect(page.get_by_role("list", name="Attached files").get_by_role("img")).to_be_visible()
    box = page.get_by_role("textbox", name="Message")
    box.fill("Break, please [fail]")
    box.press("Enter")
    expect(page.locator(".assistant").last).to_have_attribute("data-status", "failed")
    page.get_by_role("button", name="Retry").click()
    # The retry is a new version of the turn, shown in its place, with the same file.
    expect(page.get_by_text("2 / 2")).to_be_visible()
    expect(page.locator(".assistant")).to_have_count(1)
    expect(page.locator(".assistant").last).to_have_attribute("data-status", "failed")
    messages = page.get_by_role("region", name="Messages")
    expect(messages.get_by_role("img", name="chart.png")).to_have_count(1)
    page.reload()
    expect(messages.get_by_role("img", name="chart.png")).to_have_count(1)
    page.get_by_role("button", name="Previous version").click()
    expect(page.get_by_text("1 / 2")).to_be_visible()
    expect(messages.get_by_role("img", name="chart.png")).to_have_count(1)
