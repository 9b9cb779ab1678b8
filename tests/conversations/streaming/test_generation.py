"""Generation jobs against a mocked provider: request body, relay, final save, stop, errors."""

from __future__ import annotations

import asyncio
import io
import threading
from datetime import timedelta

import httpx
import pytest
from channels.db import database_sync_to_async
from django.core.management import call_command
from django.utils import timezone

from conversations import services
from conversations.models import Turn, TurnStatus
from conversations.streaming import generation, reaper, relay, supervision
from tests.conversations.streaming.mockprovider import STREAM, answer_then_hang, encode, ev
from tests.polling import eventually

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def turn(conversation_factory):
    conversation = conversation_factory(reasoning_effort="low")
    return services.turn_create(conversation=conversation, text="hello")


async def run(turn: Turn) -> Turn:
    job = generation.generation_start(turn=turn)
    await job.task
    return await Turn.objects.aget(pk=turn.pk)


async def test_completed_turn_saved_in_full(provider, published, turn):
    saved = await run(turn)
    assert saved.status == TurnStatus.COMPLETED
    assert (saved.output_text, saved.reasoning_text) == ("You said", "Planning")
    assert saved.response_id == "resp_1"
    assert (saved.input_tokens, saved.output_tokens) == (5, 7)
    assert (saved.reasoning_tokens, saved.cached_tokens) == (3, 1)
    assert saved.started_at <= saved.reasoning_ended_at <= saved.finished_at


async def test_frames_in_order_with_contiguous_seq(provider, published, turn):
    await run(turn)
    kinds = [m["type"] for m in published]
    assert kinds[0] == "turn.created" and kinds[-1] == "turn.finished"
    assert kinds.index("turn.response") < kinds.index("turn.delta")
    deltas = [m for m in published if m["type"] == "turn.delta"]
    assert [d["seq"] for d in deltas] == list(range(1, len(deltas) + 1))
    assert "".join(d["delta"] for d in deltas if d["kind"] == "reasoning") == "Planning"
    assert "".join(d["delta"] for d in deltas if d["kind"] == "text") == "You said"
    done = kinds.index("turn.reasoning_done")
    assert all(d["kind"] == "text" for d in published[done:] if d["type"] == "turn.delta")
    assert published[-1]["turn"]["status"] == "completed"


async def test_request_body(provider, published, conversation_factory, settings):
    settings.OPENAI_MODEL = "default-model"
    conversation = await database_sync_to_async(conversation_factory)(
        instructions="Be brief.", temperature=0.2, max_output_tokens=64, reasoning_effort="high"
    )
    turn = await database_sync_to_async(services.turn_create)(conversation=conversation, text="hi")
    await run(turn)
    assert provider.bodies[0] == {
        "model": "default-model",
        "input": "hi",
        "store": True,
        "context_management": [{"type": "compaction", "compact_threshold": 6144}],
        "background": True,
        "stream": True,
        "instructions": "Be brief.",
        "temperature": 0.2,
        "max_output_tokens": 64,
        "reasoning": {"effort": "high", "summary": "auto"},
    }


@pytest.mark.parametrize("stateless", [False, True])
async def test_without_compaction_a_long_chat_is_truncated(
    provider, published, turn, settings, stateless
):
    # Off by setting, or on but useless: a stateless provider keeps no chain to compact.
    settings.CHAT_COMPACTION, settings.OPENAI_STATELESS = stateless, stateless
    await run(turn)
    assert provider.bodies[0]["truncation"] == "auto"
    assert "context_management" not in provider.bodies[0]


async def test_effort_none_sends_no_reasoning_and_chains(provider, published, turn):
    await run(turn)
    conversation = await database_sync_to_async(lambda: turn.conversation)()
    conversation.reasoning_effort = "none"
    await conversation.asave(update_fields=["reasoning_effort"])
    second = await database_sync_to_async(services.turn_create)(conversation=conversation, text="2")
    await run(second)
    assert "reasoning" not in provider.bodies[1]
    assert provider.bodies[1]["previous_response_id"] == "resp_1"
    assert "previous_response_id" not in provider.bodies[0]


async def test_stateless_provider_gets_history(provider, published, turn, settings):
    settings.OPENAI_STATELESS = True
    await run(turn)
    second = await database_sync_to_async(services.turn_create)(
        conversation=turn.conversation, text="again"
    )
    await run(second)
    assert provider.bodies[1]["input"] == [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "You said"},
        {"role": "user", "content": "again"},
    ]
    assert "previous_response_id" not in provider.bodies[1]


async def test_stateless_provider_gets_the_history_of_the_branch_on_screen(
    provider, published, turn, settings
):
    settings.OPENAI_STATELESS = True
    await run(turn)
    create = database_sync_to_async(services.turn_create)
    await run(await create(conversation=turn.conversation, text="old branch"))
    edited = await create(conversation=turn.conversation, text="new branch", parent_id=turn.pk)
    await run(edited)
    await run(await create(conversation=turn.conversation, text="next"))
    assert provider.bodies[3]["input"] == [
        {"role": "user", "content": "hello"},
        {"role": "assistant", "content": "You said"},
        {"role": "user", "content": "new branch"},
        {"role": "assistant", "content": "You said"},
        {"role": "user", "content": "next"},
    ]


async def test_rate_limit_fails_turn_readably(provider, published, turn):
    provider.answer = lambda: httpx.Response(429, json={"error": {"message": "Slow down."}})
    saved = await run(turn)
    assert saved.status == TurnStatus.FAILED
    assert "rate limiting" in saved.error and "Slow down." in saved.error
    assert len(provider.bodies) == 3  # retried like the SDK
    assert published[-1]["type"] == "turn.finished"
    assert saved.retryable and published[-1]["turn"]["retryable"] is True


async def test_message_too_long_for_the_model_fails_without_retry(provider, published, turn):
    error = {"message": "Your input exceeds the context window.", "code": "context_length_exceeded"}
    provider.answer = lambda: httpx.Response(400, json={"error": error})
    saved = await run(turn)
    assert saved.status == TurnStatus.FAILED
    assert "context window" in saved.error
    assert not saved.retryable and published[-1]["turn"]["retryable"] is False


async def test_exhausted_quota_fails_without_retry(provider, published, turn):
    error = {"message": "You exceeded your current quota.", "code": "insufficient_quota"}
    provider.answer = lambda: httpx.Response(429, json={"error": error})
    saved = await run(turn)
    assert (saved.status, saved.retryable) == ("failed", False)


async def test_cut_stream_fails_and_keeps_partial_text(provider, published, turn):
    provider.answer = lambda: httpx.Response(200, content=encode(STREAM[:5]))
    saved = await run(turn)
    assert saved.status == TurnStatus.FAILED
    assert saved.output_text == "You "
    assert "lost" in saved.error
    assert saved.retryable


async def test_error_event_then_failed(provider, published, turn):
    failed = ev("response.failed", response={"error": {"message": "Engine crashed."}})
    error = ev("error", error={"message": "boom"})
    provider.answer = lambda: httpx.Response(200, content=encode([*STREAM[:5], error, failed]))
    saved = await run(turn)
    assert (saved.status, saved.error, saved.output_text) == ("failed", "Engine crashed.", "You ")


async def test_error_event_alone_fails_with_its_message(provider, published, turn):
    error = ev("error", error={"message": "quota exceeded"})
    provider.answer = lambda: httpx.Response(200, content=encode([STREAM[0], error]))
    saved = await run(turn)
    assert (saved.status, saved.error) == ("failed", "quota exceeded")


@pytest.mark.parametrize(("code", "retryable"), [("server_error", True), ("invalid_prompt", False)])
async def test_failed_response_offers_retry_by_its_error_code(
    provider, published, turn, code, retryable
):
    failed = ev("response.failed", response={"error": {"code": code, "message": "No."}})
    error = ev("error", error={"code": code, "message": "No."})
    provider.answer = lambda: httpx.Response(200, content=encode([STREAM[0], error, failed]))
    saved = await run(turn)
    assert (saved.status, saved.retryable) == ("failed", retryable)


async def test_stop_saves_exactly_the_relayed_text(provider, published, turn):
    released = asyncio.Event()
    closed = asyncio.Event()

    async def body():
        try:
            yield encode(STREAM[:5])
            await released.wait()  # never set: the provider keeps generating
        finally:
            closed.set()

    provider.answer = lambda: httpx.Response(200, content=body())
    job = generation.generation_start(turn=turn)
    await published.wait_for(lambda m: m.get("kind") == "text")
    assert await generation.generation_stop(conversation_id=turn.conversation_id)
    saved = await Turn.objects.aget(pk=turn.pk)
    relayed = "".join(m["delta"] for m in published if m.get("kind") == "text")
    assert (saved.status, saved.output_text, relayed) == ("cancelled", "You ", "You ")
    assert closed.is_set()  # the upstream stream was closed
    assert provider.calls[-1] == "POST /v1/responses/resp_1/cancel?"  # and the response cancelled
    assert job.task.done()
    assert published[-1]["turn"]["status"] == "cancelled"


async def test_stop_keeps_what_the_provider_generated_until_the_cancel(provider, published, turn):
    async def body():
        yield encode(STREAM[:5])
        await asyncio.Event().wait()  # the provider keeps generating

    provider.answer = lambda: httpx.Response(200, content=body())
    message = {"type": "message", "content": [{"type": "output_text", "text": "You said"}]}
    provider.cancelled = {"status": "cancelled", "output": [message], "usage": None}
    generation.generation_start(turn=turn)
    await published.wait_for(lambda m: m.get("kind") == "text")
    assert await generation.generation_stop(conversation_id=turn.conversation_id)

    saved = await Turn.objects.aget(pk=turn.pk)
    assert (saved.status, saved.output_text) == ("cancelled", "You said")
    assert published[-1]["turn"]["output_text"] == "You said"


async def test_stop_without_job_is_noop(turn):
    assert not await generation.generation_stop(conversation_id=turn.conversation_id)


async def test_busy_while_generating(provider, published, turn):
    job = generation.generation_start(turn=turn)
    assert generation.generation_busy(conversation_id=turn.conversation_id)
    with pytest.raises(generation.GenerationBusy):
        await generation.generation_submit(
            conversation=turn.conversation, draft=services.TurnDraft(text="again")
        )
    await job.task
    assert not generation.generation_busy(conversation_id=turn.conversation_id)
    assert await Turn.objects.filter(conversation_id=turn.conversation_id).acount() == 1


async def test_stop_racing_the_end_keeps_completed(provider, published, turn, monkeypatch):
    entered, release = threading.Event(), threading.Event()
    real_finish = services.turn_finish

    def slow_finish(**kwargs):
        entered.set()
        release.wait(timeout=30)
        return real_finish(**kwargs)

    monkeypatch.setattr(services, "turn_finish", slow_finish)
    job = generation.generation_start(turn=turn)
    await asyncio.to_thread(entered.wait, 30)
    stopped = await generation.generation_stop(conversation_id=turn.conversation_id)
    release.set()
    await job.task
    saved = await Turn.objects.aget(pk=turn.pk)
    assert (stopped, saved.status, saved.output_text) == (False, "completed", "You said")


async def test_checkpoints_save_partial_text_and_heartbeat(provider, published, turn, settings):
    settings.GENERATION_CHECKPOINT_SECONDS = 0.01
    answer_then_hang(provider, [{**e, "sequence_number": n} for n, e in enumerate(STREAM[:5])])
    generation.generation_start(turn=turn)

    async def checkpointed() -> Turn | None:
        saved = await Turn.objects.aget(pk=turn.pk)
        return saved if saved.output_text == "You " else None

    saved = await eventually(checkpointed)
    assert (saved.reasoning_text, saved.provider_seq, saved.background) == ("Planning", 4, True)
    assert saved.heartbeat_at and saved.worker == supervision.WORKER
    assert saved.stream_seq >= 1
    assert await generation.generation_stop(turn_id=turn.pk)


def stale(turn: Turn, **fields) -> Turn:
    Turn.objects.filter(pk=turn.pk).update(
        status="streaming", heartbeat_at=timezone.now() - timedelta(hours=1), **fields
    )
    return Turn.objects.get(pk=turn.pk)


async def test_reaper_interrupts_a_turn_whose_worker_died(published, turn):
    await database_sync_to_async(stale)(turn, output_text="You ", response_id="resp_1")
    reaped = await reaper.reap()
    saved = await Turn.objects.aget(pk=turn.pk)
    assert [t.pk for t in reaped] == [turn.pk]
    assert (saved.status, saved.output_text) == ("interrupted", "You ")
    assert saved.error and saved.finished_at
    assert published[-1]["type"] == "turn.finished"
    assert published[-1]["turn"]["status"] == "interrupted"


async def test_reaper_leaves_fresh_and_local_turns(provider, published, turn):
    assert await reaper.reap() == []
    job = generation.generation_start(turn=turn)
    await database_sync_to_async(stale)(turn)
    assert await reaper.reap() == []  # its job runs here
    await job.task


async def test_reaper_reattaches_a_background_response(provider, published, turn):
    events = [{**e, "sequence_number": n} for n, e in enumerate(STREAM)]
    provider.answer = lambda: httpx.Response(200, content=encode(events[5:]))
    await database_sync_to_async(stale)(
        turn,
        response_id="resp_1",
        background=True,
        provider_seq=4,
        stream_seq=2,
        output_text="You ",
        reasoning_text="Planning",
    )
    assert await reaper.reap() == []
    await published.wait_for(lambda m: m["type"] == "turn.finished")
    saved = await Turn.objects.aget(pk=turn.pk)
    assert (saved.status, saved.output_text) == ("completed", "You said")
    assert provider.calls[-1] == "GET /v1/responses/resp_1?stream=true&starting_after=4"
    assert published[0]["type"] == "turn.resumed" and published[0]["seq"] == 2
    assert published[0]["turn"]["output_text"] == "You "
    assert [(m["seq"], m["delta"]) for m in published if m["type"] == "turn.delta"] == [(3, "said")]


async def test_failed_reattach_ends_interrupted(provider, published, turn):
    provider.answer = lambda: httpx.Response(404, json={"error": {"message": "Not found."}})
    await database_sync_to_async(stale)(
        turn, response_id="resp_1", background=True, provider_seq=4, output_text="You "
    )
    await reaper.reap()
    await published.wait_for(lambda m: m["type"] == "turn.finished")
    saved = await Turn.objects.aget(pk=turn.pk)
    assert (saved.status, saved.output_text) == ("interrupted", "You ")
    assert "Not found." in saved.error
    assert saved.retryable  # the message itself can be sent again


async def test_stop_reaches_a_job_through_the_channel_layer(provider, published, turn):
    answer_then_hang(provider, STREAM[:5])
    job = generation.generation_start(turn=turn)
    await published.wait_for(lambda m: m.get("kind") == "text")
    # What another process's generation_stop does when the job isn't in its registry.
    assert await supervision.stop_remote(conversation_id=None, turn_id=turn.pk)
    await asyncio.wait({job.task})
    saved = await Turn.objects.aget(pk=turn.pk)
    assert (saved.status, saved.output_text) == ("cancelled", "You ")


def test_turns_reap_command_interrupts_without_reattaching(turn):
    stale(turn, response_id="resp_1", background=True, provider_seq=4)
    out = io.StringIO()
    call_command("turns_reap", stdout=out)
    assert out.getvalue().strip() == "Interrupted 1 turn(s)."
    assert Turn.objects.get(pk=turn.pk).status == "interrupted"


async def test_stop_before_response_created_still_cancels_at_the_provider(
    provider, published, turn
):
    created = asyncio.Event()

    async def body():
        await created.wait()  # the provider is slow to create the response
        yield encode(STREAM[:1])
        await asyncio.Event().wait()

    provider.answer = lambda: httpx.Response(200, content=body())
    job = generation.generation_start(turn=turn)
    await published.wait_for(lambda m: m["type"] == "turn.created")
    stopping = asyncio.create_task(generation.generation_stop(conversation_id=turn.conversation_id))
    await asyncio.sleep(0.05)
    assert not stopping.done()  # waiting for the response id
    created.set()
    assert await stopping
    await asyncio.wait({job.task})
    saved = await Turn.objects.aget(pk=turn.pk)
    assert (saved.status, saved.response_id) == ("cancelled", "resp_1")
    assert "POST /v1/responses/resp_1/cancel?" in provider.calls


async def test_a_job_taken_over_by_another_process_stops_and_writes_nothing(
    provider, published, turn, settings
):
    settings.GENERATION_CHECKPOINT_SECONDS = 0.01
    answer_then_hang(provider, [{**e, "sequence_number": n} for n, e in enumerate(STREAM[:5])])
    job = generation.generation_start(turn=turn)
    await published.wait_for(lambda m: m.get("kind") == "text")
    # Another process's reaper thought this worker dead and claimed the turn.
    await Turn.objects.filter(pk=turn.pk).aupdate(worker="other-host:1:abc", output_text="theirs")
    await asyncio.wait({job.task}, timeout=5)
    saved = await Turn.objects.aget(pk=turn.pk)
    assert job.task.done() and job.superseded
    assert (saved.status, saved.output_text) == ("streaming", "theirs")
    assert not any(m["type"] == "turn.finished" for m in published)
    assert not generation.generation_busy(conversation_id=turn.conversation_id)


async def test_a_checkpoint_at_any_await_resumes_after_exactly_its_text(
    provider, published, turn, monkeypatch
):
    # What a checkpoint would save, taken whenever the job awaits a publish: the text so far
    # must be exactly the text of the provider events up to the saved position.
    events = [{**e, "sequence_number": n} for n, e in enumerate(STREAM)]
    provider.answer = lambda: httpx.Response(200, content=encode(events))
    monkeypatch.setattr(relay, "COALESCE_SECONDS", 0)  # every delta is published at once
    snapshots = []
    real_publish = services.publishing.conversation_publish

    async def publish(*, conversation_id, message):
        job = generation._jobs.get(conversation_id)
        if job is not None and job.provider_seq is not None:
            snapshots.append((job.provider_seq, "".join(job.relay.texts["text"])))
        await real_publish(conversation_id=conversation_id, message=message)

    monkeypatch.setattr(services.publishing, "conversation_publish", publish)
    await run(turn)
    text_up_to = {
        n: "".join(e["delta"] for e in events[: n + 1] if e["type"].endswith("output_text.delta"))
        for n in range(len(events))
    }
    assert snapshots
    assert all(text == text_up_to[seq] for seq, text in snapshots)
