from django.apps import AppConfig


class PricingConfig(AppConfig):
    """Model prices and the cost of token usage."""

    name = "pricing"
    default_auto_field = "django.db.models.BigAutoField"
