"""Enqueue work for every unfinished run (scripts/run.sh calls it at start-up)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from batches import tasks


class Command(BaseCommand):
    help = "Enqueue worker tasks for every run not yet completed or cancelled."

    def handle(self, *args: Any, **options: Any) -> None:
        count = tasks.runs_resume()
        self.stdout.write(f"{count} unfinished batch runs enqueued")
