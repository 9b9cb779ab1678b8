"""Admin: runs and their items (read-only), each stored response inspectable at the provider."""

from __future__ import annotations

import json

from asgiref.sync import async_to_sync
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from batches import services
from batches.models import Item, Run
from responses_client import client
from responses_client.errors import ProviderError


class ReadOnly:
    """Rows are written by workers and services only."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Run)
class RunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "owner", "status", "done", "failed", "cancelled", "total", "cost"]
    list_filter = ["status"]
    search_fields = ["name", "owner__username"]
    actions = ["cancel_runs"]

    @admin.action(description="Cancel the selected runs")
    def cancel_runs(self, request: HttpRequest, queryset: QuerySet[Run]) -> None:
        cancelled = sum(services.run_cancel(run=run) for run in queryset)
        messages.info(request, f"{cancelled} unfinished items cancelled.")


@admin.register(Item)
class ItemAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["__str__", "status", "response_link", "latency_ms", "output_tokens", "cost"]
    list_filter = ["status", "schema_valid", "reused"]
    list_select_related = ["run"]
    search_fields = ["response_id", "run__name"]
    raw_id_fields = ["run"]

    @admin.display(description="Response")
    def response_link(self, item: Item) -> str:
        if not item.response_id:
            return "–"
        url = reverse("admin:batches_item_inspect", args=[item.pk])
        return format_html('<a href="{}">{}</a>', url, item.response_id)

    def get_urls(self) -> list[URLPattern]:
        inspect = self.admin_site.admin_view(self.inspect_view)
        return [
            path("<int:pk>/inspect/", inspect, name="batches_item_inspect"),
            *super().get_urls(),
        ]

    def inspect_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The stored response as the provider returns it now."""
        item = get_object_or_404(Item.objects.select_related("run"), pk=pk)
        try:
            body = async_to_sync(client.response_retrieve)(response_id=item.response_id)
            shown, error = json.dumps(body, indent=2, ensure_ascii=False), ""
        except ProviderError as exc:
            shown, error = "", exc.readable
        context = {
            **self.admin_site.each_context(request),
            "title": f"Response {item.response_id}",
            "item": item,
            "response_json": shown,
            "error": error,
        }
        return TemplateResponse(request, "batches/admin_inspect.html", context)
