"""Starting a response from a validated create request, shared by HTTP and WebSocket mode."""

from __future__ import annotations

from typing import Any

from provider import conversation_store, store
from provider.engines import get_engine
from provider.engines.base import Engine, SchemaError
from provider.errors import ApiError
from provider.generation.compaction import compacted
from provider.generation.constraints import decoded_schemas
from provider.generation.runner import Run, run_get, run_start
from provider.generation.window import context_fit
from provider.references import check_call_outputs
from provider.request import CreateParams


async def response_start(params: CreateParams, *, chain: list[dict[str, Any]] | None = None) -> Run:
    """Check the request against the engine, fit its context and start its run (or raise).

    `chain` is the context of a `previous_response_id` the caller holds itself (a WebSocket
    connection's `store: false` responses); otherwise the store resolves it.
    """
    engine = get_engine()
    await _check_schemas(params, engine)
    items = await context_items(params, chain=chain)
    return run_start(params, items=await context_fit(params=params, items=items, engine=engine))


async def context_items(
    params: CreateParams, *, chain: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """The items the response sees: conversation or previous chain, then the new input, from
    the last compaction item on."""
    prior = chain or []
    previous = run_get(params.previous_response_id or "") if chain is None else None
    if previous is not None:
        await previous.stored()  # so the store sees it, still running
    if params.conversation is not None:
        prior = await conversation_store.items_all(params.conversation)
    items = await store.context_items(
        previous_response_id=None if chain is not None else params.previous_response_id,
        new_items=params.input_items,
        prior=prior,
    )
    check_call_outputs(items)
    return compacted(items)


async def _check_schemas(params: CreateParams, engine: Engine) -> None:
    """400 for a schema the engine cannot decode against, before any response exists."""
    for param, what, schema in decoded_schemas(params.text, params.tools, params.tool_choice):
        try:
            await engine.check_schema(schema)
        except SchemaError as exc:
            raise ApiError(
                f"Invalid schema for {what}: {exc}",
                param=param,
                code="invalid_json_schema",
            ) from exc
