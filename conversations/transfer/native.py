"""Reading chatsite's own JSON export (the one transfer.exporting writes)."""

from __future__ import annotations

from typing import Any

from conversations.models import ReasoningEffort, TurnStatus
from conversations.transfer.exporting import USAGE_FIELDS
from conversations.transfer.fields import (
    ImportedConversation,
    ImportedTurn,
    ImportFileError,
    is_count,
    optional,
    required,
    title_of,
)

MODEL_MAX_LENGTH = 200
MIN_OUTPUT_TOKENS = 16
# A turn still running in the exported conversation was cut off by the export.
UNFINISHED = {TurnStatus.PENDING, TurnStatus.STREAMING}


def native_read(item: dict[str, Any], where: str) -> ImportedConversation:
    turns = required(item, "turns", list, where)
    return ImportedConversation(
        title=title_of(item.get("title"), where),
        settings=_settings(required(item, "settings", dict, where), where),
        turns=[_chatsite_turn(turn, f"{where}, turn {n}") for n, turn in enumerate(turns, 1)],
    )


def _chatsite_turn(turn: object, where: str) -> ImportedTurn:
    if not isinstance(turn, dict):
        raise ImportFileError(f"{where} is not an object.")
    status = required(turn, "status", str, where)
    if status not in TurnStatus.values:
        raise ImportFileError(f"{where}: unknown status “{status}”.")
    usage = turn.get("usage") or {}
    if not isinstance(usage, dict) or any(
        not (usage.get(name) is None or is_count(usage.get(name))) for name in USAGE_FIELDS
    ):
        raise ImportFileError(f"{where}: “usage” should hold token counts.")
    return ImportedTurn(
        user_text=required(turn, "user_text", str, where),
        output_text=required(turn, "output_text", str, where),
        reasoning_text=optional(turn, "reasoning_text", str, where, ""),
        status=TurnStatus.INTERRUPTED if status in UNFINISHED else status,
        error=optional(turn, "error", str, where, ""),
        model=optional(turn, "model", str, where, "")[:MODEL_MAX_LENGTH],
        usage={name: usage.get(name) for name in USAGE_FIELDS},
    )


def _settings(settings: dict[str, Any], where: str) -> dict[str, Any]:
    where = f"{where}, settings"
    temperature = settings.get("temperature")
    if temperature is not None and not (
        isinstance(temperature, int | float) and 0 <= temperature <= 2
    ):
        raise ImportFileError(f"{where}: “temperature” should be a number from 0 to 2.")
    limit = settings.get("max_output_tokens")
    if limit is not None and not (is_count(limit) and limit >= MIN_OUTPUT_TOKENS):
        raise ImportFileError(f"{where}: “max_output_tokens” should be at least 16.")
    effort = optional(settings, "reasoning_effort", str, where, ReasoningEffort.LOW)
    if effort not in ReasoningEffort.values:
        raise ImportFileError(f"{where}: unknown “reasoning_effort” “{effort}”.")
    return {
        "instructions": optional(settings, "instructions", str, where, ""),
        "model": optional(settings, "model", str, where, "")[:MODEL_MAX_LENGTH],
        "temperature": temperature,
        "max_output_tokens": limit,
        "reasoning_effort": effort,
    }
