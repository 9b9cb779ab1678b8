"""The audit console in a real browser: inspect a response, page its input items, cancel a reply."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.live import ROOT, LiveServer

pytestmark = pytest.mark.e2e
PASSWORD = "e2e-Admin-Passphrase-2024"
SEED = """
from django.contrib.auth import get_user_model
from conversations.models import Conversation, Turn
user = get_user_model().objects.create_superuser(username={username!r}, password={password!r})
conversation = Conversation.objects.create(owner=user, title="Seven messages")
Turn.objects.create(conversation=conversation, position=0, user_text="seven messages",
                    response_id={response_id!r}, status="completed", model="scripted")
"""


def seven_message_response(live_app: LiveServer) -> str:
    """A response stored at the live provider whose input is seven messages."""
    body = {
        "model": "scripted",
        "store": True,
        "input": [{"role": "user", "content": f"message {n}"} for n in range(7)],
    }
    headers = {"Authorization": f"Bearer {live_app.api_key}"}
    response = httpx.post(f"{live_app.v1}/responses", json=body, headers=headers)
    response.raise_for_status()
    return response.json()["id"]


@pytest.fixture
def staff(page: Page, live_app: LiveServer) -> tuple[Page, str]:
    """A superuser logged in, who owns a turn for a seven-message response; returns its id."""
    username, response_id = f"staff-{uuid.uuid4().hex[:8]}", seven_message_response(live_app)
    code = SEED.format(username=username, password=PASSWORD, response_id=response_id)
    manage = [sys.executable, "manage.py", "shell", "-c", code]
    subprocess.run(manage, cwd=ROOT, env=live_app.env, check=True)
    page.goto("/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Turns")).to_be_visible()
    return page, response_id


def open_response(page: Page, response_id: str) -> None:
    """From the turn list, find the response by id and open its inspection."""
    page.goto("/admin/conversations/turn/")
    page.locator("#searchbar").fill(response_id)
    page.locator("#searchbar").press("Enter")
    page.get_by_role("link", name=response_id).click()
    expect(page.locator("#provider-record")).to_contain_text(response_id)


def item_texts(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("#input-items pre").all_inner_texts()]


def test_staff_sees_usage(staff, tmp_path_factory):
    page, _ = staff
    page.goto("/admin/conversations/turn/")
    page.screenshot(path=screenshots(tmp_path_factory) / "admin-turns.png", full_page=True)
    page.get_by_role("link", name="Usage").click()
    expect(page.locator("#usage-status")).to_contain_text("completed")
    page.screenshot(path=screenshots(tmp_path_factory) / "admin-usage.png", full_page=True)


def test_staff_inspects_and_pages_input_items(staff, tmp_path_factory):
    page, response_id = staff
    open_response(page, response_id)
    page.screenshot(path=screenshots(tmp_path_factory) / "admin-inspect.png", full_page=True)
    expect(page.locator("#provider-status")).to_have_text("completed")
    page.get_by_role("button", name="Count input tokens").click()
    expect(page.locator("#input-token-count")).to_contain_text("input tokens")
    page.get_by_role("link", name="Input items").click()
    page.get_by_label("Per page").fill("3")
    page.get_by_label("Order").select_option("asc")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#input-items pre")).to_have_count(3)
    assert item_texts(page) == ["message 0", "message 1", "message 2"]
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("#input-items h2")).to_have_text("Page 2")
    assert item_texts(page) == ["message 3", "message 4", "message 5"]
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("#input-items h2")).to_have_text("Page 3")
    assert item_texts(page) == ["message 6"]
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    page.screenshot(path=screenshots(tmp_path_factory) / "admin-input-items.png", full_page=True)
    page.get_by_role("link", name="Previous page").click()
    expect(page.locator("#input-items h2")).to_have_text("Page 2")
    assert item_texts(page) == ["message 3", "message 4", "message 5"]


def test_staff_cancels_a_running_reply_and_the_chat_tab_shows_it(staff, tmp_path_factory):
    chat, _ = staff
    chat.goto("/")
    chat.get_by_role("button", name="New chat").click()
    chat.get_by_role("textbox", name="Message").fill("[delay=300] go slowly [tokens=300]")
    chat.get_by_role("textbox", name="Message").press("Enter")
    answer = chat.locator(".assistant").last
    expect(answer).to_have_attribute("data-response-id", re.compile(r"^resp_"))
    response_id = answer.get_attribute("data-response-id")
    admin = chat.context.new_page()
    open_response(admin, response_id)
    expect(admin.locator("#local-status")).to_have_text("streaming")
    admin.get_by_role("button", name="Cancel").click()
    expect(admin.locator("#local-status")).to_have_text("cancelled")
    expect(admin.locator(".messagelist")).to_contain_text("stopped and saved as cancelled")
    admin.screenshot(path=screenshots(tmp_path_factory) / "admin-cancelled.png", full_page=True)
    expect(answer).to_have_attribute("data-status", "cancelled")
    chat.screenshot(path=screenshots(tmp_path_factory) / "chat-cancelled.png")


def screenshots(tmp_path_factory) -> Path:
    """Screenshots go to pytest's temp directory, never into the tree."""
    return tmp_path_factory.getbasetemp()
