"""Writes of a turn's tool rounds (streaming.toolrounds runs them)."""

from __future__ import annotations

from conversations.models import Turn, TurnStatus


def turn_round_start(
    *, turn_id: int, response_id: str, tool_calls: list[dict[str, object]]
) -> bool:
    """Record the response of a new tool round and the calls before it; False if the turn ended.

    Its stream position starts over with the new response, in the same write, so a re-attach
    never resumes one response at another's position.
    """
    return bool(
        Turn.objects.filter(pk=turn_id, status=TurnStatus.STREAMING).update(
            response_id=response_id, tool_calls=tool_calls, provider_seq=None
        )
    )
