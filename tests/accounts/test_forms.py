"""The sign-up form: password validators and unique usernames."""

from __future__ import annotations

import pytest

from accounts.forms import SignupForm


@pytest.mark.django_db
def test_signup_rejects_weak_password():
    form = SignupForm({"username": "erin", "password1": "123", "password2": "123"})
    assert not form.is_valid()
    assert "password2" in form.errors


@pytest.mark.django_db
def test_signup_rejects_taken_username(user_factory):
    user_factory(username="frank")
    password = "a-long-Passphrase-42"
    form = SignupForm({"username": "Frank", "password1": password, "password2": password})
    assert not form.is_valid()
    assert "username" in form.errors
