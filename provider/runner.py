"""Run one response: engine passes -> events -> store, in a task owned by the process.

Each run has a cancel flag (set by `/cancel` or a delete) that the engine checks per token.

The run outlives the HTTP request that started it, so a client that disconnects does not leave
a response stuck in `in_progress`; streams and replays subscribe to its in-memory event list.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from django.utils import timezone

from provider import store
from provider.engines import get_engine
from provider.engines.base import ChatMessage, Engine, EngineError, Generation
from provider.items import chat_messages
from provider.params import CreateParams
from provider.protocol import EventLog, ResponseState, Usage
from provider.reasoning import EFFORT_TOKENS, ThinkSplitter

logger = logging.getLogger(__name__)

# Used when the request sets no max_output_tokens: the local engine needs an explicit cap.
DEFAULT_MAX_OUTPUT_TOKENS = 2048
FAILURE_MESSAGE = "The model failed to generate a response."

_runs: dict[str, Run] = {}


def _now() -> int:
    """Unix seconds."""
    return int(timezone.now().timestamp())


class Run:
    """One response being generated, with its event log and a cancel flag."""

    def __init__(self, params: CreateParams, messages: list[ChatMessage], engine: Engine) -> None:
        self.params = params
        self.messages = messages
        self.engine = engine
        self.state = ResponseState(params=params, created_at=_now())
        self.log = EventLog(self.state)
        self.cancel = threading.Event()
        self.usage = Usage()
        self._changed = asyncio.Event()
        self.finished = asyncio.Event()
        # Holds the task so it is not garbage-collected while it runs.
        self.task: asyncio.Task[None] | None = None

    def _publish(self) -> None:
        """Wake every subscriber waiting for new events."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def subscribe(self, *, after: int = -1) -> AsyncIterator[dict[str, Any]]:
        """Events with sequence_number > after, live until the run is stored."""
        index = after + 1
        while True:
            changed = self._changed
            events = self.log.events
            while index < len(events):
                yield events[index]
                index += 1
            if self.finished.is_set():
                return
            await changed.wait()

    async def execute(self, items: list[dict[str, Any]]) -> None:
        """Generate, then store the result once; never raises."""
        try:
            self.log.start()
            self._publish()
            if self.params.store:
                await store.response_save_start(body=self.state.to_dict(), items=items)
            await self._generate()
        except EngineError as exc:
            logger.warning("engine failed for %s: %s", self.state.id, exc)
            self.log.fail(FAILURE_MESSAGE, now=_now())
        except Exception:
            logger.exception("response %s failed", self.state.id)
            self.log.fail(FAILURE_MESSAGE, now=_now())
        finally:
            self._publish()
            await self._store_end()

    async def _store_end(self) -> None:
        """Persist the outcome, then let subscribers finish and forget the run."""
        try:
            if self.params.store:
                await store.response_save_end(body=self.state.to_dict(), events=self.log.events)
        except Exception:
            logger.exception("could not store response %s", self.state.id)
        finally:
            self.finished.set()
            self._publish()
            _runs.pop(self.state.id, None)

    async def _generate(self) -> None:
        """The planning pass when asked for, then the answer; sets the final status."""
        await self.engine.start()
        budget = self.params.max_output_tokens or DEFAULT_MAX_OUTPUT_TOKENS
        notes = ""
        if self.params.reasons and not self.engine.native_reasoning:
            plan = self._generation(purpose="plan", max_tokens=min(budget, self._plan_tokens()))
            notes = await self._pass(plan, route=self.log.reasoning_delta)
            self.usage.reasoning_tokens += plan.output_tokens
            budget -= plan.output_tokens
        finish = "length"
        if budget > 0 and not self.cancel.is_set():
            answer = self._generation(purpose="answer", max_tokens=budget, notes=notes)
            await self._answer(answer)
            finish = answer.finish_reason
        self._finish(finish)

    def _plan_tokens(self) -> int:
        """Planning budget for the requested effort."""
        return EFFORT_TOKENS.get(self.params.effort or "", EFFORT_TOKENS["medium"])

    def _generation(
        self, *, purpose: Literal["plan", "answer"], max_tokens: int, notes: str = ""
    ) -> Generation:
        """A generation pass sharing this run's sampling values and cancel flag."""
        return Generation(
            messages=self.messages,
            max_tokens=max_tokens,
            temperature=self.params.temperature,
            top_p=self.params.top_p,
            purpose=purpose,
            notes=notes,
            cancel=self.cancel,
        )

    async def _pass(self, generation: Generation, *, route: Callable[[str], None]) -> str:
        """Stream one pass into the log; returns its whole text."""
        pieces = []
        async for piece in self.engine.stream(generation):
            pieces.append(piece)
            route(piece)
            self._publish()
        self.usage.input_tokens = generation.prompt_tokens
        self.usage.cached_tokens = generation.cached_tokens
        self.usage.output_tokens += generation.output_tokens
        return "".join(pieces)

    async def _answer(self, generation: Generation) -> None:
        """The answer pass; a natively thinking model's <think> text becomes reasoning."""
        if not self.engine.native_reasoning:
            await self._pass(generation, route=self.log.text_delta)
            return
        splitter = ThinkSplitter()

        def route(piece: str) -> None:
            for kind, text in splitter.feed(piece):
                self._route_split(kind, text)

        await self._pass(generation, route=route)
        for kind, text in splitter.flush():
            self._route_split(kind, text)

    def _route_split(self, kind: str, text: str) -> None:
        """Send split text to the reasoning item or the message, counting reasoning tokens."""
        if kind == "reasoning":
            self.usage.reasoning_tokens += 1
            self.log.reasoning_delta(text)
        else:
            self.log.text_delta(text)

    def _finish(self, finish_reason: str) -> None:
        """Terminal state: cancelled, incomplete (token cap) or completed."""
        if self.cancel.is_set():
            self.log.cancel()
            return
        self.state.usage = self.usage
        self.log.finish(
            status="incomplete" if finish_reason == "length" else "completed", now=_now()
        )


async def run_start(params: CreateParams, *, items: list[dict[str, Any]]) -> Run:
    """Start generating a response for these context items in a background task."""
    messages = chat_messages(items, instructions=params.instructions)
    run = Run(params, messages, get_engine())
    _runs[run.state.id] = run
    # A fresh context detaches the task from the request: its DB calls must not go to the
    # request's thread executor, which stops when the request ends.
    run.task = asyncio.create_task(run.execute(items), context=contextvars.Context())
    return run


def run_get(response_id: str) -> Run | None:
    """The live run of a stored response, if it is still running."""
    run = _runs.get(response_id)
    return run if run is not None and run.params.store else None


def run_discard(response_id: str) -> bool:
    """Stop a live run and forget it (its response is being deleted); False if none ran."""
    run = _runs.pop(response_id, None)
    if run is None:
        return False
    run.cancel.set()
    return True
