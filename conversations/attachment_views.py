"""Attached files: the upload endpoint (JSON) and the files themselves, for their owner only."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from conversations import selectors, services, uploads
from conversations.models import Attachment, AttachmentKind


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


@csrf_exempt  # checked below, once the size is known: the CSRF check reads the whole body
@require_POST
def attachment_upload(request: HttpRequest) -> HttpResponse:
    """POST one file (multipart field `file`): 201 with the unsent attachment, else a JSON error.

    A request too large is refused from its Content-Length alone, before any of it is parsed.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > uploads.MAX_UPLOAD_REQUEST_BYTES:
        return _error(413, "too_large", uploads.upload_too_large_message())
    return _attachment_store(request)


@csrf_protect
def _attachment_store(request: HttpRequest) -> JsonResponse:
    """Store one multipart `file` as the user's unsent attachment: 201 with its object."""
    upload = request.FILES.get("file")
    if upload is None or len(request.FILES) != 1:
        return _error(400, "no_file", "Send one file, in the form field `file`.")
    try:
        attachment = services.attachment_create(owner=request.user, upload=upload)
    except uploads.UploadRejected as rejected:
        return _error(400, rejected.code, rejected.message)
    return JsonResponse(
        {"attachment": selectors.attachment_as_dict(attachment=attachment)}, status=201
    )


@login_not_required  # anonymous visitors get the same 404 as other users, not a login page
@require_GET
def attachment_content(request: HttpRequest, attachment_id: uuid.UUID) -> FileResponse:
    """An attached file, to its owner; 404 to everyone else."""
    if not request.user.is_authenticated:
        raise Http404("No such file.")
    try:
        attachment = selectors.attachment_get(owner=request.user, attachment_id=attachment_id)
    except Attachment.DoesNotExist as exc:
        raise Http404("No such file.") from exc
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        # Images show in the page; text and PDFs download rather than render on our origin.
        as_attachment=attachment.kind != AttachmentKind.IMAGE,
        filename=attachment.name,
    )
    # A file never changes under its id; it stays private to the owner's browser.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
