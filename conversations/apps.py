from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    """The chat product: conversations, turns, the websocket and the provider client."""

    name = "conversations"
    default_auto_field = "django.db.models.BigAutoField"
