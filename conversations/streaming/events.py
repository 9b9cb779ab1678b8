"""Pure mapping: provider SSE events -> what a turn records and what sockets receive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from conversations.tools.hosted import HOSTED_ITEM_TYPES, citations
from responses_client.errors import error_code
from responses_client.usage import Usage, usage_parse

DeltaKind = Literal["reasoning", "text"]

# Raw chain of thought (our provider, vLLM, gpt-oss) and OpenAI's summaries are both "reasoning".
DELTA_KINDS: dict[str, DeltaKind] = {
    "response.reasoning_text.delta": "reasoning",
    "response.reasoning_summary_text.delta": "reasoning",
    "response.output_text.delta": "text",
}
TERMINAL_STATUSES = {
    "response.completed": "completed",
    "response.incomplete": "incomplete",
    "response.failed": "failed",
}

# Error codes (of a failed response or an `error` event) a second try may get past; the others
# (context_length_exceeded, invalid_prompt, image errors…) fail the same way again.
RETRYABLE_ERROR_CODES = frozenset({"server_error", "rate_limit_exceeded", "vector_store_timeout"})

# Why a response is incomplete (incomplete_details.reason), as the end of a sentence.
INCOMPLETE_REASONS = {
    "max_output_tokens": "it reached the output limit",
    "content_filter": "the provider's content filter stopped it",
}


@dataclass(frozen=True)
class Created:
    response_id: str


@dataclass(frozen=True)
class Delta:
    kind: DeltaKind
    text: str


@dataclass(frozen=True)
class ReasoningDone:
    pass


@dataclass(frozen=True)
class HostedCall:
    """A tool the provider ran itself (web search, code interpreter…) ended: its output item."""

    item: dict[str, Any]


@dataclass(frozen=True)
class StreamError:
    message: str
    retryable: bool = True


@dataclass(frozen=True)
class Finished:
    status: str
    usage: Usage | None
    error: str
    output_text: str | None
    reasoning_text: str | None
    retryable: bool = True
    # The response's function_call items, for chatsite to run; its whole output, to send back
    # to a provider that keeps no state.
    function_calls: tuple[dict[str, Any], ...] = ()
    output: tuple[dict[str, Any], ...] = ()
    # The provider summarised the earlier context first (a compaction item leads the output).
    compacted: bool = False
    # The sources the answer cites: [{url, title}].
    citations: tuple[dict[str, str], ...] = ()


Event = Created | Delta | ReasoningDone | HostedCall | StreamError | Finished


def event_parse(*, event: dict[str, Any]) -> Event | None:
    """What one provider event means to a turn; None for events we don't act on."""
    kind = event.get("type", "")
    if kind == "response.created":
        return Created(response_id=event["response"]["id"])
    if kind in DELTA_KINDS:
        return Delta(kind=DELTA_KINDS[kind], text=event.get("delta") or "")
    if kind == "response.output_item.done":
        return _item_done(event.get("item") or {})
    if kind == "error":
        return StreamError(
            message=str(event["error"].get("message") or "The provider failed."),
            retryable=error_retryable(code=error_code(event)),
        )
    if kind in TERMINAL_STATUSES:
        return finished_parse(status=TERMINAL_STATUSES[kind], response=event.get("response") or {})
    return None


def _item_done(item: dict[str, Any]) -> Event | None:
    if item.get("type") == "reasoning":
        return ReasoningDone()
    if item.get("type") in HOSTED_ITEM_TYPES:
        return HostedCall(item=item)
    return None


def finished_parse(*, status: str, response: dict[str, Any]) -> Finished:
    """The final state of a response from its terminal Response object."""
    output = response.get("output") or []
    return Finished(
        status=status,
        usage=usage_parse(usage=response.get("usage")),
        error=_error_text(response=response),
        output_text=_joined(
            output, item_type="message", key="content", part_types=("output_text", "refusal")
        ),
        reasoning_text=_reasoning_text(output),
        retryable=error_retryable(code=error_code(response)),
        function_calls=tuple(item for item in output if item.get("type") == "function_call"),
        output=tuple(output),
        compacted=any(item.get("type") == "compaction" for item in output),
        citations=tuple(citations(output=output)),
    )


def error_retryable(*, code: str | None) -> bool:
    """Whether a provider error with this code may pass on a second try (unknown when no code)."""
    return code is None or code in RETRYABLE_ERROR_CODES


def _error_text(*, response: dict[str, Any]) -> str:
    error = response.get("error") or {}
    if error.get("message"):
        return str(error["message"])
    reason = (response.get("incomplete_details") or {}).get("reason")
    if not reason:
        return ""
    return f"The answer is incomplete: {INCOMPLETE_REASONS.get(reason, reason)}."


def _reasoning_text(output: list[dict[str, Any]]) -> str | None:
    raw = _joined(output, item_type="reasoning", key="content", part_types=("reasoning_text",))
    if raw is not None:
        return raw
    return _joined(output, item_type="reasoning", key="summary", part_types=("summary_text",))


def _joined(
    output: list[dict[str, Any]],
    *,
    item_type: str,
    key: str,
    part_types: tuple[str, ...],
) -> str | None:
    """Concatenated text of the parts of the matching items, or None when there are none."""
    texts = [
        part.get("text") or part.get("refusal") or ""
        for item in output
        if item.get("type") == item_type
        for part in item.get(key) or []
        if part.get("type") in part_types
    ]
    return "".join(texts) if texts else None


def delta_message(*, turn_id: int, seq: int, kind: DeltaKind, delta: str) -> dict[str, Any]:
    """Socket frame for a (coalesced) delta."""
    return {"type": "turn.delta", "turn_id": turn_id, "seq": seq, "kind": kind, "delta": delta}


def response_message(*, turn_id: int, response_id: str) -> dict[str, Any]:
    """Socket frame announcing the provider's response id."""
    return {"type": "turn.response", "turn_id": turn_id, "response_id": response_id}


def reasoning_done_message(*, turn_id: int, seconds: float) -> dict[str, Any]:
    """Socket frame closing the reasoning phase."""
    return {"type": "turn.reasoning_done", "turn_id": turn_id, "seconds": seconds}


def tool_call_message(*, turn_id: int, call: dict[str, Any]) -> dict[str, Any]:
    """Socket frame for a function call of the turn: started (no output yet) or done."""
    return {"type": "turn.tool_call", "turn_id": turn_id, "call": call}


def turn_message(*, kind: Literal["turn.created", "turn.finished"], turn: dict) -> dict[str, Any]:
    """Socket frame carrying a whole serialised turn."""
    return {"type": kind, "turn": turn}


def resumed_message(*, turn: dict, seq: int) -> dict[str, Any]:
    """Socket frame after a re-attach: the turn's checkpointed state; its deltas go on after seq."""
    return {"type": "turn.resumed", "turn": turn, "seq": seq}
