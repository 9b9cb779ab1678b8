"""The validated create request a response is generated from and echoes (CreateParams)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The least `max_output_tokens` a request may ask for, and the room a context must leave.
MIN_OUTPUT_TOKENS = 16


@dataclass
class CreateParams:
    """A validated create request."""

    model: str
    input_items: list[dict[str, Any]]
    instructions: str | None = None
    temperature: float = 1.0
    top_p: float = 1.0
    max_output_tokens: int | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    effort: str | None = None
    summary: str | None = None
    previous_response_id: str | None = None
    store: bool = True
    stream: bool = False
    background: bool = False
    include_obfuscation: bool = True
    include: list[str] = field(default_factory=list)
    tools: list[dict[str, Any]] = field(default_factory=list)
    tool_choice: Any = "auto"
    parallel_tool_calls: bool = True
    text: dict[str, Any] = field(default_factory=lambda: {"format": {"type": "text"}})
    truncation: str = "disabled"
    safety_identifier: str | None = None
    prompt_cache_key: str | None = None
    user: str | None = None
    max_tool_calls: int | None = None
    conversation: str | None = None
    top_logprobs: int = 0
    # context_management compaction: prompts above this many tokens are compacted first.
    compact_threshold: int | None = None

    @property
    def kept(self) -> bool:
        """Whether the response is stored: as asked, and always in background mode.

        A background response must stay retrievable and cancellable, so the offline server
        keeps it until it is deleted even with `store: false` (spec §9).
        """
        return self.store or self.background

    @property
    def reasons(self) -> bool:
        """Whether the response gets a reasoning item."""
        return self.effort not in (None, "none")

    def echo(self) -> dict[str, Any]:
        """The request fields a Response object echoes."""
        return {
            "instructions": self.instructions,
            "max_output_tokens": self.max_output_tokens,
            "max_tool_calls": self.max_tool_calls,
            "metadata": dict(self.metadata),
            "model": self.model,
            "parallel_tool_calls": self.parallel_tool_calls,
            "previous_response_id": self.previous_response_id,
            "prompt_cache_key": self.prompt_cache_key,
            "reasoning": {"effort": self.effort, "summary": self.summary},
            "safety_identifier": self.safety_identifier,
            "service_tier": "default",
            "store": self.store,
            "temperature": self.temperature,
            "text": self.text,
            "tool_choice": self.tool_choice,
            "tools": self.tools,
            "top_p": self.top_p,
            "truncation": self.truncation,
            "user": self.user,
            "conversation": {"id": self.conversation} if self.conversation else None,
            "top_logprobs": self.top_logprobs,
            "frequency_penalty": 0.0,
            "presence_penalty": 0.0,
        }
