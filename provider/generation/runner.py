"""Run one response: admission, engine passes -> events -> store, in a task owned by the process.

Each run has a cancel flag (set by `/cancel`, a delete or a departed foreground client) that
the engine checks per token and that also ends the wait for a slot.

The run outlives the HTTP request that started it, so a client that disconnects does not leave
a response stuck in `in_progress`; streams and replays subscribe to its in-memory event list.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from django.utils import timezone

from provider import conversation_store, store
from provider.engines import get_engine
from provider.engines.base import Engine, EngineError
from provider.generation.admission import admission
from provider.generation.passes import Passes
from provider.generation.prompt import prompt_messages
from provider.protocol import TERMINAL_EVENTS, EventLog, ResponseState, Usage
from provider.request import CreateParams

logger = logging.getLogger(__name__)

FAILURE_MESSAGE = "The model failed to generate a response."

# A running response's stored heartbeat is renewed this often; readers in any process take
# one silent for store.HEARTBEAT_STALE_SECONDS as lost with its process.
HEARTBEAT_SECONDS = 5

_runs: dict[str, Run] = {}
_heart: asyncio.Task[None] | None = None


def _now() -> int:
    """Unix seconds."""
    return int(timezone.now().timestamp())


class Run:
    """One response being generated, with its event log and a cancel flag."""

    def __init__(self, params: CreateParams, items: list[dict[str, Any]], engine: Engine) -> None:
        self.params = params
        self.items = items
        self.engine = engine
        status = "queued" if params.background else "in_progress"
        self.state = ResponseState(params=params, created_at=_now(), status=status)
        self.log = EventLog(self.state)
        self.cancel = threading.Event()
        self.cancelled = asyncio.Event()
        self.usage = Usage()
        self._changed = asyncio.Event()
        self.finished = asyncio.Event()
        # Holds the task so it is not garbage-collected while it runs.
        self.task: asyncio.Task[None] | None = None
        self._saving: asyncio.Future[None] | None = None
        # Set when the response is deleted while it runs: its rows must not come back.
        self.discarded = False

    def request_cancel(self) -> None:
        """Stop generating (the engine sees the flag at its next token) or stop waiting."""
        self.cancel.set()
        self.cancelled.set()

    def publish(self) -> None:
        """Wake every subscriber waiting for new events."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def subscribe(self, *, after: int = -1) -> AsyncIterator[dict[str, Any]]:
        """Events with sequence_number > after, live until the run is stored."""
        index = after + 1
        while True:
            changed = self._changed
            events = self.log.events
            while index < self._visible():
                yield events[index]
                index += 1
            if self.finished.is_set():
                return
            await changed.wait()

    def _visible(self) -> int:
        """How many events subscribers may see: all but a terminal event not stored yet.

        A client may chain a new request on `response.completed` at once (previous_response_id
        or conversation), so the response and its conversation items must be stored by then.
        """
        events = self.log.events
        if (
            self.finished.is_set()
            or not events
            or events[-1]["type"] not in TERMINAL_EVENTS.values()
        ):
            return len(events)
        return len(events) - 1

    def open(self) -> None:
        """`response.created`, and the stored row of a kept response being written.

        Written while the engine starts, so the first token does not wait for the DB; in a
        fresh context, as the run's task (see run_start).
        """
        self.log.start()
        self.publish()
        if self.params.kept:
            self._saving = asyncio.create_task(
                store.response_save_start(body=self.state.to_dict(), items=self.items),
                context=contextvars.Context(),
            )

    async def stored(self) -> None:
        """Wait until the response's row and input items are written (readers of the DB
        that saw the live run must not miss them)."""
        if self._saving is not None:
            await asyncio.shield(self._saving)

    async def execute(self) -> None:
        """Wait for a slot, generate, then store the result once; never raises."""
        held = False
        try:
            held = await admission.acquire(self.cancelled)
            await self._generate(held)
        except EngineError as exc:
            logger.warning("engine failed for %s: %s", self.state.id, exc)
            self.log.fail(FAILURE_MESSAGE, now=_now())
        except Exception:
            logger.exception("response %s failed", self.state.id)
            self.log.fail(FAILURE_MESSAGE, now=_now())
        finally:
            admission.release(held=held)
            self.publish()
            await self._store_end()

    async def _generate(self, held: bool) -> None:
        """The passes, once a slot is held; then the final status."""
        if held:
            self.log.begin()
            self.publish()
            messages = prompt_messages(
                self.items,
                instructions=self.params.instructions,
                tools=self.params.tools,
                tool_choice=self.params.tool_choice,
            )
            finish = await Passes(self, messages).run()
        else:
            finish = "stop"
        self._finish(finish)

    def _finish(self, finish_reason: str) -> None:
        """Terminal state: cancelled (wins over a racing completion), incomplete or completed."""
        if self.cancel.is_set():
            self.log.cancel()
            return
        self.state.usage = self.usage
        self.log.finish(
            status="incomplete" if finish_reason == "length" else "completed", now=_now()
        )

    def _new_items(self) -> list[dict[str, Any]]:
        """This request's input items, references resolved (the context's last items)."""
        return self.items[len(self.items) - len(self.params.input_items) :]

    async def _store_end(self) -> None:
        """Persist the outcome, then let subscribers finish and forget the run."""
        try:
            if self._saving is not None:
                await self._saving
            if self.discarded:
                await store.response_delete(self.state.id)
            elif self.params.kept:
                await store.response_save_end(body=self.state.to_dict(), events=self.log.events)
            if self.params.conversation and self.state.status in ("completed", "incomplete"):
                await conversation_store.items_append(
                    self.params.conversation, self._new_items() + self.state.output
                )
        except Exception:
            logger.exception("could not store response %s", self.state.id)
        finally:
            self.finished.set()
            self.publish()
            _runs.pop(self.state.id, None)


def run_start(params: CreateParams, *, items: list[dict[str, Any]]) -> Run:
    """Admit (or refuse with 429) and start generating a response in a background task."""
    admission.reserve()
    run = Run(params, items, get_engine())
    _runs[run.state.id] = run
    run.open()
    # A fresh context detaches the task from the request: its DB calls must not go to the
    # request's thread executor, which stops when the request ends.
    run.task = asyncio.create_task(run.execute(), context=contextvars.Context())
    _heartbeat_ensure()
    return run


def _heartbeat_ensure() -> None:
    """Start this loop's heartbeat task unless it runs (it ends when no response runs)."""
    global _heart
    loop = asyncio.get_running_loop()
    if _heart is None or _heart.done() or _heart.get_loop() is not loop:
        _heart = loop.create_task(_heartbeat(), context=contextvars.Context())


async def _heartbeat() -> None:
    """Renew the stored heartbeat of this process's running responses while any runs."""
    while _runs:
        await asyncio.sleep(HEARTBEAT_SECONDS)
        kept = [response_id for response_id, run in _runs.items() if run.params.kept]
        try:
            await store.responses_heartbeat(kept)
        except Exception:
            logger.exception("could not renew the heartbeat of %d responses", len(kept))


def run_get(response_id: str) -> Run | None:
    """The live run of a stored response, if it is still running and not being deleted."""
    run = _runs.get(response_id)
    return run if run is not None and run.params.kept and not run.discarded else None


def run_deleting(response_id: str) -> bool:
    """Whether a delete of this running response is under way (it is gone to clients)."""
    run = _runs.get(response_id)
    return run is not None and run.discarded


def run_discard(response_id: str) -> bool:
    """Stop a live run whose response is being deleted; False if none ran.

    The run stays listed until it has ended, marked, so that racing requests see it as gone;
    a response that is not kept (`store: false`) cannot be addressed, so it runs on.
    """
    run = run_get(response_id)
    if run is None:
        return False
    run.discarded = True
    run.request_cancel()
    return True
