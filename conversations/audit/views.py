"""The turn admin's audit pages: inspect a response, page its input items, cancel it, usage.

Thin views: parse, authorise, call the provider glue, selectors and services, render.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from asgiref.sync import async_to_sync
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from conversations import selectors
from conversations.audit import provider_calls
from conversations.audit.display import item_view, response_view
from conversations.models import Turn
from responses_client import client

INPUT_ITEMS_MAX_LIMIT = 100  # the API accepts 1-100
USAGE_EARLIEST, USAGE_LATEST = date(2000, 1, 1), date(9998, 12, 31)
USAGE_DEFAULT_DAYS = 30


class TurnAuditViews:
    """Mixed into TurnAdmin: the audit URLs under /admin/conversations/turn/."""

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("usage/", wrap(self.usage_view), name="conversations_turn_usage"),
            path("<int:pk>/inspect/", wrap(self.inspect_view), name="conversations_turn_inspect"),
            path(
                "response/<str:response_id>/",
                wrap(self.response_inspect_view),
                name="conversations_turn_response_inspect",
            ),
            path(
                "<int:pk>/input-items/",
                wrap(self.input_items_view),
                name="conversations_turn_input_items",
            ),
            path(
                "<int:pk>/cancel/",
                wrap(require_POST(self.cancel_view)),
                name="conversations_turn_cancel",
            ),
            *super().get_urls(),
        ]

    def has_cancel_permission(self, request: HttpRequest, obj: object = None) -> bool:
        """Cancelling is its own right, apart from viewing and deleting."""
        return request.user.has_perm("conversations.cancel_turn")

    def _turn(self, request: HttpRequest, pk: int) -> Turn:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Turn.objects.select_related("conversation__owner"), pk=pk)

    def _render(
        self, request: HttpRequest, template: str, title: str, **extra: Any
    ) -> TemplateResponse:
        context = {**self.admin_site.each_context(request), "opts": self.opts, "title": title}
        return TemplateResponse(request, f"admin/conversations/turn/{template}", context | extra)

    def inspect_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The provider's live object beside our record, with the chain and the token count."""
        turn = self._turn(request, pk)
        response, note = async_to_sync(provider_calls.response_fetch)(response_id=turn.response_id)
        return self._render(
            request,
            "inspect.html",
            "Inspect response",
            turn=turn,
            provider=response_view(response) if response else None,
            note=note,
            chain=selectors.turn_chain(
                turn=turn, start=(response or {}).get("previous_response_id") or ""
            ),
            tokens=_tokens(turn) if "count" in request.GET else None,
            can_cancel=self.has_cancel_permission(request) and not turn.is_terminal,
            can_delete=self.has_delete_permission(request, turn),
        )

    def response_inspect_view(self, request: HttpRequest, response_id: str) -> HttpResponse:
        """Any stored response by its id (a batch item's, say): a turn's has its own page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        turn = selectors.turn_by_response_id(response_id=response_id)
        if turn is not None:
            return redirect(reverse("admin:conversations_turn_inspect", args=[turn.pk]))
        response, note = async_to_sync(provider_calls.response_fetch)(response_id=response_id)
        return self._render(
            request,
            "response_inspect.html",
            f"Inspect response {response_id}",
            origin="No chat turn has this response id (a batch run's item, or another client's).",
            provider=response_view(response) if response else None,
            note=note,
        )

    def input_items_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """One page of the provider's input items; `back` keeps the cursors of earlier pages."""
        turn = self._turn(request, pk)
        limit = _limit(request.GET.get("limit"))
        order = "asc" if request.GET.get("order") == "asc" else "desc"
        after, back = request.GET.get("after", ""), request.GET.getlist("back")
        page, note = _input_items(turn=turn, limit=limit, order=order, after=after)
        data = page.get("data") or []
        base = {"limit": limit, "order": order}
        return self._render(
            request,
            "input_items.html",
            "Input items",
            turn=turn,
            note=note,
            items=[item_view(item) for item in data],
            limit=limit,
            order=order,
            max_limit=INPUT_ITEMS_MAX_LIMIT,
            page_number=len(back) + 1,
            chain=selectors.turn_chain(turn=turn),
            next_query=_query(base, after=data[-1].get("id"), back=[*back, after])
            if data and page.get("has_more")
            else "",
            previous_query=_query(base, after=back[-1], back=back[:-1]) if back else "",
        )

    def cancel_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Cancel one running turn, record who did it, and go back to its inspection."""
        turn = self._turn(request, pk)
        if not self.has_cancel_permission(request, turn):
            raise PermissionDenied
        self.turns_cancel(request, [turn])
        return redirect(reverse("admin:conversations_turn_inspect", args=[turn.pk]))

    def turns_cancel(self, request: HttpRequest, turns: list[Turn]) -> None:
        """Cancel each turn through the Stop path plus the provider, logging each in the history."""
        for turn in turns:
            outcome = async_to_sync(provider_calls.turn_cancel)(turn=turn)
            self.log_change(request, turn, f"Cancel: {outcome}")
            messages.info(request, outcome)

    def usage_view(self, request: HttpRequest) -> HttpResponse:
        """Tokens per user, model and day, and counts by status, over a chosen range of days."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        until = _date(request.GET.get("until")) or timezone.localdate()
        since = _date(request.GET.get("since")) or until - timedelta(days=USAGE_DEFAULT_DAYS)
        usage = selectors.turn_usage(since=since, until=until)
        return self._render(
            request,
            "usage.html",
            "Token usage",
            since=since,
            until=until,
            usage=usage,
            tables=[
                ("Per user", usage["per_user"], "user"),
                ("Per model", usage["per_model"], "model"),
                ("Per day", usage["per_day"], "day"),
            ],
            chart_days=[
                {
                    "day": str(row["label"]),
                    "input": row["input"],
                    "output": row["output"],
                    "cost": float(row["cost"] or 0),
                }
                for row in usage["per_day"]
            ],
        )


def _date(value: str | None) -> date | None:
    """The YYYY-MM-DD date in value, or None when it is missing, malformed, impossible or so far
    off that the range arithmetic would leave the calendar (0001-01-01 minus 30 days)."""
    try:
        parsed = parse_date(value or "")
    except ValueError:  # well-formed but impossible, e.g. 2024-02-30
        return None
    return parsed if parsed and USAGE_EARLIEST <= parsed <= USAGE_LATEST else None


def _tokens(turn: Turn) -> str:
    """The count as text, or the provider's reason for not giving one."""
    try:
        count = async_to_sync(provider_calls.input_tokens_count)(
            turn=turn, instructions=turn.conversation.instructions
        )
    except client.ProviderError as exc:
        return exc.readable
    return f"{count} input tokens"


def _input_items(*, turn: Turn, limit: int, order: str, after: str) -> tuple[dict[str, Any], str]:
    """One page from the provider, or an empty page and a sentence saying why."""
    if not turn.response_id:
        return {}, "This turn never received a response id from the provider."
    try:
        page = async_to_sync(client.input_items_list)(
            response_id=turn.response_id, limit=limit, order=order, after=after or None
        )
    except client.NotFoundError:
        return {}, provider_calls.GONE
    except client.ProviderError as exc:
        return {}, exc.readable
    return page, ""


def _limit(raw: str | None) -> int:
    """The page size asked for, within what the API accepts; 20 (its default) otherwise."""
    try:
        return min(max(int(raw or ""), 1), INPUT_ITEMS_MAX_LIMIT)
    except ValueError:
        return 20


def _query(base: dict[str, Any], *, after: str, back: list[str]) -> str:
    return urlencode({**base, "after": after, "back": back}, doseq=True)
