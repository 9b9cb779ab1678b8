"""What a file attached to a message may be: its kind read from its content, and the limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.core.files import File

from conversations.models import AttachmentKind

MAX_ATTACHMENTS = 10
MAX_IMAGE_BYTES = 10 * 2**20
MAX_PDF_BYTES = 10 * 2**20
MAX_TEXT_BYTES = 512 * 2**10
MAX_FILE_BYTES = max(MAX_IMAGE_BYTES, MAX_PDF_BYTES, MAX_TEXT_BYTES)
# Room for the multipart framing around one file in an upload request.
MAX_UPLOAD_REQUEST_BYTES = MAX_FILE_BYTES + 64 * 2**10
NAME_MAX_LENGTH = 255

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp", ".gif"}
SUPPORTED = "images (PNG, JPEG, WebP, GIF), PDFs and text or code files"


@dataclass(frozen=True)
class FileKind:
    """A file's kind and the content type we store and send it with."""

    kind: str
    content_type: str


class UploadRejected(Exception):
    """A file we refuse; carries an error code and a sentence for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def upload_name(name: str | None) -> str:
    """The file's name as shown: no folders, no control characters, at most 255 characters."""
    base = PurePath((name or "").replace("\\", "/")).name
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[-NAME_MAX_LENGTH:] or "file"


def upload_check(*, name: str, file: File) -> FileKind:
    """The kind of an uploaded file from its bytes (not its name), or raise UploadRejected."""
    file.seek(0)
    head = file.read(16)
    image_type = _image_type(head)
    if image_type:
        _size_check(name=name, size=file.size, limit=MAX_IMAGE_BYTES)
        return FileKind(AttachmentKind.IMAGE, image_type)
    if head.startswith(b"%PDF-"):
        _size_check(name=name, size=file.size, limit=MAX_PDF_BYTES)
        return FileKind(AttachmentKind.PDF, "application/pdf")
    suffix = PurePath(name).suffix.lower()
    if suffix in IMAGE_EXTENSIONS or suffix == ".pdf":
        what = "a PDF" if suffix == ".pdf" else "a PNG, JPEG, WebP or GIF image"
        raise UploadRejected("content_mismatch", f"{name} is not {what}.")
    _size_check(name=name, size=file.size, limit=MAX_TEXT_BYTES)
    file.seek(0)
    if not _is_text(file.read()):
        raise UploadRejected("unsupported_type", f"{name} cannot be attached: attach {SUPPORTED}.")
    return FileKind(AttachmentKind.TEXT, "text/plain; charset=utf-8")


def upload_too_large_message(*, limit: int = MAX_FILE_BYTES) -> str:
    """The sentence for a file over a size limit."""
    return f"Files can be at most {_size_text(limit)} (text files {_size_text(MAX_TEXT_BYTES)})."


def _image_type(head: bytes) -> str:
    """The image content type the magic bytes announce, or ''."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return ""


def _is_text(data: bytes) -> bool:
    """Whether the bytes are UTF-8 text (a NUL byte means a binary file that happens to decode)."""
    try:
        return "\x00" not in data.decode("utf-8")
    except UnicodeDecodeError:
        return False


def _size_check(*, name: str, size: int, limit: int) -> None:
    if size > limit:
        raise UploadRejected(
            "too_large",
            f"{name} is {_size_text(size)}; this kind of file can be at most {_size_text(limit)}.",
        )
    if size == 0:
        raise UploadRejected("empty_file", f"{name} is empty.")


def _size_text(size: int) -> str:
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB".replace(".0 MB", " MB")
    return f"{max(size // 2**10, 1)} KB"
