"""The small interface the runner drives: stream text pieces for chat messages."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict


class ChatMessage(TypedDict):
    """One chat-completions style message."""

    role: str
    content: str


class EngineError(Exception):
    """The engine failed while generating; the response ends as `failed`."""


class SchemaError(Exception):
    """The engine cannot decode against a JSON schema; the message says what it refuses."""


@dataclass
class Generation:
    """One generation pass: the request, then the figures the engine reports back.

    `purpose="plan"` asks for a short reasoning plan of a reply to `messages`;
    `purpose="choose"` asks which of `choices` to take: "answer" (reply in text, when offered)
    or the names of tools to call (several, comma-separated, only when `several`);
    `purpose="summarize"` asks for a short summary of `messages` (compaction);
    `purpose="answer"` asks for the reply itself, with `notes` (a plan) to take into account.
    """

    messages: list[ChatMessage]
    max_tokens: int
    temperature: float = 1.0
    top_p: float = 1.0
    purpose: Literal["plan", "choose", "summarize", "answer"] = "answer"
    notes: str = ""
    choices: list[str] = field(default_factory=list)
    several: bool = False
    # A JSON schema the output must match (constrained decoding), or None for free text.
    schema: dict[str, Any] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    prompt_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    finish_reason: Literal["stop", "length"] = "stop"


class Engine(ABC):
    """A text generator; implementations must not block the event loop."""

    model_name: str
    # Tokens of prompt and output together that one request can hold.
    context_tokens: int
    # True when the model writes <think>...</think> itself, so no planning pass is needed.
    native_reasoning: bool = False

    @abstractmethod
    async def start(self) -> None:
        """Get ready to generate (load a model); called before every response."""

    @abstractmethod
    def stream(self, generation: Generation) -> AsyncIterator[str]:
        """Yield text pieces (one per token) and fill the generation's figures."""

    @abstractmethod
    async def check_schema(self, schema: dict[str, Any]) -> None:
        """Raise SchemaError if constrained decoding cannot use `schema` (checked before a run)."""

    @abstractmethod
    async def count_tokens(self, messages: list[ChatMessage]) -> int:
        """Number of prompt tokens these messages make."""
