"""Provider faults: retried per policy, then a clear error in the turn, partial text kept."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from conversations.models import Turn
from responses_client.client import MAX_RETRIES
from tests.conversations.streaming.sockets import connect
from tests.hardening.fake_provider import PARTIAL, FakeProvider
from tests.live import free_port

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 60
TRIES = 3
# fault -> (provider requests per turn, whether the partial answer is kept)
FAULTS = {
    "429": (1 + MAX_RETRIES, False),
    "500": (1 + MAX_RETRIES, False),
    "503": (1 + MAX_RETRIES, False),
    "timeout": (1 + MAX_RETRIES, False),
    "cut": (1, True),
    "malformed": (1, True),
    "refused": (0, False),
}


@pytest.fixture
async def provider(settings):
    fake = FakeProvider()
    await fake.start()
    settings.OPENAI_BASE_URL = fake.url
    settings.OPENAI_BACKGROUND = False  # a provider without background mode: nothing to resume
    settings.OPENAI_TIMEOUT_SECONDS = 0.5
    yield fake
    await fake.stop()


async def finished(communicator) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=WAIT)
        if frame["type"] == "turn.finished":
            return frame["turn"]


@pytest.mark.parametrize("fault", FAULTS)
async def test_each_fault_ends_the_turn_clearly(
    provider, settings, conversation_factory, fault, table
):
    provider.fault = fault
    if fault == "refused":
        settings.OPENAI_BASE_URL = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens
    requests, keeps_partial = FAULTS[fault]
    conversation = await database_sync_to_async(conversation_factory)()
    communicator = await connect(conversation.owner, conversation.pk)
    for n in range(TRIES):
        before = provider.requests
        await communicator.send_json_to({"type": "message.send", "text": f"try {n}"})
        turn = await finished(communicator)
        stored = await Turn.objects.aget(pk=turn["id"])
        ok = (
            stored.status in ("failed", "interrupted")
            and bool(stored.error.strip())
            and provider.requests - before == requests
            and (stored.output_text == "".join(PARTIAL) if keeps_partial else True)
        )
        table.record(
            f"Provider fault: {fault}",
            ok,
            f"{stored.status} {stored.error!r} requests={provider.requests - before} "
            f"text={stored.output_text!r}",
        )
    await communicator.disconnect()
    table.note(f"provider {fault}: the turn says {stored.error!r}")
    stuck = await Turn.objects.filter(status__in=["pending", "streaming"]).acount()
    row = table.row(f"Provider fault: {fault}")
    assert stuck == 0 and row.passed == row.tried, row.failures
