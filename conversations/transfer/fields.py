"""What an import reads: conversations and turns found in a file, and the checks on its fields.

Every problem is an ImportFileError whose message names what is wrong and where, so a person
can tell a wrong file from a damaged one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conversations.models import TurnStatus

TITLE_MAX_LENGTH = 200


class ImportFileError(ValueError):
    """The file cannot be imported; the message says why, for the person who chose it."""


@dataclass(frozen=True)
class ImportedTurn:
    """One message and its answer, as found in the file."""

    user_text: str
    output_text: str
    reasoning_text: str = ""
    status: str = TurnStatus.COMPLETED
    error: str = ""
    model: str = ""
    usage: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportedConversation:
    """One conversation read from the file, ready to store."""

    title: str
    turns: list[ImportedTurn]
    settings: dict[str, Any] = field(default_factory=dict)


def is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


TYPE_NAMES = {str: "text", list: "a list", dict: "an object"}


def required(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    """data[key], which must be of `kind`."""
    value = data.get(key)
    if not isinstance(value, kind):
        missing = "is missing" if value is None else f"should be {TYPE_NAMES[kind]}"
        raise ImportFileError(f"{where}: “{key}” {missing}.")
    return value


def optional(data: dict[str, Any], key: str, kind: type, where: str, default: Any) -> Any:
    """data[key] if present (and then of `kind`), else the default."""
    return default if data.get(key) is None else required(data, key, kind, where)


def title_of(value: object, where: str) -> str:
    """A title on one line, cut to the column's length; an untitled conversation is New chat."""
    if value is not None and not isinstance(value, str):
        raise ImportFileError(f"{where}: “title” should be text.")
    return " ".join((value or "").split())[:TITLE_MAX_LENGTH] or "New chat"
