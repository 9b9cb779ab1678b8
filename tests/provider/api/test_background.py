"""Background responses, cancel races, replay, concurrency and admission control (429)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import openai
import pytest
from django.conf import settings
from openai import OpenAI

from tests.live import LiveServer, live_server_start

MODEL = "test-model"
TERMINAL = {"completed", "failed", "incomplete", "cancelled"}


def wait_terminal(client: OpenAI, response_id: str) -> object:
    """Poll until the response is terminal (pytest-timeout catches a hang)."""
    while (fetched := client.responses.retrieve(response_id)).status not in TERMINAL:
        time.sleep(0.02)
    return fetched


def test_background_progress_is_visible_while_running(client: OpenAI) -> None:
    created = client.responses.create(
        model=MODEL, input="go [delay=30] [tokens=40]", background=True
    )

    while not (fetched := client.responses.retrieve(created.id)).output_text:
        assert fetched.status in ("queued", "in_progress")
        time.sleep(0.01)
    assert fetched.status == "in_progress"
    assert fetched.output[0].status == "in_progress"
    assert wait_terminal(client, created.id).status == "completed"


def test_background_stream_starts_queued(client: OpenAI) -> None:
    events = list(client.responses.create(model=MODEL, input="q w", background=True, stream=True))

    assert [event.type for event in events[:3]] == [
        "response.created",
        "response.queued",
        "response.in_progress",
    ]
    assert events[0].response.status == "queued"
    assert events[2].response.status == "in_progress"
    assert events[-1].type == "response.completed"


def test_stream_helper_reattaches_to_a_running_response(client: OpenAI) -> None:
    created = client.responses.create(
        model=MODEL, input="re [delay=20] [tokens=20]", background=True
    )

    with client.responses.stream(response_id=created.id, starting_after=3) as stream:
        numbers = [event.sequence_number for event in stream]
        final = stream.get_final_response()

    assert numbers[0] == 4
    assert numbers == list(range(4, 4 + len(numbers)))
    assert final.status == "completed"
    assert final.usage.output_tokens == 20


def test_raw_replay_after_n_then_follow(http: httpx.Client, client: OpenAI) -> None:
    created = client.responses.create(
        model=MODEL, input="tail [delay=20] [tokens=10]", background=True
    )

    reply = http.get(f"/responses/{created.id}", params={"stream": "true", "starting_after": 5})

    datas = [line[6:] for line in reply.text.split("\n") if line.startswith("data: ")]
    assert datas[-1] == "[DONE]"
    numbers = [json.loads(data)["sequence_number"] for data in datas[:-1]]
    assert numbers == list(range(6, 6 + len(numbers)))
    assert json.loads(datas[-2])["type"] == "response.completed"


def test_cancel_right_after_create_is_final(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="a b c [tokens=30]", background=True)

    cancelled = client.responses.cancel(created.id)

    if cancelled.status == "cancelled":
        assert cancelled.completed_at is None
        assert cancelled.usage is None
    else:
        assert cancelled.status == "completed"
    assert wait_terminal(client, created.id).status == cancelled.status
    assert client.responses.cancel(created.id).status == cancelled.status


def test_concurrent_cancels_agree(client: OpenAI) -> None:
    created = client.responses.create(
        model=MODEL, input="race [delay=10] [tokens=100]", background=True
    )

    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _: client.responses.cancel(created.id).status, range(4)))

    assert statuses == ["cancelled"] * 4
    assert client.responses.retrieve(created.id).status == "cancelled"


def test_cancel_of_a_finished_response_returns_it_unchanged(client: OpenAI) -> None:
    created = client.responses.create(model=MODEL, input="done", background=True)
    finished = wait_terminal(client, created.id)

    again = client.responses.cancel(created.id)

    assert again.status == "completed"
    assert again.model_dump() == finished.model_dump()


def test_background_response_without_store_is_kept(client: OpenAI) -> None:
    # Spec §9: the offline server keeps background responses until deleted, whatever `store` says.
    created = client.responses.create(model=MODEL, input="kept", background=True, store=False)

    finished = wait_terminal(client, created.id)

    assert finished.output_text == "You said: kept"
    assert [item.id for item in client.responses.input_items.list(created.id)]
    client.responses.delete(created.id)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(created.id)


def test_background_response_without_store_can_be_cancelled(client: OpenAI) -> None:
    created = client.responses.create(
        model=MODEL, input="stop [delay=20] [tokens=50]", background=True, store=False
    )

    cancelled = client.responses.cancel(created.id)

    assert cancelled.status == "cancelled"
    assert client.responses.retrieve(created.id).status == "cancelled"


def test_cancel_unknown_is_404(client: OpenAI) -> None:
    with pytest.raises(openai.NotFoundError):
        client.responses.cancel("resp_nope")


def test_concurrent_streams_stay_separate(client: OpenAI) -> None:
    texts = [f"stream{n} [delay=5] [tokens=12]" for n in range(4)]

    def run(text: str) -> str:
        with client.responses.stream(model=MODEL, input=text) as stream:
            return stream.get_final_response().output_text

    with ThreadPoolExecutor(4) as pool:
        outputs = list(pool.map(run, texts))

    for n, output in enumerate(outputs):
        assert output.startswith(f"You said: stream{n} ")
        assert len(output.split()) == 12


@pytest.fixture(scope="module")
def one_slot_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with a single generation slot."""
    data_dir: Path = tmp_path_factory.mktemp("one-slot")
    server = live_server_start(data_dir=data_dir, PROVIDER_SLOTS="1")
    yield server
    server.stop()


def test_full_slots_and_queue_answer_429(one_slot_app: LiveServer) -> None:
    client = OpenAI(base_url=one_slot_app.v1, api_key=one_slot_app.api_key, max_retries=0)
    places = 1 + settings.PROVIDER_QUEUE_LIMIT
    slow = {"model": MODEL, "input": "hold [delay=200] [tokens=100]", "background": True}
    held = [client.responses.create(**slow) for _ in range(places)]

    with pytest.raises(openai.RateLimitError) as raised:
        client.responses.create(model=MODEL, input="one more")

    assert raised.value.response.headers["retry-after"] == "1"
    assert raised.value.body["code"] == "rate_limit_exceeded"
    assert client.responses.retrieve(held[-1].id).status == "queued"
    for response in held:
        assert client.responses.cancel(response.id).status == "cancelled"
    assert client.responses.create(model=MODEL, input="now").output_text == "You said: now"


def test_cancelled_while_queued_has_no_output(one_slot_app: LiveServer) -> None:
    client = OpenAI(base_url=one_slot_app.v1, api_key=one_slot_app.api_key, max_retries=0)
    first = client.responses.create(model=MODEL, input="x [delay=100] [tokens=50]", background=True)
    second = client.responses.create(model=MODEL, input="y", background=True)

    cancelled = client.responses.cancel(second.id)
    client.responses.cancel(first.id)

    assert cancelled.status == "cancelled"
    assert cancelled.output == []


def test_stream_helper_with_background_gets_final_response(client: OpenAI) -> None:
    with client.responses.stream(model=MODEL, input="bg helper", background=True) as stream:
        types = [event.type for event in stream]
        final = stream.get_final_response()

    assert types[1] == "response.queued"
    assert final.output_text == "You said: bg helper"
    assert final.background is True


def test_continuing_a_running_background_response_is_400(client: OpenAI) -> None:
    running = client.responses.create(
        model=MODEL, input="slow [delay=50] [tokens=100]", background=True
    )

    with pytest.raises(openai.BadRequestError) as raised:
        client.responses.create(model=MODEL, input="next", previous_response_id=running.id)
    client.responses.cancel(running.id)

    assert raised.value.body["param"] == "previous_response_id"
    assert "still" in raised.value.body["message"]


def test_racing_deletes_of_a_running_response_answer_one_200(
    client: OpenAI, http: httpx.Client
) -> None:
    running = client.responses.create(
        model=MODEL, input="slow [delay=30] [tokens=100]", background=True
    )

    with ThreadPoolExecutor(4) as pool:
        deletes = list(pool.map(lambda _: http.delete(f"/responses/{running.id}"), range(4)))
    after = [http.get(f"/responses/{running.id}"), http.post(f"/responses/{running.id}/cancel")]

    assert sorted(reply.status_code for reply in deletes) == [200, 404, 404, 404]
    assert [reply.status_code for reply in after] == [404, 404]
