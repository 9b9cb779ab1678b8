from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class ConversationsConfig(AppConfig):
    """The chat product: conversations, turns, the websocket and the provider client."""

    name = "conversations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_search_index_repair, sender=self)


def _search_index_repair(sender: AppConfig, using: str, **kwargs: object) -> None:
    """A migration that rebuilt a table on SQLite dropped its search triggers: put them back."""
    from conversations.searchindex import search_index_repair

    search_index_repair(connection=connections[using])
