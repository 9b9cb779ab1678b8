"""End running turns whose worker died as interrupted, once (for cron or after a crash)."""

from __future__ import annotations

import asyncio

from django.core.management.base import BaseCommand

from conversations.streaming.reaper import reap


class Command(BaseCommand):
    help = (
        "Mark turns without a recent heartbeat as interrupted. Running servers do this by "
        "themselves and re-attach background responses instead; this command only interrupts."
    )

    def handle(self, *args: object, **options: object) -> None:
        # Re-attaching needs a process that stays up to run the job; this one exits at once.
        turns = asyncio.run(reap(reattach=False))
        self.stdout.write(f"Interrupted {len(turns)} turn(s).")
