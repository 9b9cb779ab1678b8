"""The choice pass's prompt, grammar and reading of its text (pure)."""

from __future__ import annotations

from provider.engines.choosing import (
    CHOICE_REQUEST,
    SEVERAL_REQUEST,
    choice_grammar,
    choice_messages,
    chosen,
)


def test_choice_request_ends_the_last_user_message() -> None:
    messages = [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"}]
    messages.append({"role": "user", "content": "q2"})

    one = choice_messages(messages, several=False)
    many = choice_messages(messages, several=True)

    assert one[:2] == messages[:2]
    assert one[2]["content"] == f"q2\n\n{CHOICE_REQUEST}"
    assert many[2]["content"] == f"q2\n\n{SEVERAL_REQUEST}"


def test_grammar_offers_answer_only_when_it_is_a_choice() -> None:
    auto = choice_grammar(["answer", "f", "g"], several=False)
    required = choice_grammar(["f", "g"], several=True)

    assert auto.splitlines() == ['root ::= "answer" | tool', 'tool ::= "f" | "g"']
    assert required.splitlines() == ['root ::= tool (", " tool)*', 'tool ::= "f" | "g"']


def test_chosen_reads_distinct_offered_names() -> None:
    assert chosen("answer", ["answer", "f"]) == []
    assert chosen("g, f, g", ["answer", "f", "g"]) == ["g", "f"]
    assert chosen("", ["f", "g"]) == ["f"]
