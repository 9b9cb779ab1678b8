"""One worker's share of a run: claim items under leases, answer them concurrently through the
throttle, store results in groups, publish progress, and stop on Cancel.

Runs inside a django-tasks task (batches.tasks) or `manage.py batch_run`. Several workers share
a run: each claims what is queued or whose lease expired, so a killed worker's items run again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from accounts.limits import LimitExceeded
from batches import configs as sweep
from batches import selectors, services
from batches.models import Item, Run, RunStatus
from batches.outcomes import ItemOutcome
from batches.running import calls
from batches.running.throttle import Throttle
from pricing.selectors import cost_compute, prices_by_model
from responses_client import client
from responses_client.errors import ProviderError, RateLimitedError
from responses_client.ratelimits import ratelimits_parse

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.1
PUBLISH_SECONDS = 0.25
STATUS_SECONDS = 0.5
IDLE_SECONDS = 0.5
Progress = Callable[[dict[str, Any]], None]
COMPLETED, CANCELLED = "completed", "cancelled"


def db(function: Callable) -> Callable:
    """Run an ORM call off the event loop."""
    return sync_to_async(function, thread_sensitive=True)


class RunWorker:
    """The concurrent loop of one process over one run."""

    def __init__(self, *, run: Run, on_progress: Progress | None = None) -> None:
        self.run = run
        self.throttle = Throttle(ceiling=run.concurrency)
        self.changed = asyncio.Condition()
        self.queue: asyncio.Queue[tuple[uuid.UUID, Item] | None] = asyncio.Queue()
        self.wake = asyncio.Event()
        self.outcomes: list[ItemOutcome] = []
        self.leased: dict[uuid.UUID, set[int]] = {}
        self.in_flight: dict[int, str] = {}
        self.busy = 0
        self.on_progress = on_progress
        self._published_at = -math.inf

    async def main(self) -> LimitExceeded | None:
        """Work until the run has nothing left to claim, is cancelled, or passes the owner's
        token limit (returned)."""
        self.prices = await db(prices_by_model)(models=[c["model"] for c in self.run.configs])
        await db(services.run_start)(run_id=self.run.pk)
        consumers = [asyncio.create_task(self._consume()) for _ in range(self.throttle.ceiling)]
        helpers = [asyncio.create_task(self._renew_loop()), asyncio.create_task(self._flush_loop())]
        try:
            ending = await self._feed()
            if ending == CANCELLED:
                await self._cancel(consumers)
            elif isinstance(ending, LimitExceeded):
                await self._release_unstarted()
            for _ in consumers:
                self.queue.put_nowait(None)
            await asyncio.gather(*consumers, return_exceptions=True)
        finally:
            for helper in helpers:
                helper.cancel()
            await self._flush(force_publish=True)
            await db(close_old_connections)()
        return ending if isinstance(ending, LimitExceeded) else None

    async def _feed(self) -> str | LimitExceeded:
        """Keep the local queue filled until the run is completed, cancelled, or over the owner's
        daily token limit (then the limit, and the rest of the run waits queued)."""
        checked_at = -math.inf
        while True:
            if time.monotonic() - checked_at > STATUS_SECONDS:
                checked_at = time.monotonic()
                if ending := await self._stopped():
                    return ending
            if self.queue.qsize() < self.throttle.ceiling and await self._claim():
                continue
            if self._idle() and not await db(selectors.run_unfinished_count)(run_id=self.run.pk):
                await db(services.run_complete_if_finished)(run_id=self.run.pk)
                return COMPLETED
            self.wake.clear()
            await _wait(self.wake, IDLE_SECONDS if self._idle() else STATUS_SECONDS)

    async def _stopped(self) -> str | LimitExceeded | None:
        """CANCELLED, the owner's spent token limit, or None to carry on."""
        if await db(selectors.run_status)(run_id=self.run.pk) == RunStatus.CANCELLED:
            return CANCELLED
        return await db(selectors.run_pause_reason)(owner_id=self.run.owner_id)

    async def _release_unstarted(self) -> None:
        """Give back the items claimed here but not started, so the pause costs nothing more."""
        entries = []
        while not self.queue.empty():
            entries.append(self.queue.get_nowait())
        for token, item in entries:
            self.leased.get(token, set()).discard(item.pk)
        await db(services.items_release)(item_ids=[item.pk for _, item in entries])
        self.leased = {token: held for token, held in self.leased.items() if held}

    async def _claim(self) -> bool:
        token, items = await db(services.items_claim)(
            run_id=self.run.pk,
            limit=self.throttle.ceiling,
            lease_seconds=settings.BATCH_LEASE_SECONDS,
        )
        if items:
            self.leased[token] = {item.pk for item in items}
        for item in items:
            self.queue.put_nowait((token, item))
        return bool(items)

    def _idle(self) -> bool:
        return self.queue.empty() and not self.busy and not self.leased

    async def _consume(self) -> None:
        while (entry := await self.queue.get()) is not None:
            self.busy += 1
            self.wake.set()
            try:
                outcome = await self._answer(*entry)
            finally:
                self.busy -= 1
            # Appended after the await: a flush meanwhile swaps in a new list.
            self.outcomes.append(outcome)

    async def _answer(self, token: uuid.UUID, item: Item) -> ItemOutcome:
        """One item's outcome: reused, answered, or failed with its error kept."""
        config = self.run.configs[item.config_index]
        body = sweep.request_body(
            config=config,
            prompt=item.prompt,
            overrides=item.overrides,
            json_schema=self.run.json_schema,
        )
        if self.run.reuse:
            cached = await db(selectors.cached_outcome)(
                owner_id=self.run.owner_id, key=item.cache_key
            )
            if cached:
                return ItemOutcome(item.pk, token, False, {**cached, "reused": True})
        for attempt in range(1, settings.BATCH_MAX_ATTEMPTS + 1):
            try:
                fields = await self._attempt(item, body)
            except ProviderError as exc:
                if not exc.retryable or attempt == settings.BATCH_MAX_ATTEMPTS:
                    return ItemOutcome(item.pk, token, True, {"error": exc.readable})
                await self._back_off(exc, attempt)
            else:
                return ItemOutcome(item.pk, token, fields["response_status"] == "failed", fields)
        raise AssertionError("unreachable")

    async def _attempt(self, item: Item, body: dict[str, Any]) -> dict[str, Any]:
        """Send once through the throttle; result fields with cost and schema check."""
        sequence = await self._slot()
        ok = False
        try:
            fields = await calls.item_request(
                body={**body, **self._delivery()},
                on_headers=lambda headers: self._observe(sequence, headers),
                on_created=lambda response_id: self.in_flight.__setitem__(item.pk, response_id),
            )
            ok = True
        finally:
            self.in_flight.pop(item.pk, None)
            await self._release(ok=ok)
        if self.run.json_schema is not None and fields["response_status"] == "completed":
            fields |= calls.schema_check(text=fields["output_text"], schema=self.run.json_schema)
        fields["cost"] = cost_compute(
            price=self.prices.get(body["model"]),
            input_tokens=fields["input_tokens"],
            cached_tokens=fields["cached_tokens"],
            output_tokens=fields["output_tokens"],
        )
        return fields

    def _delivery(self) -> dict[str, Any]:
        """store, and background where stored (so Cancel reaches the provider)."""
        background = self.run.store and settings.OPENAI_BACKGROUND
        return {"store": self.run.store, **({"background": True} if background else {})}

    def _observe(self, sequence: int, headers: Any) -> None:
        limits = ratelimits_parse(headers)
        if limits is not None:
            self.throttle.observe(sequence=sequence, limits=limits)

    async def _slot(self) -> int:
        """Wait until the throttle lets a request start, and start it."""
        async with self.changed:
            while (wait := self.throttle.wait_seconds()) > 0:
                timeout = None if wait == math.inf else wait
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.changed.wait(), timeout)
            return self.throttle.start()

    async def _release(self, *, ok: bool) -> None:
        async with self.changed:
            self.throttle.finish(ok=ok)
            self.changed.notify_all()

    async def _back_off(self, exc: ProviderError, attempt: int) -> None:
        """429: the whole worker pauses and halves; other errors: this item backs off."""
        if isinstance(exc, RateLimitedError):
            async with self.changed:
                self.throttle.rate_limited(retry_after=exc.retry_after)
            return
        delay = exc.retry_after or min(0.5 * 2 ** (attempt - 1), 8.0)
        await asyncio.sleep(delay * (0.75 + random.random() / 2))

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            await self._flush()

    async def _flush(self, *, force_publish: bool = False) -> None:
        """Store the outcomes gathered since the last flush, then publish progress."""
        batch, self.outcomes = self.outcomes, []
        if batch:
            await db(services.items_finish)(run_id=self.run.pk, outcomes=batch)
        for outcome in batch:
            held = self.leased.get(outcome.lease_token, set())
            held.discard(outcome.item_id)
            if not held:
                self.leased.pop(outcome.lease_token, None)
        if (batch or force_publish) and (
            force_publish or time.monotonic() - self._published_at > PUBLISH_SECONDS
        ):
            self._published_at = time.monotonic()
            await self._publish()

    async def _publish(self) -> None:
        await services.run_progress_publish(run_id=self.run.pk)
        if self.on_progress is not None:
            self.on_progress(await selectors.arun_progress(run_id=self.run.pk))

    async def _renew_loop(self) -> None:
        while True:
            await asyncio.sleep(settings.BATCH_LEASE_SECONDS / 3)
            if self.leased:
                await db(services.leases_renew)(
                    tokens=list(self.leased), lease_seconds=settings.BATCH_LEASE_SECONDS
                )

    async def _cancel(self, consumers: list[asyncio.Task]) -> None:
        """Stop the in-flight requests here and cancel their background responses upstream."""
        response_ids = list(self.in_flight.values())
        for consumer in consumers:
            consumer.cancel()
        await asyncio.gather(*consumers, return_exceptions=True)
        self.outcomes.clear()
        self.leased.clear()
        for response_id in response_ids:
            try:
                await client.response_cancel(response_id=response_id)
            except ProviderError as exc:
                # Already finished, or not a background response: nothing is left to stop.
                logger.info("Cancel of %s at the provider: %s", response_id, exc)


async def _wait(event: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


def run_work(*, run_id: uuid.UUID, on_progress: Progress | None = None) -> LimitExceeded | None:
    """Work on a run from synchronous code (a task or a management command); returns the limit
    that paused it, if one did."""
    run = selectors.run_for_worker(run_id=run_id)
    if run.status in (RunStatus.COMPLETED, RunStatus.CANCELLED):
        return None
    return asyncio.run(RunWorker(run=run, on_progress=on_progress).main())
