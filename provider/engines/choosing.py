"""The choice pass's prompt for models without native tool calls: answer, or call which tools.

The offered functions are already described in the system message (generation.prompt); the
choice request goes at the end of the last user message, so the pass shares the conversation's
prefix (and its KV cache) with the answer or argument passes that follow. A grammar bounds the
reply to the offered names; decoded at temperature 0, the pass is deterministic.
"""

from __future__ import annotations

import json

from provider.engines.base import ChatMessage
from provider.engines.planning import with_last_user_suffix

# The answer option's name; a function cannot take it (chosen names are the tools' own).
ANSWER = "answer"
# Measured on SmolLM2-135M (8 prompts: weather, greeting, a fact, arithmetic, search, a joke;
# one or two tools): 8/8 right with the tools in one order, 7/8 in the other.
CHOICE_REQUEST = (
    "(Decide how to reply: write the name of the function that would answer this message, "
    "or write answer to reply directly.)"
)
SEVERAL_REQUEST = (
    "(Decide how to reply: write the names of the functions that would answer this message, "
    "separated by commas, or write answer to reply directly.)"
)
SEPARATOR = ", "


def choice_messages(messages: list[ChatMessage], *, several: bool) -> list[ChatMessage]:
    """The conversation with the choice request appended to the last user message."""
    return with_last_user_suffix(messages, SEVERAL_REQUEST if several else CHOICE_REQUEST)


def choice_grammar(choices: list[str], *, several: bool) -> str:
    """GBNF: one of the choices, or (several) a comma-separated list of the tool names."""
    names = [choice for choice in choices if choice != ANSWER]
    tool = " | ".join(json.dumps(name) for name in names)
    rules = [f"tool ::= {tool}"]
    call = f"tool ({json.dumps(SEPARATOR)} tool)*" if several else "tool"
    root = f"{json.dumps(ANSWER)} | {call}" if ANSWER in choices else call
    return "\n".join([f"root ::= {root}", *rules])


def chosen(text: str, choices: list[str]) -> list[str]:
    """The distinct offered names in a choice pass's text, in order (empty: answer)."""
    names = [part.strip() for part in text.split(",")]
    picked = [name for name in dict.fromkeys(names) if name in choices and name != ANSWER]
    if picked or ANSWER in choices:
        return picked
    return [choices[0]]  # a call is required and the pass was cut short
