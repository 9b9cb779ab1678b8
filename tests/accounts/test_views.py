"""Sign-up, login and logout through the Django test client."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Passphrase-42"


def test_login_and_signup_pages_are_public(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("signup")).status_code == 200


def test_login_signs_in(client, owner):
    response = client.post(
        reverse("login"), {"username": owner.username, "password": "pw-for-tests-123"}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_logout_is_post(owner_client):
    response = owner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert owner_client.get("/").status_code == 302


def signup(client: Client, username: str, password: str = PASSWORD):
    return client.post(
        reverse("signup"), {"username": username, "password1": password, "password2": password}
    )


def test_first_signup_is_superuser_and_signed_in():
    client = Client()
    response = signup(client, "alice")
    assert response.status_code == 302
    alice = get_user_model().objects.get(username="alice")
    assert alice.is_superuser and alice.is_staff
    assert client.get("/").status_code == 200


def test_second_signup_is_not_superuser():
    signup(Client(), "alice")
    signup(Client(), "bob")
    bob = get_user_model().objects.get(username="bob")
    assert not bob.is_superuser and not bob.is_staff


def test_signup_mismatched_passwords_keeps_username(client):
    response = client.post(
        reverse("signup"),
        {"username": "carol", "password1": PASSWORD, "password2": "other-Pass-99"},
    )
    assert response.status_code == 200
    assert b'value="carol"' in response.content
    assert not get_user_model().objects.filter(username="carol").exists()


def test_signup_disabled_shows_page(client, settings):
    settings.SIGNUP_ENABLED = False
    response = signup(client, "dave")
    assert response.status_code == 403
    assert b"Sign-up is closed" in response.content
    assert not get_user_model().objects.exists()
