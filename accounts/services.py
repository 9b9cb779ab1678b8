"""Writes for accounts: creating a user."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction


@transaction.atomic
def user_create(*, username: str, password: str) -> AbstractBaseUser:
    """Create an account; the first account of a fresh install becomes a superuser."""
    user_model = get_user_model()
    first = not user_model.objects.exists()
    if first:
        return user_model.objects.create_superuser(username=username, password=password)
    return user_model.objects.create_user(username=username, password=password)
