"""What a file may be: kinds from magic bytes, names, sizes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conversations import uploads
from conversations.models import AttachmentKind
from tests.samples import png_bytes

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
GIF = b"GIF89a\x01\x00\x01\x00" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


def check(name: str, data: bytes) -> uploads.FileKind:
    return uploads.upload_check(name=name, file=SimpleUploadedFile(name, data))


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(png_bytes(), "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp")],
)
def test_images_are_known_by_their_magic_bytes(data, content_type):
    # The name says nothing: the bytes decide.
    assert check("upload.bin", data) == uploads.FileKind(AttachmentKind.IMAGE, content_type)


def test_a_pdf_is_known_by_its_magic_bytes():
    assert check("paper.pdf", PDF) == uploads.FileKind(AttachmentKind.PDF, "application/pdf")


def test_utf8_text_of_any_name_is_a_text_file():
    kind = check("main.py", "print('héllo')\n".encode())
    assert kind == uploads.FileKind(AttachmentKind.TEXT, "text/plain; charset=utf-8")


def test_an_image_name_on_other_content_is_refused():
    with pytest.raises(uploads.UploadRejected) as rejected:
        check("photo.png", b"just some text")
    assert rejected.value.code == "content_mismatch"
    assert rejected.value.message == "photo.png is not a PNG, JPEG, WebP or GIF image."


def test_a_pdf_name_on_other_content_is_refused():
    with pytest.raises(uploads.UploadRejected) as rejected:
        check("paper.pdf", b"%PDX not really")
    assert rejected.value.code == "content_mismatch"
    assert rejected.value.message == "paper.pdf is not a PDF."


def test_the_content_wins_over_the_name():
    assert check("photo.pdf", png_bytes()).kind == AttachmentKind.IMAGE


@pytest.mark.parametrize("data", [b"\xff\xfe\x00binary", b"PK\x03\x04\x00\x00zip", b"ab\x00cd"])
def test_binary_files_are_refused(data):
    with pytest.raises(uploads.UploadRejected) as rejected:
        check("archive.docx", data)
    assert rejected.value.code == "unsupported_type"
    assert "archive.docx cannot be attached" in rejected.value.message


def test_an_empty_file_is_refused():
    with pytest.raises(uploads.UploadRejected) as rejected:
        check("empty.txt", b"")
    assert rejected.value.code == "empty_file"


def test_text_files_are_limited_to_512_kb():
    assert check("ok.txt", b"a" * uploads.MAX_TEXT_BYTES).kind == AttachmentKind.TEXT
    with pytest.raises(uploads.UploadRejected) as rejected:
        check("big.txt", b"a" * (uploads.MAX_TEXT_BYTES + 1))
    assert rejected.value.code == "too_large"
    assert rejected.value.message == ("big.txt is 512 KB; this kind of file can be at most 512 KB.")


def test_images_are_limited_to_10_mb():
    big = png_bytes() + b"\x00" * (uploads.MAX_IMAGE_BYTES - len(png_bytes()) + 1)
    with pytest.raises(uploads.UploadRejected) as rejected:
        check("huge.png", big)
    assert rejected.value.code == "too_large"
    assert "at most 10 MB" in rejected.value.message


def test_an_image_of_exactly_10_mb_is_taken():
    data = png_bytes() + b"\x00" * (uploads.MAX_IMAGE_BYTES - len(png_bytes()))
    assert check("big.png", data).kind == AttachmentKind.IMAGE


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\notes.txt", "notes.txt"),
        ("bad\x00na\nme.txt", "badname.txt"),
        ("", "file"),
        (None, "file"),
        ("x" * 300 + ".txt", ("x" * 300 + ".txt")[-255:]),
    ],
)
def test_upload_names_lose_folders_and_control_characters(raw, shown):
    assert uploads.upload_name(raw) == shown
