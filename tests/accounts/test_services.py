"""Account writes: the first account of a fresh install is the superuser."""

from __future__ import annotations

import pytest

from accounts import services

pytestmark = pytest.mark.django_db


def test_first_user_is_superuser_then_not():
    first = services.user_create(username="a", password="pw-123456-x")
    second = services.user_create(username="b", password="pw-123456-x")
    assert first.is_superuser and not second.is_superuser
