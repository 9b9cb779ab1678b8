"""Login throttling (django-axes): lockout after N failures, its message, and clearing it."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

RIGHT = "pw-for-tests-123"


def login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    data = {"username": username, "password": password}
    return client.post(reverse("login"), data, REMOTE_ADDR=ip)


def fail(client: Client, username: str, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        login(client, username, "wrong", ip)


def test_the_nth_failure_locks_the_username(client, owner, settings):
    fail(client, owner.username, settings.AXES_FAILURE_LIMIT - 1)
    response = login(client, owner.username, "wrong")
    assert response.status_code == 429  # the Nth failure is the one that locks
    assert login(Client(), owner.username, RIGHT, ip="10.0.0.2").status_code == 429


def test_a_locked_username_says_when_to_try_again(client, owner, settings):
    fail(client, owner.username, settings.AXES_FAILURE_LIMIT)
    response = login(client, owner.username, RIGHT, ip="10.9.9.9")
    assert response.status_code == 429
    assert "Too many failed logins. Try again in 15\xa0minutes." in response.content.decode()
    assert response.context["form"]["username"].value() == owner.username


def test_a_locked_address_refuses_every_username(client, owner, user_factory, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, f"nobody{n}", "wrong", ip="10.0.0.7")
    assert login(client, owner.username, RIGHT, ip="10.0.0.7").status_code == 429
    assert login(Client(), owner.username, RIGHT, ip="10.0.0.8").status_code == 302


def test_forwarded_for_does_not_change_the_address(client, owner, settings):
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": f"nobody{n}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.3",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    assert login(client, owner.username, RIGHT, ip="10.0.0.3").status_code == 429


def test_fewer_failures_than_the_limit_still_let_the_user_in(client, owner, settings):
    fail(client, owner.username, settings.AXES_FAILURE_LIMIT - 1)
    assert login(client, owner.username, RIGHT).status_code == 302


def test_staff_see_and_clear_a_lockout_in_the_admin(owner, user_factory, settings):
    fail(Client(), owner.username, settings.AXES_FAILURE_LIMIT)
    admin = Client()
    admin.force_login(user_factory(is_staff=True, is_superuser=True))
    listing = admin.get("/admin/axes/accessattempt/")
    assert owner.username in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=owner.username)
    admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert login(Client(), owner.username, RIGHT, ip="10.0.0.9").status_code == 302
