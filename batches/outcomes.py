"""What a worker learned about one item: the fields its result row gets."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

TOKEN_FIELDS = ("input_tokens", "cached_tokens", "output_tokens", "reasoning_tokens")
# What an answer is, in the order the downloads list it.
ANSWER_FIELDS = (
    "output_text",
    "output_json",
    "schema_valid",
    "schema_error",
    "error",
    *TOKEN_FIELDS,
    "first_token_ms",
    "latency_ms",
    "cost",
    "reused",
)
# Result fields an outcome may set on its item (the rest of the row is the claim's).
RESULT_FIELDS = ("response_id", "response_status", *ANSWER_FIELDS)


@dataclass
class ItemOutcome:
    """One item's result, written only while `lease_token` still holds the item."""

    item_id: int
    lease_token: UUID
    failed: bool
    fields: dict[str, Any] = field(default_factory=dict)

    def tokens(self, name: str) -> int:
        """Tokens this outcome spent (a reused result spent none)."""
        return 0 if self.fields.get("reused") else int(self.fields.get(name) or 0)

    @property
    def cost(self) -> Decimal:
        """What this outcome cost (a reused result cost nothing)."""
        return Decimal(0) if self.fields.get("reused") else self.fields.get("cost") or Decimal(0)
