"""Per-user usage limits, set by staff in the admin; a user without a row has the defaults."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class UserLimits(models.Model):
    """Overrides of the site-wide limits for one user; an empty field keeps the default."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="limits"
    )
    running_generations = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Replies generating at once, across conversations (empty: the default).",
    )
    messages_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="Messages sent in any 60 seconds (empty: the default)."
    )
    tokens_per_day = models.PositiveBigIntegerField(
        null=True,
        blank=True,
        help_text="Input plus output tokens per UTC day, chat and batch runs together "
        "(empty: the default).",
    )

    class Meta:
        verbose_name = "usage limits"
        verbose_name_plural = "usage limits"

    def __str__(self) -> str:
        return f"Usage limits of user {self.user_id}"
