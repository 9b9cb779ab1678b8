"""Client frames checked before anything is stored: each problem has its code."""

from __future__ import annotations

import pytest

from conversations.streaming import frames


@pytest.mark.parametrize(
    ("text_data", "bytes_data", "code"),
    [
        ("{", None, "invalid_json"),
        ("[1]", None, "invalid_json"),
        ("[" * 100_000 + "]" * 100_000, None, "frame_too_large"),
        (None, b"x" * (frames.MAX_FRAME_BYTES + 1), "frame_too_large"),
    ],
)
def test_bad_frames_are_refused_by_code(text_data, bytes_data, code):
    with pytest.raises(frames.FrameRejected) as refused:
        frames.frame_parse(text_data, bytes_data)
    assert refused.value.code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [("  ", "empty_message"), ("a\x00b", "invalid_text"), ("\ud800", "invalid_text")],
)
def test_texts_that_cannot_be_stored_are_refused(text, code):
    with pytest.raises(frames.FrameRejected) as refused:
        frames.text_clean(text)
    assert refused.value.code == code


def test_text_is_stripped_and_ids_kept_in_order_once():
    assert frames.text_clean("  hi  ") == "hi"
    ids = ["8d3c0f5e-1c4a-4a53-9d0e-0c6f3b6b1a01", "8d3c0f5e-1c4a-4a53-9d0e-0c6f3b6b1a01"]
    assert [str(i) for i in frames.attachment_ids_clean(ids)] == ids[:1]


@pytest.mark.parametrize(
    ("query", "after"), [(b"after=7", 7), (b"after=-3", 0), (b"after=x", None), (b"", None)]
)
def test_after_param(query, after):
    assert frames.after_param({"query_string": query}) == after
