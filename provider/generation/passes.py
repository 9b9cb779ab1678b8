"""The engine passes of one response: an optional planning pass, then a message or calls.

With tools on offer, a short grammar-bounded choice pass decides first: under `tool_choice`
auto (or allowed_tools in auto mode) between answering in text and calling tools, under
required between the tools (a single forced tool needs no pass). With `parallel_tool_calls`
the pass may name several. Each call's arguments are then decoded against its tool's
`parameters` (schema-constrained decoding) and streamed as deltas, one function_call each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from provider.engines.base import ChatMessage, Engine, Generation
from provider.engines.choosing import ANSWER, chosen
from provider.generation.compaction import compaction_item, kept_from, summary_generation
from provider.generation.constraints import choice_mode, choice_tools, output_schema
from provider.generation.prompt import prompt_messages
from provider.generation.reasoning import EFFORT_TOKENS, ThinkSplitter
from provider.ids import new_id
from provider.protocol import EventLog, Usage
from provider.request import CreateParams

# Used when the request sets no max_output_tokens: the local engine needs an explicit cap.
DEFAULT_MAX_OUTPUT_TOKENS = 2048
CHOICE_PASS_TOKENS = 32
ANY_OBJECT: dict[str, Any] = {"type": "object"}


class ServedRun(Protocol):
    """What the passes use of the run they serve (a runner.Run, which imports this module)."""

    params: CreateParams
    items: list[dict[str, Any]]
    engine: Engine
    log: EventLog
    usage: Usage
    cancel: threading.Event

    def publish(self) -> None:
        """Wake the run's subscribers: new events are in the log."""


class Passes:
    """Drives the engine for one run and routes its pieces into the run's event log."""

    def __init__(self, run: ServedRun, messages: list[ChatMessage]) -> None:
        self.run_ = run
        self.params = run.params
        self.engine = run.engine
        self.messages = messages
        self.budget = self.params.max_output_tokens or DEFAULT_MAX_OUTPUT_TOKENS
        self.notes = ""

    async def run(self) -> str:
        """All passes; returns the last pass's finish reason ("stop" or "length")."""
        await self.engine.start()
        await self._compact_if_long()
        planned = self.params.reasons and not self.engine.native_reasoning
        if planned:
            await self._plan()
        finish = await self._reply()
        if planned:
            await self._count_request_input()
        return finish

    async def _compact_if_long(self) -> None:
        """Above `context_management`'s threshold: summarise the context into a compaction
        item (the first output item) and answer from it and the newest user message."""
        threshold = self.params.compact_threshold
        if threshold is None or await self.engine.count_tokens(self.messages) <= threshold:
            return
        items = self.run_.items
        summary = await self._pass(
            summary_generation(items, cancel=self.run_.cancel), route=_ignore
        )
        item = compaction_item(summary.strip())
        self.run_.log.compaction(item)
        self.run_.publish()
        self.messages = prompt_messages(
            [item, *items[kept_from(items) :]],
            instructions=self.params.instructions,
            tools=self.params.tools,
            tool_choice=self.params.tool_choice,
        )

    async def _reply(self) -> str:
        """The passes after any plan: a function call or the message."""
        if self.budget <= 0 or self.run_.cancel.is_set():
            return "length"
        tools = await self._chosen_tools()
        if not tools:
            return await self._answer()
        finish = "stop"
        for tool in tools:
            finish = await self._call(tool)
            if finish == "length" or self.run_.cancel.is_set():
                break
        return finish

    async def _count_request_input(self) -> None:
        """Input is the request's prompt alone, as /input_tokens counts it: the plan the last
        pass also read is output (reasoning tokens), not input."""
        usage = self.run_.usage
        usage.input_tokens = await self.engine.count_tokens(self.messages)
        usage.cached_tokens = min(usage.cached_tokens, usage.input_tokens)

    async def _chosen_tools(self) -> list[dict[str, Any]]:
        """The tools to call, in order (none: answer in text), as the choice pass decides."""
        choice = self.params.tool_choice
        allowed = choice_tools(self.params.tools, choice)
        required = choice_mode(choice) == "required"
        several = self.params.parallel_tool_calls and len(allowed) > 1
        if not allowed or (required and len(allowed) == 1):
            return allowed
        names = [tool["name"] for tool in allowed]
        choices = names if required else [ANSWER, *names]
        pick = self._generation(max_tokens=min(self.budget, CHOICE_PASS_TOKENS))
        pick.purpose, pick.choices, pick.several = "choose", choices, several
        picked = chosen(await self._pass(pick, route=_ignore), choices)
        return [allowed[names.index(name)] for name in picked]

    def _generation(self, *, max_tokens: int, schema: dict[str, Any] | None = None) -> Generation:
        """An answer-side pass sharing this run's sampling values, notes and cancel flag."""
        return Generation(
            messages=self.messages,
            max_tokens=max_tokens,
            temperature=self.params.temperature,
            top_p=self.params.top_p,
            notes=self.notes,
            cancel=self.run_.cancel,
            schema=schema,
        )

    async def _pass(self, generation: Generation, *, route: Callable[[str], None]) -> str:
        """Stream one pass into the log; returns its whole text and spends its tokens."""
        pieces = []
        async for piece in self.engine.stream(generation):
            pieces.append(piece)
            route(piece)
            self.run_.publish()
        usage = self.run_.usage
        usage.input_tokens = generation.prompt_tokens
        usage.cached_tokens = generation.cached_tokens
        usage.output_tokens += generation.output_tokens
        self.budget -= generation.output_tokens
        return "".join(pieces)

    async def _plan(self) -> None:
        """The planning pass of a model that cannot think: a short reasoning item."""
        effort = EFFORT_TOKENS.get(self.params.effort or "", EFFORT_TOKENS["medium"])
        plan = self._generation(max_tokens=min(self.budget, effort))
        plan.purpose = "plan"
        self.notes = await self._pass(plan, route=self.run_.log.reasoning_delta)
        self.run_.usage.reasoning_tokens += plan.output_tokens

    async def _call(self, tool: dict[str, Any]) -> str:
        """One function call: its arguments decoded against the tool's parameters."""
        name, call_id, log = tool["name"], new_id("call"), self.run_.log
        arguments = self._generation(
            max_tokens=self.budget, schema=tool["parameters"] or ANY_OBJECT
        )
        await self._pass(arguments, route=lambda p: log.call_delta(p, name=name, call_id=call_id))
        return arguments.finish_reason

    async def _answer(self) -> str:
        """The message; a natively thinking model's <think> text becomes reasoning."""
        answer = self._generation(max_tokens=self.budget, schema=output_schema(self.params.text))
        if not self.engine.native_reasoning:
            await self._pass(answer, route=self.run_.log.text_delta)
            return answer.finish_reason
        splitter = ThinkSplitter()

        def route(piece: str) -> None:
            for kind, text in splitter.feed(piece):
                self._route_split(kind, text)

        await self._pass(answer, route=route)
        for kind, text in splitter.flush():
            self._route_split(kind, text)
        return answer.finish_reason

    def _route_split(self, kind: str, text: str) -> None:
        """Send split text to the reasoning item or the message, counting reasoning tokens."""
        if kind == "reasoning":
            self.run_.usage.reasoning_tokens += 1
            self.run_.log.reasoning_delta(text)
        else:
            self.run_.log.text_delta(text)


def _ignore(piece: str) -> None:
    """Drop a piece (the choice pass is not part of the output)."""
