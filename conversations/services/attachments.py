"""Attachments: store an upload, give a sent message its files, delete files with their rows."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from conversations import uploads
from conversations.models import Attachment, Turn, attachment_storage

logger = logging.getLogger(__name__)
# Uploads never sent (the tab was closed) are dropped after this long.
UNSENT_KEPT_FOR = timedelta(days=1)


def attachment_create(*, owner: AbstractBaseUser, upload: UploadedFile) -> Attachment:
    """Check an uploaded file and store it as the owner's unsent attachment.

    Raises uploads.UploadRejected for a file we do not take; nothing is stored then.
    """
    name = uploads.upload_name(upload.name)
    kind = uploads.upload_check(name=name, file=upload)
    attachment = Attachment(
        owner=owner, name=name, kind=kind.kind, content_type=kind.content_type, size=upload.size
    )
    upload.seek(0)
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save(force_insert=True)
    except BaseException:
        attachment_storage().delete(attachment.file.name)
        raise
    attachments_unsent_prune(owner=owner, before=timezone.now() - UNSENT_KEPT_FOR)
    return attachment


def attachments_claim(*, turn: Turn, attachment_ids: list[uuid.UUID]) -> list[Attachment]:
    """Give a new turn its files, in order, inside the caller's transaction.

    An unsent attachment moves to the turn; one already sent in the same conversation (a message
    sent again) is copied, sharing its stored file. Any other id is skipped.
    """
    rows = {
        row.pk: row
        # Locked against a second tab sending the same files; `of`: the turn's side may be null.
        for row in Attachment.objects.select_for_update(of=("self",))
        .filter(pk__in=attachment_ids, owner_id=turn.conversation.owner_id)
        .select_related("turn")
    }
    claimed = []
    for position, pk in enumerate(attachment_ids):
        row = rows.get(pk)
        if row is None:
            continue
        if row.turn_id is None:
            row.turn, row.position = turn, position
            row.save(update_fields=["turn", "position"])
        elif row.turn.conversation_id == turn.conversation_id:
            row = _copy(row, turn=turn, position=position)
        else:
            continue
        claimed.append(row)
    return claimed


def _copy(row: Attachment, *, turn: Turn, position: int) -> Attachment:
    return Attachment.objects.create(
        owner_id=row.owner_id,
        turn=turn,
        position=position,
        name=row.name,
        kind=row.kind,
        content_type=row.content_type,
        size=row.size,
        file=row.file.name,
    )


def attachment_files_delete_on_commit(*, names: list[str]) -> None:
    """Once the transaction deleting their rows commits, delete the files no row still uses."""
    if names:
        transaction.on_commit(lambda: _files_delete(names))


def _files_delete(names: list[str]) -> None:
    in_use = set(Attachment.objects.filter(file__in=names).values_list("file", flat=True))
    storage = attachment_storage()
    for name in set(names) - in_use:
        try:
            storage.delete(name)
        except OSError:
            # The rows are gone either way; a file left behind is only disk space.
            logger.exception("Could not delete the attached file %s", name)


@transaction.atomic
def attachments_unsent_prune(*, owner: AbstractBaseUser, before: datetime) -> int:
    """Delete the owner's attachments uploaded before `before` and never sent; how many."""
    stale = Attachment.objects.filter(owner=owner, turn__isnull=True, created_at__lt=before)
    names = list(stale.values_list("file", flat=True))
    stale.delete()
    attachment_files_delete_on_commit(names=names)
    return len(names)
