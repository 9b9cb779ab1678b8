"""Content parts of a user message: files stay markers until read, off the calling thread."""

from __future__ import annotations

import threading

import pytest
from asgiref.sync import async_to_sync

from conversations.models import Turn
from conversations.streaming import parts

pytestmark = pytest.mark.django_db


@pytest.fixture
def turn(conversation_factory):
    return Turn.objects.create(conversation=conversation_factory(), position=0, user_text="see")


def test_files_are_markers_until_read(turn, attachment_factory):
    attachment = attachment_factory(turn=turn)
    content = parts.user_content(turn=turn)
    assert content == [{"type": "input_text", "text": "see"}, parts.FilePart(attachment)]


def test_files_are_read_in_a_worker_thread(turn, attachment_factory, monkeypatch):
    attachment = attachment_factory(turn=turn, name="a.txt", data=b"x")
    threads = []
    original = parts.attachment_part
    monkeypatch.setattr(
        parts, "attachment_part", lambda a: threads.append(threading.get_ident()) or original(a)
    )
    body = {"input": [{"role": "user", "content": [parts.FilePart(attachment)]}]}

    async def read() -> int:
        await parts.files_read(body)
        return threading.get_ident()

    loop_thread = async_to_sync(read)()
    assert body["input"][0]["content"] == [{"type": "input_text", "text": "a.txt\n```\nx\n```"}]
    assert threads and threads[0] != loop_thread


def test_a_body_without_files_is_left_alone():
    body = {"input": "hello"}
    assert async_to_sync(parts.files_read)(body) is body
    assert body == {"input": "hello"}
