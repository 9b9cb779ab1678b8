"""Full-text search: the index follows every write, hits are ranked, marked, escaped, owner-only.

These run on SQLite here and on a real PostgreSQL server through test_search_postgres.py.
"""

from __future__ import annotations

import pytest

from conversations import search, services
from conversations.models import Turn, TurnStatus

pytestmark = pytest.mark.django_db


def answered(conversation, question: str, answer: str) -> Turn:
    """A turn asked and answered through the services, as the streaming job writes it."""
    turn = services.turn_create(conversation=conversation, text=question)
    services.turn_finish(
        turn_id=turn.pk,
        status=TurnStatus.COMPLETED,
        output_text=answer,
        reasoning_text="",
        usage=None,
        error="",
        started_at=turn.created_at,
        reasoning_ended_at=None,
    )
    return turn


def hits(owner, query: str) -> list[tuple[str, int | None, str]]:
    return [
        (str(hit.conversation_id), hit.position, str(hit.snippet))
        for hit in search.conversation_search(owner=owner, query=query)
    ]


def test_finds_a_word_of_a_finished_answer_at_its_turn(conversation_factory):
    conversation = conversation_factory(title="Fruit")
    answered(conversation, "first question", "nothing here")
    turn = answered(conversation, "second question", "Bananas are yellow.")
    [hit] = search.conversation_search(owner=conversation.owner, query="yellow")
    assert (hit.conversation_id, hit.turn_id, hit.position) == (conversation.pk, turn.pk, 1)
    assert "<mark>yellow</mark>" in hit.snippet


def test_finds_a_user_message_as_soon_as_it_is_sent(conversation_factory):
    conversation = conversation_factory(title="Fruit")
    services.turn_create(conversation=conversation, text="what about quinces")
    assert [position for _, position, _ in hits(conversation.owner, "quinces")] == [0]


def test_checkpointed_text_is_searchable_and_replaced_at_the_end(conversation_factory):
    conversation = conversation_factory(title="Fruit")
    turn = services.turn_create(conversation=conversation, text="go on")
    services.turn_checkpoint(
        turn_id=turn.pk,
        output_text="partial apricot",
        reasoning_text="",
        worker="w1",
        background=False,
        provider_seq=None,
        stream_seq=3,
    )
    assert len(hits(conversation.owner, "apricot")) == 1
    answered_turn = Turn.objects.get(pk=turn.pk)
    services.turn_finish(
        turn_id=answered_turn.pk,
        status=TurnStatus.COMPLETED,
        output_text="final plum",
        reasoning_text="",
        usage=None,
        error="",
        started_at=answered_turn.created_at,
        reasoning_ended_at=None,
    )
    assert hits(conversation.owner, "apricot") == []
    assert len(hits(conversation.owner, "plum")) == 1


def test_title_follows_renames(conversation_factory):
    conversation = conversation_factory(title="Holiday plans")
    services.conversation_rename(conversation=conversation, title="Trip to Lisbon")
    assert hits(conversation.owner, "holiday") == []
    [hit] = search.conversation_search(owner=conversation.owner, query="lisbon")
    assert (hit.turn_id, hit.position) == (None, None)
    assert str(hit.title) == "Trip to <mark>Lisbon</mark>"


def test_deleted_turns_and_conversations_leave_the_index(conversation_factory):
    conversation = conversation_factory(title="Desserts")
    kept = answered(conversation, "keep", "cherry pie")
    gone = answered(conversation, "drop", "cherry jam")
    services.turn_delete(turn=gone)
    assert [position for _, position, _ in hits(conversation.owner, "cherry")] == [kept.position]
    services.conversation_delete(conversation=conversation)
    assert hits(conversation.owner, "cherry") == []
    assert hits(conversation.owner, "desserts") == []


def test_only_the_owners_conversations(conversation_factory, user_factory):
    mine = conversation_factory(title="Mine")
    answered(mine, "q", "shared word mango")
    theirs = conversation_factory(title="mango too")
    answered(theirs, "q", "mango again")
    assert {conversation_id for conversation_id, _, _ in hits(mine.owner, "mango")} == {
        str(mine.pk)
    }
    assert hits(user_factory(), "mango") == []


def test_every_word_must_match_and_the_last_may_be_a_prefix(conversation_factory):
    conversation = conversation_factory(title="Notes")
    answered(conversation, "a", "green apples")
    answered(conversation, "b", "green pears")
    assert [p for _, p, _ in hits(conversation.owner, "green appl")] == [0]
    assert len(hits(conversation.owner, "green")) == 2


def test_the_last_word_is_a_prefix_only_when_it_is_no_whole_word(conversation_factory):
    conversation = conversation_factory(title="Notes")
    answered(conversation, "a", "a cat sat")
    answered(conversation, "b", "catalogue of parts")
    assert [p for _, p, _ in hits(conversation.owner, "cat")] == [0]
    assert [p for _, p, _ in hits(conversation.owner, "catalo")] == [1]


def test_words_joined_by_underscores_are_words(conversation_factory):
    conversation = conversation_factory(title="Notes")
    answered(conversation, "a", "set max_tokens high")
    assert [p for _, p, _ in hits(conversation.owner, "max_tokens")] == [0]
    assert [p for _, p, _ in hits(conversation.owner, "tokens_max")] == [0]


def test_words_match_their_other_forms(conversation_factory):
    conversation = conversation_factory(title="Notes")
    answered(conversation, "a", "she runs every morning")
    assert len(hits(conversation.owner, "running")) == 1


def test_better_matches_rank_first(conversation_factory):
    conversation = conversation_factory(title="Notes")
    answered(conversation, "a", "walnut " + "filler words that dilute the match " * 20)
    answered(conversation, "b", "walnut walnut walnut")
    assert [p for _, p, _ in hits(conversation.owner, "walnut")] == [1, 0]


@pytest.mark.parametrize(
    "query",
    [
        '"kiwi',
        'kiwi"',
        "kiwi*",
        "-kiwi",
        "(kiwi",
        "kiwi)",
        "kiwi:*",
        "'kiwi'",
        "kiwi & | !",
        "^kiwi",
        "{kiwi}",
        "kiwi;",
        "kiwi\\",
        "+kiwi",
        "kiwi~",
    ],
)
def test_syntax_characters_around_a_word_still_find_it(conversation_factory, query):
    conversation = conversation_factory(title="Notes")
    answered(conversation, "a", "a kiwi, a lime")
    assert [snippet for _, _, snippet in hits(conversation.owner, query)] == [
        "a <mark>kiwi</mark>, a lime"
    ]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        ":",
        "(",
        ")",
        "AND",
        "OR",
        "NOT",
        "NEAR",
        "kiwi AND",
        "title:kiwi",
        'a"b',
        "x" * 5000,
        " ".join(["kiwi"] * 100),
    ],  # fmt: skip
)
def test_operators_alone_are_words_never_an_error(conversation_factory, query):
    conversation = conversation_factory(title="Notes")
    answered(conversation, "a", "a kiwi, a lime")
    hits(conversation.owner, query)


def test_query_without_words_finds_nothing(conversation_factory):
    conversation = conversation_factory(title="Notes")
    answered(conversation, "a", "anything")
    assert hits(conversation.owner, '"* - ( :') == []


def test_snippets_escape_everything_but_the_marks(conversation_factory):
    conversation = conversation_factory(title="<b>bold</b> title")
    answered(conversation, "q", 'the answer <script>alert("x")</script> mentions papaya')
    [hit] = search.conversation_search(owner=conversation.owner, query="papaya")
    assert "<script>" not in hit.snippet
    assert "&lt;script&gt;" in hit.snippet
    assert "<mark>papaya</mark>" in hit.snippet
    assert str(hit.title) == "&lt;b&gt;bold&lt;/b&gt; title"


def test_marked_pairs_delimiters_found_in_the_text():
    html = search.marked("a \x02b\x03 \x02c")
    assert html == "a <mark>b</mark> <mark>c</mark>"


def test_turns_are_ranked_among_the_newest_matches(conversation_factory, monkeypatch):
    monkeypatch.setattr(search, "SEARCH_WINDOW", 2)
    conversation = conversation_factory(title="Notes")
    answered(conversation, "a", "fig fig fig")
    answered(conversation, "b", "fig and more words")
    answered(conversation, "c", "a fig with other words")
    assert sorted(p for _, p, _ in hits(conversation.owner, "fig")) == [1, 2]
