"""A turn's tool rounds: run the function calls a response made, then ask for the next one.

The loop: the model calls → chatsite runs the functions (tools.running: time limit, errors as
output) → the outputs go back chained with previous_response_id (or, to a provider that keeps
no state, after the whole input so far) → the model continues. After CHAT_TOOL_ROUNDS rounds
the next response must answer (`tool_choice: "none"`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings

from conversations import selectors, services
from conversations.streaming.endings import final_texts
from conversations.streaming.events import tool_call_message
from conversations.streaming.jobs import Job, job_publish
from conversations.streaming.requests import request_body
from conversations.tools.base import ToolContext
from conversations.tools.hosted import hosted_call
from conversations.tools.running import tool_call_run
from responses_client import client
from responses_client.usage import usage_add

# Between the text before a tool round and the text after it.
ROUND_SEPARATOR = "\n\n"


async def tool_round(job: Job, *, body: dict[str, Any]) -> dict[str, Any] | None:
    """Run the calls of the response that just ended; the next response's body, or None when
    the turn is done (it answered, failed, or was cut short)."""
    finished = job.finished
    if finished is None or finished.status != "completed" or not finished.function_calls:
        return None
    if job.rounds >= settings.CHAT_TOOL_ROUNDS:
        return None  # it was told to answer (tool_choice none) and called again: end here
    access = await database_sync_to_async(selectors.conversation_tool_access)(
        conversation_id=job.turn.conversation_id
    )
    base = body if "model" in body else await request_body(turn=job.turn, background=job.background)
    context = ToolContext(owner_id=access.owner_id)
    outputs = await asyncio.gather(
        *(
            _call_run(job, item=item, context=context, allowed=access.tools)
            for item in finished.function_calls
        )
    )
    await _round_close(job)
    return _next_body(job, base=base, finished_output=list(finished.output), outputs=outputs)


async def _call_run(
    job: Job, *, item: dict[str, Any], context: ToolContext, allowed: list[str]
) -> dict[str, Any]:
    """Run one call (unless a re-attached job finds it already ran) and announce it twice."""
    call_id = str(item.get("call_id") or "")
    # A re-attached job may find the calls of its response already run before the crash.
    ran = (call_id, job.response_id, True)
    done = next(
        (c for c in job.tool_calls if (c["call_id"], c["response_id"], c["ok"] is not None) == ran),
        None,
    )
    if done is None:
        done = await _call_fresh(job, item=item, context=context, allowed=allowed)
    return {"type": "function_call_output", "call_id": call_id, "output": done["output"]}


async def _call_fresh(
    job: Job, *, item: dict[str, Any], context: ToolContext, allowed: list[str]
) -> dict[str, Any]:
    call = {
        "call_id": str(item.get("call_id") or ""),
        "name": str(item.get("name") or ""),
        "arguments": str(item.get("arguments") or ""),
        "response_id": job.response_id,
        "output": None,
        "ok": None,
    }
    job.tool_calls.append(call)
    await job_publish(job, tool_call_message(turn_id=job.turn.pk, call=dict(call)))
    result = await tool_call_run(
        name=call["name"], arguments=call["arguments"], context=context, allowed=allowed
    )
    call.update(output=result.output, ok=result.ok)
    await job_publish(job, tool_call_message(turn_id=job.turn.pk, call=dict(call)))
    return call


async def _round_close(job: Job) -> None:
    """Keep what the ended response said and counted; the next one starts from nothing."""
    text = final_texts(job, kind="text")
    if text and not text.endswith(ROUND_SEPARATOR):
        await job.relay.add(kind="text", text=ROUND_SEPARATOR)
        text += ROUND_SEPARATOR
    job.text_before = {"text": text, "reasoning": final_texts(job, kind="reasoning")}
    job.usage_before = usage_add(job.usage_before, job.finished.usage if job.finished else None)
    job.compacted = job.compacted or bool(job.finished and job.finished.compacted)
    job.rounds += 1
    job.finished, job.finishing, job.resuming = None, False, False
    job.response_id, job.provider_seq = "", None


def _next_body(
    job: Job,
    *,
    base: dict[str, Any],
    finished_output: list[dict[str, Any]],
    outputs: list[dict[str, Any]],
) -> dict[str, Any]:
    body = {
        key: value for key, value in base.items() if key not in ("input", "previous_response_id")
    }
    previous = next((c["response_id"] for c in reversed(job.tool_calls) if c["response_id"]), "")
    if settings.OPENAI_STATELESS or not previous:
        sent = base.get("input") or []
        history = [{"role": "user", "content": sent}] if isinstance(sent, str) else list(sent)
        body["input"] = [*history, *finished_output, *outputs]
    else:
        body["previous_response_id"], body["input"] = previous, outputs
    if job.rounds >= settings.CHAT_TOOL_ROUNDS:
        body["tool_choice"] = "none"
    return body


def tool_refusal_text(exc: client.ProviderError) -> str | None:
    """What to tell the user when the provider refused one of the conversation's tools."""
    body = exc.body if isinstance(exc.body, dict) else {}
    param = str((body.get("error") or {}).get("param") or "")
    if exc.status != 400 or not param.startswith("tools"):
        return None
    return (
        f"{exc.readable} This provider does not offer a tool turned on in this "
        "conversation's Settings (hosted tools need OpenAI): turn it off there."
    )


async def hosted_call_record(job: Job, *, item: dict[str, Any]) -> None:
    """Show a call the provider ran itself (web search, code interpreter, MCP) in the turn."""
    call = hosted_call(item=item, response_id=job.response_id)
    job.tool_calls = [c for c in job.tool_calls if c["call_id"] != call["call_id"]] + [call]
    await job_publish(job, tool_call_message(turn_id=job.turn.pk, call=call))


async def round_record(job: Job) -> None:
    """Save the new round's response id and the calls so far: a re-attach continues from here."""
    await database_sync_to_async(services.turn_round_start)(
        turn_id=job.turn.pk, response_id=job.response_id, tool_calls=list(job.tool_calls)
    )
