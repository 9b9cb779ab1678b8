"""Flush the provider-deletion outbox once (for cron)."""

from __future__ import annotations

import asyncio

from django.core.management.base import BaseCommand

from conversations.outbox import outbox_flush


class Command(BaseCommand):
    help = "Delete due responses at the provider; failed ones are retried later with backoff."

    def handle(self, *args: object, **options: object) -> None:
        done = asyncio.run(outbox_flush())
        self.stdout.write(f"Deleted {done} provider response(s).")
