"""Admin: runs and their items (read-only), each stored response linked to the audit console."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from batches import services
from batches.models import Item, Run


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
        """The stored response in the staff audit console."""
        if not item.response_id:
            return "–"
        url = reverse("admin:conversations_turn_response_inspect", args=[item.response_id])
        return format_html('<a href="{}">{}</a>', url, item.response_id)
