"""The POST body of a turn (requests and parts): its files as content parts, chained or in a
stateless history."""

from __future__ import annotations

import base64

import pytest
from asgiref.sync import async_to_sync

from conversations import selectors
from conversations.models import Turn, TurnStatus
from conversations.streaming import parts
from conversations.streaming.requests import request_body_sync
from tests.samples import png_bytes

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def conversation(conversation_factory):
    return conversation_factory()


def turn_at(conversation, position: int, text: str, **fields) -> Turn:
    return Turn.objects.create(
        conversation=conversation, position=position, user_text=text, **fields
    )


def body_of(turn: Turn, previous: str = "") -> dict:
    """The body as the job sends it: built on the database thread, then its files read."""
    body = request_body_sync(
        turn=turn, conversation=turn.conversation, background=False, previous_response_id=previous
    )
    return async_to_sync(parts.files_read)(body)


def test_a_turn_without_files_sends_its_text_alone(conversation):
    assert body_of(turn_at(conversation, 0, "hello"))["input"] == "hello"


def test_an_image_is_an_input_image_data_url(conversation, attachment_factory):
    turn = turn_at(conversation, 0, "What is this?")
    attachment_factory(turn=turn, name="cat.png")
    assert body_of(turn)["input"] == [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "What is this?"},
                {
                    "type": "input_image",
                    "image_url": "data:image/png;base64," + base64.b64encode(png_bytes()).decode(),
                    "detail": "auto",
                },
            ],
        }
    ]


def test_a_text_file_is_input_text_with_its_name(conversation, attachment_factory):
    turn = turn_at(conversation, 0, "Review this")
    attachment_factory(turn=turn, name="main.py", data=b"print('```')\n")
    [_, part] = body_of(turn)["input"][0]["content"]
    assert part == {"type": "input_text", "text": "main.py\n````\nprint('```')\n\n````"}


def test_a_pdf_is_an_input_file_with_its_name(conversation, attachment_factory):
    turn = turn_at(conversation, 0, "")
    attachment_factory(turn=turn, name="paper.pdf", data=PDF)
    # No text: the message is the file alone.
    assert body_of(turn)["input"][0]["content"] == [
        {
            "type": "input_file",
            "filename": "paper.pdf",
            "file_data": "data:application/pdf;base64," + base64.b64encode(PDF).decode(),
        }
    ]


def test_files_keep_their_order(conversation, attachment_factory):
    turn = turn_at(conversation, 0, "two")
    for position, name in enumerate(["b.txt", "a.txt"]):
        attachment = attachment_factory(turn=turn, name=name, data=name.encode())
        attachment.position = position
        attachment.save(update_fields=["position"])
    texts = [part["text"].split("\n")[0] for part in body_of(turn)["input"][0]["content"][1:]]
    assert texts == ["b.txt", "a.txt"]


def test_a_chained_turn_still_names_its_previous_response(conversation, attachment_factory):
    turn = turn_at(conversation, 0, "look")
    attachment_factory(turn=turn)
    assert body_of(turn, previous="resp_1")["previous_response_id"] == "resp_1"


def test_a_stateless_history_carries_earlier_files(conversation, attachment_factory, settings):
    settings.OPENAI_STATELESS = True
    first = turn_at(conversation, 0, "see", status=TurnStatus.COMPLETED, output_text="A cat.")
    attachment_factory(turn=first, name="notes.txt", data=b"cats")
    turn_at(conversation, 1, "and now?", parent=first)  # the turn after it on its branch
    # As the job reads it: the turn loaded with its (no) attachments.
    [*_, current] = selectors.turn_list(conversation=conversation)
    assert body_of(current)["input"] == [
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "see"},
                {"type": "input_text", "text": "notes.txt\n```\ncats\n```"},
            ],
        },
        {"role": "assistant", "content": "A cat."},
        {"role": "user", "content": "and now?"},
    ]
