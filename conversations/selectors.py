"""Reads. Every query that takes a user filters by owner, so one user never sees another's data."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone

from accounts import limits
from conversations.models import (
    Attachment,
    Conversation,
    McpServer,
    ProviderDeletion,
    Turn,
    TurnStatus,
)
from conversations.tree import TurnTree
from pricing.models import ModelPrice
from pricing.selectors import cost_compute, price_for_model, prices_by_model
from responses_client import ratelimits


def conversation_list(*, owner: AbstractBaseUser) -> QuerySet[Conversation]:
    """The owner's conversations, newest first.

    Each is annotated with `generating`: whether one of its turns is pending or streaming.
    """
    running = Turn.objects.filter(
        conversation=OuterRef("pk"), status__in=[TurnStatus.PENDING, TurnStatus.STREAMING]
    )
    conversations = Conversation.objects.filter(owner=owner).annotate(generating=Exists(running))
    return conversations.order_by("-updated_at")


def conversation_get(*, owner: AbstractBaseUser, conversation_id: uuid.UUID | str) -> Conversation:
    """One conversation of the owner; raises Conversation.DoesNotExist otherwise."""
    return Conversation.objects.get(owner=owner, id=conversation_id)


def conversation_owner_id(*, conversation_id: uuid.UUID) -> int | None:
    """The id of the conversation's owner, or None once it is deleted."""
    return (
        Conversation.objects.filter(pk=conversation_id).values_list("owner_id", flat=True).first()
    )


@dataclass(frozen=True)
class ToolAccess:
    """Whose a conversation is, and which function tools it has on."""

    owner_id: int
    tools: list[str]


def conversation_tool_access(*, conversation_id: uuid.UUID) -> ToolAccess:
    """The owner and the tools turned on, read when a tool round runs (settings may change)."""
    owner_id, tools = Conversation.objects.values_list("owner_id", "tools").get(pk=conversation_id)
    return ToolAccess(owner_id=owner_id, tools=list(tools))


def mcp_servers_enabled() -> list[McpServer]:
    """The MCP servers staff offer to conversations, by label."""
    return list(McpServer.objects.filter(enabled=True))


def mcp_server_labels() -> list[str]:
    """The labels of the MCP servers a conversation may turn on."""
    return list(McpServer.objects.filter(enabled=True).values_list("label", flat=True))


# Turns whose answer, whole or cut short by a Stop or the output limit, the next turn continues:
# the user saw it, so the model must see it too.
ANSWERED = [TurnStatus.COMPLETED, TurnStatus.INCOMPLETE, TurnStatus.CANCELLED]


def _with_attachments() -> Prefetch:
    """Loads a turn's files into `turn.attachment_list` (services set it on turns they create)."""
    return Prefetch(
        "attachments", queryset=Attachment.objects.order_by("position"), to_attr="attachment_list"
    )


def turn_list(*, conversation: Conversation) -> QuerySet[Turn]:
    """The turns of a conversation in order, with their attachments."""
    return conversation.turns.order_by("position").prefetch_related(_with_attachments())


def turn_attachments(*, turn: Turn) -> list[Attachment]:
    """A turn's attachments in order: the ones loaded with it, else read now."""
    loaded = getattr(turn, "attachment_list", None)
    if loaded is not None:
        return loaded
    return list(Attachment.objects.filter(turn=turn).order_by("position"))


def attachment_get(*, owner: AbstractBaseUser, attachment_id: uuid.UUID) -> Attachment:
    """One attachment of the owner; raises Attachment.DoesNotExist otherwise."""
    return Attachment.objects.get(owner=owner, pk=attachment_id)


def attachments_sendable_count(
    *, owner: AbstractBaseUser, conversation_id: uuid.UUID, attachment_ids: list[uuid.UUID]
) -> int:
    """How many of the ids a message of the conversation may carry: the owner's unsent
    attachments, or ones already sent in that conversation (a message sent again)."""
    return Attachment.objects.filter(
        Q(turn__isnull=True) | Q(turn__conversation_id=conversation_id),
        owner=owner,
        pk__in=attachment_ids,
    ).count()


def attachment_as_dict(*, attachment: Attachment) -> dict[str, object]:
    """An attachment as the page shows it (and the websocket protocol's attachment object)."""
    return {
        "id": str(attachment.pk),
        "name": attachment.name,
        "kind": attachment.kind,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "url": reverse("attachment_content", kwargs={"attachment_id": attachment.pk}),
    }


# What linking and chaining turns reads: the tree without the texts.
TREE_FIELDS = ["id", "conversation_id", "parent_id", "position", "status", "response_id"]


def turn_tree(*, conversation_id: uuid.UUID) -> TurnTree[Turn]:
    """All the turns of a conversation (every branch) as a tree, with their attachments."""
    turns = Turn.objects.filter(conversation_id=conversation_id)
    return TurnTree(turns.prefetch_related(_with_attachments()))


def turn_trees(*, conversation_ids: list[uuid.UUID]) -> dict[uuid.UUID, TurnTree[Turn]]:
    """The trees of several conversations in one query; only the columns that link turns."""
    rows: dict[uuid.UUID, list[Turn]] = {pk: [] for pk in conversation_ids}
    skeleton = Turn.objects.filter(conversation_id__in=conversation_ids).only(*TREE_FIELDS)
    for turn in skeleton:
        rows[turn.conversation_id].append(turn)
    return {pk: TurnTree(turns) for pk, turns in rows.items()}


def turn_path(*, conversation: Conversation) -> list[dict[str, object]]:
    """The branch on screen, first message first: each turn as turn_as_dict with its versions."""
    tree = turn_tree(conversation_id=conversation.pk)
    path = tree.path(conversation.active_leaf_id)
    # One query for the prices of the page, not one per turn.
    prices = prices_by_model(models=list({_priced_model(turn) for turn in path}))
    return [turn_as_dict(turn=turn, versions=tree.versions(turn), prices=prices) for turn in path]


def turn_get(*, conversation_id: uuid.UUID, turn_id: int) -> Turn:
    """One turn of the conversation; raises Turn.DoesNotExist otherwise."""
    return Turn.objects.get(conversation_id=conversation_id, pk=turn_id)


def turn_previous_response_id(*, tree: TurnTree[Turn], parent_id: int | None) -> str:
    """The response a turn under `parent_id` chains to: the nearest answered one on its branch."""
    for turn in reversed(tree.ancestors(parent_id)):
        if turn.status in ANSWERED and turn.response_id:
            return turn.response_id
    return ""


def turn_as_dict(
    *,
    turn: Turn,
    versions: list[int] | None = None,
    prices: dict[str, ModelPrice | None] | None = None,
) -> dict[str, object]:
    """A turn as the websocket protocol's turn object (also used to render history).

    With `versions` (the ids of the turn's versions, oldest first), they are part of it; with
    `prices` (prices_by_model of the turn's model), its price is not looked up.
    """
    usage = _usage_field(turn=turn, prices=prices)
    reasoning_seconds = None
    if turn.started_at and turn.reasoning_ended_at:
        reasoning_seconds = (turn.reasoning_ended_at - turn.started_at).total_seconds()
    return {
        "id": turn.pk,
        "parent_id": turn.parent_id,
        "position": turn.position,
        "user_text": turn.user_text,
        "status": turn.status,
        "response_id": turn.response_id,
        "output_text": turn.output_text,
        "reasoning_text": turn.reasoning_text,
        "reasoning_seconds": reasoning_seconds,
        "usage": usage,
        "error": turn.error,
        "retryable": turn.retryable,
        "tool_calls": turn.tool_calls,
        "compacted": turn.compacted,
        "citations": turn.citations,
        **_attachments_field(turn),
    } | ({} if versions is None else {"versions": versions})


def _priced_model(turn: Turn) -> str:
    return turn.model or settings.OPENAI_MODEL


def _usage_field(*, turn: Turn, prices: dict[str, ModelPrice | None] | None) -> dict | None:
    if turn.input_tokens is None and turn.output_tokens is None:
        return None
    model = _priced_model(turn)
    cost = cost_compute(
        price=price_for_model(model=model) if prices is None else prices[model],
        input_tokens=turn.input_tokens,
        cached_tokens=turn.cached_tokens,
        output_tokens=turn.output_tokens,
    )
    return {
        "input_tokens": turn.input_tokens or 0,
        "output_tokens": turn.output_tokens or 0,
        "reasoning_tokens": turn.reasoning_tokens or 0,
        "cached_tokens": turn.cached_tokens or 0,
        # Dollars as a string (exact); None when the model has no price.
        "cost": None if cost is None else format(cost.normalize(), "f"),
    }


def _attachments_field(turn: Turn) -> dict[str, object]:
    """{"attachments": [...]} when the turn's attachments are loaded; frames sent from async code
    (a finished turn) leave them out rather than query, and the page keeps what it shows."""
    loaded = getattr(turn, "attachment_list", None)
    if loaded is None:
        return {}
    return {"attachments": [attachment_as_dict(attachment=a) for a in loaded]}


def turn_history(*, turn: Turn) -> list[Turn]:
    """The answered turns before this one on its branch, oldest first (for stateless providers)."""
    tree = turn_tree(conversation_id=turn.conversation_id)
    return [past for past in tree.ancestors(turn.parent_id) if past.status in ANSWERED]


def provider_deletion_due(*, now: datetime) -> list[ProviderDeletion]:
    """Outbox rows whose next attempt is due."""
    return list(
        ProviderDeletion.objects.filter(next_attempt_at__lte=now).order_by("next_attempt_at")
    )


def provider_deletion_next_at() -> datetime | None:
    """When the earliest pending outbox row is due, or None when the outbox is empty."""
    row = ProviderDeletion.objects.order_by("next_attempt_at").first()
    return row.next_attempt_at if row else None


def turn_chain(*, turn: Turn, start: str = "") -> list[tuple[str, Turn | None]]:
    """The previous_response_id chain behind a turn (or from `start`), newest first, with our
    turn for each id."""
    by_response = {
        t.response_id: t
        for t in Turn.objects.filter(conversation_id=turn.conversation_id).exclude(response_id="")
    }
    chain: list[tuple[str, Turn | None]] = []
    previous = start or turn.previous_response_id
    while previous and len(chain) < len(by_response) + 1:
        known = by_response.get(previous)
        chain.append((previous, known))
        previous = known.previous_response_id if known else ""
    return chain


def turn_by_response_id(*, response_id: str) -> Turn | None:
    """The turn that received this response id, if a chat turn did."""
    if not response_id:
        return None
    return Turn.objects.filter(response_id=response_id).order_by("pk").first()


def turn_usage(*, since: date, until: date) -> dict[str, list[dict[str, object]]]:
    """Token sums per user, model and day, and turn counts by status, for days in [since, until]."""
    turns = Turn.objects.filter(created_at__date__gte=since, created_at__date__lte=until)
    sums = {
        "input": Sum("input_tokens", default=0),
        "cached": Sum("cached_tokens", default=0),
        "output": Sum("output_tokens", default=0),
        "reasoning": Sum("reasoning_tokens", default=0),
        "responses": Count("id"),
    }
    return {
        "per_user": _usage_rows(turns, F("conversation__owner__username"), sums),
        "per_model": _usage_rows(turns, F("model"), sums),
        "per_day": _usage_rows(turns, TruncDate("created_at"), sums),
        "ratelimits": _ratelimits_seen(),
        "per_status": list(turns.values("status").annotate(count=Count("id")).order_by("status")),
    }


def turn_running(*, conversation_id: uuid.UUID | None, turn_id: int | None) -> Turn | None:
    """The conversation's (or the given) turn that is still pending or streaming, if any."""
    turns = Turn.objects.filter(status__in=[TurnStatus.PENDING, TurnStatus.STREAMING])
    if conversation_id is not None:
        turns = turns.filter(conversation_id=conversation_id)
    if turn_id is not None:
        turns = turns.filter(pk=turn_id)
    return turns.order_by("-position").first()


def user_limit_exceeded(*, user_id: int) -> limits.LimitExceeded | None:
    """The limit one more message of the user would pass (accounts.limits), or None."""
    now = timezone.now()
    turns = Turn.objects.filter(conversation__owner_id=user_id)
    running = turns.filter(status__in=[TurnStatus.PENDING, TurnStatus.STREAMING]).count()
    recent = turns.filter(created_at__gt=now - limits.MINUTE)
    sent = list(recent.values_list("created_at", flat=True))
    return limits.limit_exceeded(
        user_id=user_id, running=running, sent_in_last_minute=sent, now=now
    )


def user_tokens_since(*, user_id: int, since: datetime) -> int:
    """Input plus output tokens of the user's turns since then: the chat's counter for limits."""
    turns = Turn.objects.filter(conversation__owner_id=user_id, created_at__gte=since)
    spent = turns.aggregate(
        tokens=Sum(Coalesce("input_tokens", 0) + Coalesce("output_tokens", 0), default=0)
    )
    return spent["tokens"]


def _usage_rows(turns: QuerySet[Turn], label: Any, sums: dict[str, Any]) -> list[dict[str, object]]:
    """The sums grouped by one expression, exposed as `label`, each with its cost."""
    rows = list(turns.values(label=label).annotate(**sums).order_by("label"))
    costs = _usage_costs(turns, label)
    for row in rows:
        row["cost"] = costs.get(row["label"])
    return rows


def _usage_costs(turns: QuerySet[Turn], label: Any) -> dict[Any, Decimal | None]:
    """Cost per label: priced per model (a label spans models), None if a model has no price."""
    per_model = turns.values("model", label=label).annotate(
        fresh=Sum("input_tokens", default=0),
        cached=Sum("cached_tokens", default=0),
        output=Sum("output_tokens", default=0),
    )
    prices = prices_by_model(models=list({r["model"] or settings.OPENAI_MODEL for r in per_model}))
    costs: dict[Any, Decimal | None] = {}
    for row in per_model:
        cost = cost_compute(
            price=prices[row["model"] or settings.OPENAI_MODEL],
            input_tokens=row["fresh"],
            cached_tokens=row["cached"],
            output_tokens=row["output"],
        )
        known = costs.get(row["label"], Decimal(0))
        costs[row["label"]] = None if cost is None or known is None else known + cost
    return costs


def _ratelimits_seen() -> list[dict[str, object]]:
    """The latest x-ratelimit-* headers per provider and model, as this process saw them."""
    return [
        {"provider": url, "model": model, "limits": seen.limits, "observed_at": seen.observed_at}
        for (url, model), seen in sorted(ratelimits.latest.items())
    ]


def turn_stale(*, before: datetime, exclude_ids: list[int]) -> list[Turn]:
    """Running turns with no heartbeat since `before` (their worker is gone), oldest first."""
    running = Turn.objects.filter(status__in=[TurnStatus.PENDING, TurnStatus.STREAMING])
    stale = Q(heartbeat_at__lt=before) | Q(heartbeat_at__isnull=True, created_at__lt=before)
    stale_turns = running.filter(stale).exclude(pk__in=exclude_ids).select_related("conversation")
    return list(stale_turns.order_by("created_at"))
