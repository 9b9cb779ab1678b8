"""Reading export files: chatsite's own, ChatGPT's conversations.json, Open WebUI's, bad files."""

from __future__ import annotations

import json

import pytest

from conversations.transfer.fields import ImportFileError
from conversations.transfer.reading import export_parse


def parse(data: object):
    return export_parse(raw=json.dumps(data).encode())


def chatgpt_node(key, parent, role, text, children=(), model=""):
    message = None
    if role:
        message = {
            "id": key,
            "author": {"role": role},
            "content": {"content_type": "text", "parts": [text]},
            "metadata": {"model_slug": model} if model else {},
        }
    return key, {"id": key, "message": message, "parent": parent, "children": list(children)}


CHATGPT = [
    {
        "title": "Bread",
        "create_time": 1700000000.0,
        "current_node": "a2",
        "mapping": dict(
            [
                chatgpt_node("root", None, None, "", ["sys"]),
                chatgpt_node("sys", "root", "system", "", ["u1"]),
                chatgpt_node("u1", "sys", "user", "How long to proof?", ["a1"]),
                chatgpt_node("a1", "u1", "assistant", "About an hour.", ["u2", "u2b"], "gpt-4o"),
                # An edited message: the other branch is not current.
                chatgpt_node("u2b", "a1", "user", "Old wording", ["a2b"]),
                chatgpt_node("a2b", "u2b", "assistant", "Old answer"),
                chatgpt_node("u2", "a1", "user", "And at 18 °C?", ["a2"]),
                chatgpt_node("a2", "u2", "assistant", "Closer to two.", [], "gpt-4o"),
            ]
        ),
    }
]


def test_chatgpt_takes_the_current_branch():
    [conversation] = parse(CHATGPT)
    assert conversation.title == "Bread"
    assert [(t.user_text, t.output_text) for t in conversation.turns] == [
        ("How long to proof?", "About an hour."),
        ("And at 18 °C?", "Closer to two."),
    ]
    assert conversation.turns[0].model == "gpt-4o"


def test_chatgpt_without_current_node_takes_the_last_leaf():
    data = [{**CHATGPT[0], "current_node": None}]
    assert parse(data)[0].turns[-1].output_text == "Closer to two."


def test_chatgpt_current_node_missing_is_named():
    data = [{**CHATGPT[0], "current_node": "nope"}]
    with pytest.raises(ImportFileError, match="Conversation 1: the current message “nope”"):
        parse(data)


def test_chatgpt_parent_loop_is_an_error():
    mapping = dict([chatgpt_node("x", "y", "user", "x"), chatgpt_node("y", "x", "user", "y")])
    with pytest.raises(ImportFileError, match="loop"):
        parse([{"title": "Loop", "current_node": "x", "mapping": mapping}])


OPENWEBUI_HISTORY = {
    "id": "c1",
    "title": "Trip",
    "chat": {
        "title": "Trip",
        "models": ["llama3"],
        "history": {
            "currentId": "m4",
            "messages": {
                "m1": {"id": "m1", "parentId": None, "role": "user", "content": "Where to?"},
                "m2": {"id": "m2", "parentId": "m1", "role": "assistant", "content": "Lisbon.",
                       "model": "llama3"},
                "m2b": {"id": "m2b", "parentId": "m1", "role": "assistant", "content": "Porto."},
                "m3": {"id": "m3", "parentId": "m2", "role": "user", "content": "When?"},
                "m4": {"id": "m4", "parentId": "m3", "role": "assistant", "content": "In May."},
            },
        },
    },
}  # fmt: skip


def test_openwebui_history_takes_the_current_branch():
    [conversation] = parse([OPENWEBUI_HISTORY])
    assert conversation.title == "Trip"
    assert [(t.user_text, t.output_text, t.model) for t in conversation.turns] == [
        ("Where to?", "Lisbon.", "llama3"),
        ("When?", "In May.", ""),
    ]


def test_openwebui_message_list_and_a_single_chat_object():
    messages = [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hey"}]
    chat = {"title": "Flat", "chat": {"messages": messages}}
    [conversation] = parse(chat)
    assert [(t.user_text, t.output_text) for t in conversation.turns] == [("hi", "hey")]


def test_chatsite_settings_and_turns():
    data = {
        "format": "chatsite.conversation",
        "version": 1,
        "title": "Mine",
        "settings": {"instructions": "Be brief.", "model": "m", "temperature": 0.5,
                     "max_output_tokens": 64, "reasoning_effort": "high"},
        "turns": [{"user_text": "q", "output_text": "a", "reasoning_text": "r",
                   "status": "streaming", "usage": {"input_tokens": 3, "output_tokens": 4}}],
    }  # fmt: skip
    [conversation] = parse(data)
    assert conversation.settings["temperature"] == 0.5
    assert conversation.settings["reasoning_effort"] == "high"
    [turn] = conversation.turns
    # A turn still running when exported was cut off by the export.
    assert (turn.reasoning_text, turn.status, turn.usage["input_tokens"]) == ("r", "interrupted", 3)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"\xff\xfe not json", "not valid JSON"),
        (b"{not json", "not valid JSON"),
        (b"[]", "holds no conversations"),
        (b'{"hello": 1}', "not an export of chatsite, ChatGPT"),
        (b"42", "not an export of chatsite, ChatGPT"),
        (b'[{"mapping": "x"}]', "Conversation 1: “mapping” should be an object"),
        (b'[{"mapping": {}}, {"chat": {}}]', "Conversation 2 is not in the ChatGPT format"),
        (
            b'{"format": "chatsite.conversation", "title": "t", "settings": {}}',
            "“turns” is missing",
        ),
        (
            b'{"format": "chatsite.conversation", "settings": {"temperature": 9}, "turns": []}',
            "“temperature” should be a number from 0 to 2",
        ),
        (
            b'{"format": "chatsite.conversation", "settings": {}, "turns": [{"status": "odd"}]}',
            "turn 1: unknown status “odd”",
        ),
        (
            b'{"format": "chatsite.conversation", "settings": {}, "turns": [{"status": "completed",'
            b' "user_text": 5}]}',
            "turn 1: “user_text” should be text",
        ),
        (b'{"chat": {"history": {"currentId": "a", "messages": {}}}}', "current message “a”"),
    ],
)
def test_bad_files_say_what_is_wrong(raw, message):
    with pytest.raises(ImportFileError, match=message):
        export_parse(raw=raw)
