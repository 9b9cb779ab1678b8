from django.apps import AppConfig


class BatchesConfig(AppConfig):
    """Batch runs: prompts x configurations, run by task workers, with live progress."""

    name = "batches"
    default_auto_field = "django.db.models.BigAutoField"
