"""The provider client against httpx.MockTransport: SSE parsing, retries, typed errors."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

import httpx
import pytest

from responses_client import client

KEY = "sk-secret-test-key-123"
CREATED = {"type": "response.created", "sequence_number": 0, "response": {"id": "resp_1"}}
DELTA = {"type": "response.output_text.delta", "sequence_number": 1, "delta": "Hé"}
COMPLETED = {"type": "response.completed", "sequence_number": 2, "response": {"id": "resp_1"}}


def sse(*events: dict, done: bool = True, newline: str = "\n") -> bytes:
    """Encode events the way a provider writes them."""
    text = "".join(
        f"event: {e['type']}{newline}data: {json.dumps(e, ensure_ascii=False)}{newline}{newline}"
        for e in events
    )
    if done:
        text += f"data: [DONE]{newline}{newline}"
    return text.encode()


def chunked(data: bytes, size: int) -> Callable[[], Iterable[bytes]]:
    async def chunks():
        for start in range(0, len(data), size):
            yield data[start : start + size]

    return chunks


@pytest.fixture
def provider(settings, monkeypatch):
    """Install a MockTransport answering with queued responses; records requests."""
    settings.OPENAI_BASE_URL = "http://provider.test/v1"
    settings.OPENAI_API_KEY = KEY
    sleeps: list[float] = []
    queue: list[httpx.Response | Exception] = []
    requests: list[httpx.Request] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(client, "transport", httpx.MockTransport(handler))
    monkeypatch.setattr(client, "_sleep", fake_sleep)
    return type("Provider", (), {"queue": queue, "requests": requests, "sleeps": sleeps})


def stream_response(data: bytes, *, chunk: int = 7) -> httpx.Response:
    return httpx.Response(
        200, headers={"content-type": "text/event-stream"}, content=chunked(data, chunk)()
    )


def error_response(status: int, message: str = "nope", **headers: str) -> httpx.Response:
    body = {"error": {"message": message, "type": "x", "param": None, "code": "c"}}
    return httpx.Response(status, json=body, headers=headers)


async def collect(**body) -> list[dict]:
    return [event async for event in client.response_stream(body=body or {"input": "hi"})]


@pytest.mark.parametrize("chunk", [1, 3, 7, 1000])
async def test_stream_parses_events_split_anywhere(provider, chunk):
    provider.queue.append(stream_response(sse(CREATED, DELTA, COMPLETED), chunk=chunk))
    assert await collect() == [CREATED, DELTA, COMPLETED]


async def test_stream_sends_stream_true_and_bearer_key(provider):
    provider.queue.append(stream_response(sse(CREATED, COMPLETED)))
    await collect(model="m", input="hi")
    request = provider.requests[0]
    assert request.url == "http://provider.test/v1/responses"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert json.loads(request.content) == {"model": "m", "input": "hi", "stream": True}


async def test_stream_without_done_stops_at_terminal_event(provider):
    provider.queue.append(stream_response(sse(CREATED, COMPLETED, done=False)))
    assert await collect() == [CREATED, COMPLETED]


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
async def test_stream_accepts_crlf_and_cr(provider, newline):
    provider.queue.append(stream_response(sse(CREATED, COMPLETED, newline=newline), chunk=5))
    assert await collect() == [CREATED, COMPLETED]


async def test_stream_ignores_comments_and_joins_data_lines(provider):
    body = (
        b": ping\n\n"
        b'data: {"type": "response.created",\n'
        b'data:  "response": {"id": "resp_1"}}\n\n'
        b"event: response.completed\n"
        b'data:{"type":"response.completed"}\n\n'
    )
    provider.queue.append(stream_response(body))
    events = await collect()
    assert events == [
        {"type": "response.created", "response": {"id": "resp_1"}},
        {"type": "response.completed"},
    ]


async def test_stream_nested_error_event_kept(provider):
    error = {"type": "error", "sequence_number": 1, "error": {"message": "boom", "code": "x"}}
    failed = {"type": "response.failed", "sequence_number": 2, "response": {"status": "failed"}}
    provider.queue.append(stream_response(sse(CREATED, error, failed)))
    assert await collect() == [CREATED, error, failed]


async def test_stream_flat_error_event_nested(provider):
    flat = {"type": "error", "sequence_number": 1, "code": "x", "message": "boom", "param": None}
    provider.queue.append(stream_response(sse(CREATED, flat, done=False)))
    events = await collect()
    assert events[1] == {
        "type": "error",
        "sequence_number": 1,
        "error": {"type": None, "code": "x", "message": "boom", "param": None},
    }


async def test_stream_truncated_raises_interrupted(provider):
    provider.queue.append(stream_response(sse(CREATED, DELTA, done=False)))
    events = []
    with pytest.raises(client.StreamInterrupted):
        async for event in client.response_stream(body={"input": "hi"}):
            events.append(event)
    assert events == [CREATED, DELTA]


async def test_stream_incomplete_last_event_discarded(provider):
    data = sse(CREATED, done=False) + b'data: {"type":"response.completed"}'
    provider.queue.append(stream_response(data))
    with pytest.raises(client.StreamInterrupted):
        await collect()


async def test_stream_transport_error_midway_raises_interrupted(provider):
    async def broken():
        yield sse(CREATED, done=False)
        raise httpx.ReadError("connection reset")

    provider.queue.append(httpx.Response(200, content=broken()))
    with pytest.raises(client.StreamInterrupted):
        await collect()
    assert len(provider.requests) == 1


async def test_stream_retried_before_first_event(provider):
    provider.queue.extend([error_response(503), stream_response(sse(CREATED, COMPLETED))])
    assert await collect() == [CREATED, COMPLETED]
    assert len(provider.requests) == 2


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502])
async def test_retryable_statuses_retried_twice_with_backoff(provider, status):
    provider.queue.extend([error_response(status)] * 3)
    with pytest.raises(client.ProviderError) as info:
        await client.response_retrieve(response_id="resp_1")
    assert info.value.status == status
    assert len(provider.requests) == 3
    assert 0.375 <= provider.sleeps[0] <= 0.5
    assert 0.75 <= provider.sleeps[1] <= 1.0


async def test_connection_error_retried_then_raised(provider):
    provider.queue.extend([httpx.ConnectError("refused")] * 3)
    with pytest.raises(client.ProviderConnectionError):
        await client.models_list()
    assert len(provider.requests) == 3


async def test_timeout_maps_to_timeout_error(provider):
    provider.queue.extend([httpx.ReadTimeout("slow")] * 3)
    with pytest.raises(client.ProviderTimeoutError):
        await client.models_list()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"retry-after-ms": "1500"}, 1.5), ({"retry-after": "3"}, 3.0)],
)
async def test_retry_after_honoured(provider, headers, expected):
    provider.queue.extend([error_response(429, **headers), httpx.Response(200, json={"data": []})])
    assert await client.models_list() == []
    assert provider.sleeps == [expected]


async def test_retry_after_http_date_honoured(provider):
    date = "Wed, 21 Oct 2099 07:28:00 GMT"
    provider.queue.extend([error_response(503, **{"retry-after": date})])
    with pytest.raises(client.ServerError):
        await client.models_list()
    assert provider.sleeps == []  # far future: more than 120 s, so never retried


async def test_retry_after_over_limit_not_retried(provider):
    provider.queue.append(error_response(429, **{"retry-after": "121"}))
    with pytest.raises(client.RateLimitedError):
        await client.models_list()
    assert len(provider.requests) == 1


async def test_x_should_retry_true_retries_a_400(provider):
    provider.queue.extend([error_response(400, **{"x-should-retry": "true"})] * 2)
    provider.queue.append(httpx.Response(200, json={"data": []}))
    assert await client.models_list() == []
    assert len(provider.requests) == 3


async def test_x_should_retry_false_stops_a_503(provider):
    provider.queue.append(error_response(503, **{"x-should-retry": "false"}))
    with pytest.raises(client.ServerError):
        await client.models_list()
    assert len(provider.requests) == 1


async def test_bad_request_not_retried_and_carries_body(provider):
    provider.queue.append(error_response(400, "Unknown parameter: 'x'."))
    with pytest.raises(client.BadRequestError) as info:
        await client.response_cancel(response_id="resp_1")
    assert len(provider.requests) == 1
    assert info.value.status == 400
    assert info.value.body["error"]["message"] == "Unknown parameter: 'x'."
    assert str(info.value) == "Error code: 400 - Unknown parameter: 'x'."


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (401, client.AuthenticationError),
        (403, client.PermissionDeniedError),
        (404, client.NotFoundError),
        (422, client.ProviderError),
    ],
)
async def test_status_errors_map_to_types(provider, status, cls):
    provider.queue.append(error_response(status))
    with pytest.raises(cls) as info:
        await client.response_delete(response_id="resp_1")
    assert type(info.value) is cls


async def test_api_key_never_in_errors(provider):
    provider.queue.append(error_response(401, f"Incorrect API key provided: {KEY}"))
    with pytest.raises(client.AuthenticationError) as info:
        await client.models_list()
    error = info.value
    for text in (str(error), repr(error), error.readable, error.message):
        assert KEY not in text


async def test_retrieve_quotes_the_id(provider):
    provider.queue.append(httpx.Response(200, json={"id": "resp_1"}))
    assert await client.response_retrieve(response_id="resp_1/x") == {"id": "resp_1"}
    assert provider.requests[0].url.raw_path == b"/v1/responses/resp_1%2Fx"


async def test_delete_ignores_body(provider):
    provider.queue.append(httpx.Response(200, json={"object": "response.deleted"}))
    assert await client.response_delete(response_id="resp_1") is None
    assert provider.requests[0].method == "DELETE"


async def test_input_items_iter_follows_pages(provider):
    provider.queue.extend(
        [
            httpx.Response(200, json={"data": [{"id": "a"}, {"id": "b"}], "has_more": True}),
            httpx.Response(200, json={"data": [{"id": "c"}], "has_more": False}),
        ]
    )
    items = [item async for item in client.input_items_iter(response_id="resp_1", limit=2)]
    assert [item["id"] for item in items] == ["a", "b", "c"]
    assert provider.requests[1].url.params["after"] == "b"
    assert provider.requests[1].url.params["limit"] == "2"


async def test_input_tokens_count(provider):
    provider.queue.append(httpx.Response(200, json={"input_tokens": 11}))
    assert await client.input_tokens_count(body={"input": "hi"}) == 11


async def test_stream_leading_bom_ignored(provider):
    provider.queue.append(stream_response(b"\xef\xbb\xbf" + sse(CREATED, COMPLETED), chunk=2))
    assert await collect() == [CREATED, COMPLETED]


async def test_calls_share_one_client_until_the_settings_change(provider, settings):
    first = client._client()
    assert client._client() is first
    settings.OPENAI_API_KEY = "sk-other"
    second = client._client()
    assert second is not first
    assert second.headers["Authorization"] == "Bearer sk-other"


@pytest.mark.parametrize(
    "data",
    [
        b"[1, 2]",
        b'{"delta": "x"}',
        b'{"type": 7}',
        b'{"type": "response.output_text.delta", "delta": 5}',
        b'{"type": "response.output_text.delta"}',
        b'{"type": "response.created", "response": {"status": "queued"}}',
        b'{"type": "response.completed", "response": "done"}',
        b"{not json",
    ],
)
async def test_stream_malformed_event_is_a_provider_error(provider, data):
    provider.queue.append(stream_response(sse(CREATED, done=False) + b"data: " + data + b"\n\n"))
    events = []
    with pytest.raises(client.ProviderError, match="Invalid"):
        async for event in client.response_stream(body={"input": "hi"}):
            events.append(event)
    assert events == [CREATED]
