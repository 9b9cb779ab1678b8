"""The sign-up form: validation only, services.user_create makes the account."""

from __future__ import annotations

from django.contrib.auth.forms import UserCreationForm


class SignupForm(UserCreationForm):
    """Username and password twice, checked by the password validators.

    Only its cleaned data is used: services.user_create makes the account.
    """
