"""The in-memory state of one turn being generated, and what its job publishes."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone

from conversations import services
from conversations.models import Turn
from conversations.streaming.events import Finished
from conversations.streaming.relay import Relay
from responses_client.usage import Usage

STOP_WAITS_FOR_ID_SECONDS = 5.0


@dataclass(eq=False)
class Job:
    """The in-memory state of one turn being generated."""

    turn: Turn
    relay: Relay
    started_at: datetime = field(default_factory=timezone.now)
    reasoning_ended_at: datetime | None = None
    stream_error: str = ""
    stream_error_retryable: bool = True
    finished: Finished | None = None
    finishing: bool = False
    task: asyncio.Task[None] | None = None
    helpers: list[asyncio.Task[None]] = field(default_factory=list)
    background: bool = False
    # The POST body, when it was built with the turn (else the job builds it).
    body: dict[str, Any] | None = None
    # The ids of the turn's versions, for its turn.created frame (None: not known here).
    versions: list[int] | None = None
    response_id: str = ""
    # Records the response id in the DB, off the first-token path; _finish waits for it.
    recording: asyncio.Task[None] | None = None
    created: asyncio.Event = field(default_factory=asyncio.Event)
    # Set when another process took the turn over (or ended it): this job must write nothing.
    superseded: bool = False

    def helpers_stop(self) -> None:
        """Cancel the tasks that run beside the job (its checkpoints, the sidebar hint)."""
        for task in self.helpers:
            task.cancel()

    async def stop(self) -> bool:
        """Cancel the job and wait until it is saved; False if it had already ended."""
        if self.background and not self.response_id and self.task is not None:
            # A background response runs on at the provider until cancelled there, which needs
            # its id: give response.created a moment to arrive first.
            created = asyncio.ensure_future(self.created.wait())
            await asyncio.wait(
                {created, self.task},
                timeout=STOP_WAITS_FOR_ID_SECONDS,
                return_when=asyncio.FIRST_COMPLETED,
            )
            created.cancel()
        # Once the terminal event has arrived the turn ends as the provider said, never cancelled.
        if self.finishing or self.task is None or self.task.done():
            return False
        self.task.cancel()
        await asyncio.wait({self.task})
        return True

    # The provider's sequence_number of the last event handled: where a re-attach resumes.
    provider_seq: int | None = None
    resuming: bool = False
    # Tool rounds (streaming.toolrounds): the calls run so far, how many rounds ended, and what
    # those rounds said (None after a re-attach: the relayed text is then the whole truth) and
    # counted.
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    rounds: int = 0
    text_before: dict[str, str] | None = field(default_factory=dict)
    usage_before: Usage | None = None
    # An earlier round's response compacted the context.
    compacted: bool = False


async def job_generating_publish(job: Job, *, generating: bool) -> None:
    """Mark the conversation in the owner's sidebars, skipping the owner lookup when we can."""
    # The turn usually arrives with its conversation loaded: then no DB trip (they queue).
    cached = Turn.conversation.is_cached(job.turn)
    await services.conversation_generating_publish(
        conversation_id=job.turn.conversation_id,
        generating=generating,
        owner_id=job.turn.conversation.owner_id if cached else None,
    )


async def job_publish(job: Job, message: dict[str, Any]) -> None:
    """Log a frame of the job's turn and send it to every tab of its conversation."""
    await services.turn_publish(conversation_id=job.turn.conversation_id, message=message)
