"""Admin: browse conversations and turns, watch the provider-deletion outbox, list MCP servers."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from conversations import outbox, services
from conversations.audit import provider_calls
from conversations.audit.views import TurnAuditViews
from conversations.models import Conversation, McpServer, ProviderDeletion, Turn
from conversations.streaming import generation


class ReadOnlyAdminMixin:
    """Rows are written by services only; the admin shows them."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class TurnInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Turn
    fields = [
        "position",
        "status",
        "model",
        "user_text",
        "response_id",
        "output_tokens",
        "created_at",
    ]
    readonly_fields = fields
    show_change_link = True
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Turn]:
        """With their conversation: each row is labelled with its title."""
        return super().get_queryset(request).select_related("conversation")

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "owner", "turn_count", "model", "reasoning_effort", "updated_at"]
    list_filter = ["reasoning_effort", "model", "created_at"]
    search_fields = [
        "title",
        "owner__username",
        "turns__user_text",
        "turns__response_id",
    ]
    list_select_related = ["owner"]
    fields = [
        "id",
        "owner",
        "title",
        "instructions",
        "model",
        "temperature",
        "max_output_tokens",
        "reasoning_effort",
        "created_at",
        "updated_at",
    ]
    inlines = [TurnInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        return super().get_queryset(request).annotate(turn_count=Count("turns", distinct=True))

    @admin.display(description="Turns", ordering="turn_count")
    def turn_count(self, obj: Conversation) -> int:
        return obj.turn_count

    def get_deleted_objects(self, objs, request: HttpRequest):
        """Turns go with their conversation, though they cannot be deleted one by one."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(Turn._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Conversation) -> None:
        """Delete through the service, so the provider's stored responses are queued too."""
        services.conversation_delete(conversation=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Conversation]) -> None:
        """Bulk delete, each through the service."""
        for conversation in queryset:
            services.conversation_delete(conversation=conversation)


@admin.register(Turn)
class TurnAdmin(TurnAuditViews, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "response",
        "user",
        "conversation",
        "status",
        "model",
        "tokens",
        "created_at",
    ]
    list_filter = [
        "status",
        "model",
        ("conversation__owner", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = [
        "response_id",
        "conversation__title",
        "user_text",
        "output_text",
    ]
    list_select_related = ["conversation__owner"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    actions = ["cancel_selected"]

    @admin.display(description="Response", ordering="response_id")
    def response(self, obj: Turn) -> str:
        url = reverse("admin:conversations_turn_inspect", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.response_id or f"turn {obj.pk}")

    @admin.display(description="User", ordering="conversation__owner__username")
    def user(self, obj: Turn) -> str:
        return obj.conversation.owner.get_username()

    @admin.display(description="Tokens in / out", ordering="output_tokens")
    def tokens(self, obj: Turn) -> str:
        if obj.input_tokens is None and obj.output_tokens is None:
            return "—"
        return f"{obj.input_tokens or 0} / {obj.output_tokens or 0}"

    @admin.action(description="Cancel selected running turns", permissions=["cancel"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Turn]) -> None:
        running = [turn for turn in queryset.select_related("conversation") if not turn.is_terminal]
        if not running:
            messages.warning(request, "None of the selected turns is running.")
        self.turns_cancel(request, running)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None):
        """Stop a reply still generating before the (atomic) deletion, so nothing writes after."""
        if request.method == "POST" and object_id.isdigit() and self.has_delete_permission(request):
            async_to_sync(generation.generation_stop)(turn_id=int(object_id))
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request: HttpRequest, obj: Turn) -> None:
        """Delete here and queue the provider deletion; the provider is called after commit."""
        response_id = services.turn_delete(turn=obj)
        ids = [response_id] if response_id else []
        transaction.on_commit(lambda: self._deletions_flush(request, ids))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Turn]) -> None:
        """Bulk delete: stop, delete and queue each turn, then flush the outbox."""
        response_ids = async_to_sync(provider_calls.turns_stop_delete)(turns=list(queryset))
        self._deletions_flush(request, response_ids)

    def _deletions_flush(self, request: HttpRequest, response_ids: list[str]) -> None:
        """Ask the provider now; whatever it cannot take stays queued and is said so."""
        pending = async_to_sync(provider_calls.deletions_flush)(response_ids=response_ids)
        if pending:
            messages.warning(
                request,
                f"The provider could not delete {pending} response(s) yet: their deletion is "
                "queued in the outbox (Provider deletions) and retried with backoff.",
            )


@admin.register(ProviderDeletion)
class ProviderDeletionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["response_id", "attempts", "next_attempt_at", "last_error", "created_at"]
    search_fields = ["response_id"]
    actions = ["retry_now"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        """Retrying finishes a deletion, so it takes the right to delete turns."""
        return request.user.has_perm("conversations.delete_turn")

    @admin.action(description="Retry selected deletions now", permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[ProviderDeletion]) -> None:
        deletions = list(queryset)
        services.provider_deletion_retry_now(deletions=deletions)
        done = async_to_sync(outbox.outbox_flush)()
        messages.info(request, f"{done} of {len(deletions)} deletion(s) done at the provider.")


@admin.register(McpServer)
class McpServerAdmin(admin.ModelAdmin):
    """Remote MCP servers conversations may turn on (OpenAI's provider calls them)."""

    list_display = ["label", "server_url", "enabled"]
    list_editable = ["enabled"]
    search_fields = ["label", "server_url"]
