"""The provider-deletion outbox: done, postponed with backoff, retried now."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from conversations.models import (
    ProviderDeletion,
)

OUTBOX_BASE_DELAY_SECONDS = 30
OUTBOX_MAX_DELAY_SECONDS = 3600


def provider_deletion_done(*, deletion: ProviderDeletion) -> None:
    """Drop an outbox row once the provider no longer has the response."""
    deletion.delete()


def provider_deletion_postpone(*, deletion: ProviderDeletion, error: str) -> ProviderDeletion:
    """Count a failed attempt and push the next one back exponentially (30 s doubling, ≤1 h)."""
    deletion.attempts += 1
    deletion.last_error = error[:2000]
    delay = min(OUTBOX_BASE_DELAY_SECONDS * 2 ** (deletion.attempts - 1), OUTBOX_MAX_DELAY_SECONDS)
    deletion.next_attempt_at = timezone.now() + timedelta(seconds=delay)
    deletion.save(update_fields=["attempts", "last_error", "next_attempt_at"])
    return deletion


def provider_deletion_retry_now(*, deletions: list[ProviderDeletion]) -> None:
    """Make outbox rows due at once, for an admin who knows the provider is back."""
    ProviderDeletion.objects.filter(pk__in=[d.pk for d in deletions]).update(
        next_attempt_at=timezone.now()
    )
