"""A deterministic engine for tests and benchmarks (settings.PROVIDER_ENGINE = "scripted").

Contract (other tests rely on it). Let T be the text of the LAST user message of the context:

- reasoning text (when `reasoning.effort` is set and not `none`) = "Planning a reply to: " + T
- message text = "You said: " + T
- text is streamed as word pieces, `re.findall(r"\\s*\\S+", text)`, one piece per token, so the
  pieces concatenate exactly to the text.

Directives inside T:

- `[delay=MS]` sleeps MS milliseconds before every token (asyncio.sleep, so it is cancellable);
- `[tokens=N]` makes the message N tokens long: " word1 word2 ..." is appended after
  "You said: T" until there are N pieces in total;
- `[fail]` raises EngineError after 3 message tokens (the stream then emits the nested `error`
  event and `response.failed`);
- `[recall]` makes the message "Earlier you said: " + the previous user messages of the
  context joined with " | " (so chaining through previous_response_id is testable);
- `[call]` makes the reply a call of the first function tool under `tool_choice: "auto"`;
- `[arg=TEXT]` makes the strings of structured output (a call's arguments included) TEXT, not T.

Tool choice (the `choose` pass, under `tool_choice` auto, required or allowed_tools): the tools
called are those whose name appears in T, in the order the tools are listed (only the first
unless parallel calls are allowed); `[call]` names the first tool. When T names none, the reply
is text ("answer") if that is allowed, else a call of the first tool.

Compaction (the `summarize` pass) writes the user messages' texts joined with " | ".

Structured output (a pass with a JSON schema: `text.format` json_schema / json_object, or a
function call's arguments) is `json.dumps` of a deterministic instance of the schema
(provider.engines.schemas.example): every property present, strings = T, numbers 1.5, integers 1,
booleans true, enums and anyOf their first choice, arrays their `minItems` (else empty);
`$ref`s into the document are followed, and an anyOf choice that would recurse into a `$ref`
being expanded is skipped. A bare `{"type": "object"}` (json_object) is
`{"reply": "You said: " + T}` (with `additionalProperties` a schema, `reply` is its instance).
It streams as word pieces too.

Token counts: input tokens = whitespace-separated words across all context messages
(instructions included); output tokens = pieces emitted; `max_output_tokens` caps the pieces
(the response is then `incomplete`).

Schema checks (`check_schema`, before a run) refuse, as the local engine does, a `$ref` that
does not point into the document (`#/...`), e.g. the recursive `{"$ref": "#"}`:
"JSON schema error at PATH: unsupported $ref REF, only references into the same document are
supported".
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Any

from provider.engines.base import ChatMessage, Engine, EngineError, Generation, SchemaError
from provider.engines.choosing import ANSWER, SEPARATOR
from provider.engines.schemas import example, foreign_ref

FAIL_AFTER_TOKENS = 3


def split_pieces(text: str) -> list[str]:
    """Word pieces that concatenate exactly to `text` (leading spaces kept)."""
    return re.findall(r"\s*\S+", text)


def _user_texts(messages: list[ChatMessage]) -> list[str]:
    """Texts of the user messages, oldest first."""
    return [message["content"] for message in messages if message["role"] == "user"]


def _directive(text: str, name: str) -> int | None:
    """The integer of `[name=N]` in text, or None."""
    match = re.search(rf"\[{name}=(\d+)\]", text)
    return int(match.group(1)) if match else None


def reply_text(messages: list[ChatMessage]) -> str:
    """The scripted message text for a context."""
    users = _user_texts(messages)
    last = users[-1] if users else ""
    if "[recall]" in last:
        return "Earlier you said: " + " | ".join(users[:-1])
    text = "You said: " + last
    wanted = _directive(last, "tokens")
    if wanted is not None:
        pieces = split_pieces(text)
        filler = [f" word{n}" for n in range(1, max(0, wanted - len(pieces)) + 1)]
        text = "".join(pieces[:wanted] + filler)
    return text


def plan_text(messages: list[ChatMessage]) -> str:
    """The scripted reasoning text for a context."""
    users = _user_texts(messages)
    return "Planning a reply to: " + (users[-1] if users else "")


def choice_text(generation: Generation, last: str) -> str:
    """The scripted choice: the tools T names ([call]: the first), else answer or the first."""
    tools = [choice for choice in generation.choices if choice != ANSWER]
    named = [name for name in tools if name in last] or tools[:1] * ("[call]" in last)
    if not named:
        named = [ANSWER] if ANSWER in generation.choices else tools[:1]
    return SEPARATOR.join(named if generation.several else named[:1])


def _output_text(generation: Generation, last: str) -> str:
    """The reply text, the choice, or JSON for the generation's schema."""
    if generation.purpose == "choose":
        return choice_text(generation, last)
    if generation.purpose == "summarize":
        return " | ".join(_user_texts(generation.messages))
    schema = generation.schema
    if schema is None:
        return reply_text(generation.messages)
    plain = schema.get("type") == "object" and not schema.get("properties")
    argument = re.search(r"\[arg=([^\]]*)\]", last)
    filler = reply_text(generation.messages) if plain else argument[1] if argument else last
    return json.dumps(example(schema, filler))


class ScriptedEngine(Engine):
    """Replies by rule, instantly or with `[delay=MS]` between tokens."""

    def __init__(self, *, model_name: str, context_tokens: int = 8192) -> None:
        self.model_name = model_name
        self.context_tokens = context_tokens

    async def start(self) -> None:
        """Nothing to load."""

    async def check_schema(self, schema: dict[str, Any]) -> None:
        """Refuse a `$ref` outside the document, in the local engine's words."""
        found = foreign_ref(schema)
        if found:
            path, ref = found
            raise SchemaError(
                f"JSON schema error at {path}: unsupported $ref {ref}, only references into "
                "the same document are supported"
            )

    async def count_tokens(self, messages: list[ChatMessage]) -> int:
        """Whitespace-separated words across all messages."""
        return sum(len(message["content"].split()) for message in messages)

    async def stream(self, generation: Generation) -> AsyncIterator[str]:
        """Yield the scripted pieces, honouring max_tokens, the directives and cancel."""
        messages = generation.messages
        generation.prompt_tokens = await self.count_tokens(messages)
        users = _user_texts(messages)
        last = users[-1] if users else ""
        delay = (_directive(last, "delay") or 0) / 1000
        planning = generation.purpose == "plan"
        text = plan_text(messages) if planning else _output_text(generation, last)
        for index, piece in enumerate(split_pieces(text)):
            if index >= generation.max_tokens:
                generation.finish_reason = "length"
                return
            if delay:
                await asyncio.sleep(delay)
            if generation.cancel.is_set():
                return
            if not planning and "[fail]" in last and index == FAIL_AFTER_TOKENS:
                raise EngineError("The scripted engine failed as asked by [fail].")
            generation.output_tokens += 1
            yield piece
