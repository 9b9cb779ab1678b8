from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Sign-up, login and logout over Django's own user model."""

    name = "accounts"
