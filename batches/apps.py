"""The batch app's configuration."""

from django.apps import AppConfig


class BatchesConfig(AppConfig):
    """Batch runs: prompts x configurations, run by task workers, with live progress."""

    name = "batches"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import limits
        from batches import selectors

        # Batch items count toward each user's daily token limit, as chat turns do.
        limits.token_counter_register(selectors.user_tokens_since)
