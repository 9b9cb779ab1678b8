"""Long chats against a live embedded provider (scripted engine) whose window is small.

With compaction on, the provider summarises the earlier turns and a later answer still uses a
fact of the first; with truncation, the same chat loses it. Either way nothing fails.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from channels.db import database_sync_to_async

from conversations import services
from conversations.models import Turn, TurnStatus
from conversations.streaming import generation
from tests.live import LiveServer, live_server_start

pytestmark = pytest.mark.django_db(transaction=True)

WINDOW = 1500
# Each long turn is about 500 tokens (the scripted engine counts words): the fourth crosses
# the window, the third the compaction threshold.
TURNS = ["My cat is called Tom. [tokens=500]", "Second. [tokens=500]", "Third. [tokens=500]"]


@pytest.fixture(scope="module")
def small_window(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app's embedded provider with a 1,500-token window."""
    server = live_server_start(
        data_dir=tmp_path_factory.mktemp("small-window"), PROVIDER_CONTEXT_TOKENS=str(WINDOW)
    )
    yield server
    server.stop()


async def chat(conversation, texts: list[str]) -> list[Turn]:
    """Send each message in turn, waiting for its answer."""
    turns = []
    for text in texts:
        draft = services.TurnDraft(text=text)
        turn = await generation.generation_submit(conversation=conversation, draft=draft)
        await generation._jobs[conversation.pk].task
        turns.append(await Turn.objects.aget(pk=turn.pk))
    return turns


@pytest.mark.parametrize("compaction", [True, False])
async def test_a_chat_longer_than_the_window(
    settings, small_window, conversation_factory, compaction
):
    settings.OPENAI_BASE_URL, settings.OPENAI_API_KEY = small_window.v1, small_window.api_key
    settings.CHAT_COMPACTION, settings.CHAT_COMPACT_THRESHOLD = compaction, 1000
    conversation = await database_sync_to_async(conversation_factory)()
    turns = await chat(conversation, [*TURNS, "What did I say? [recall]"])
    assert [turn.status for turn in turns] == [TurnStatus.COMPLETED] * 4
    recalled = turns[-1].output_text
    assert recalled.startswith("Earlier you said: ")
    if compaction:
        assert [turn.compacted for turn in turns] == [False, False, True, False]
        assert "My cat is called Tom." in recalled
    else:
        assert not any(turn.compacted for turn in turns)
        assert "Tom" not in recalled  # truncated away
