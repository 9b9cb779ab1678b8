"""Admin: browse conversations and turns, watch the provider-deletion outbox."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from conversations import services
from conversations.models import Conversation, ProviderDeletion, Turn


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
class TurnAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "conversation",
        "position",
        "status",
        "model",
        "input_tokens",
        "output_tokens",
        "reasoning_tokens",
        "created_at",
    ]
    list_filter = ["status", "model", "created_at"]
    search_fields = [
        "user_text",
        "response_id",
        "conversation__title",
        "conversation__owner__username",
    ]
    list_select_related = ["conversation"]
    date_hierarchy = "created_at"

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # A single turn removed from the middle would break the response chain.
        return False


@admin.register(ProviderDeletion)
class ProviderDeletionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["response_id", "attempts", "next_attempt_at", "last_error", "created_at"]
    search_fields = ["response_id"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
