"""The user admin page carries the user's usage limits."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import UserLimits

pytestmark = pytest.mark.django_db


def test_staff_set_a_users_limits_on_the_user_page(user_factory):
    staff, user = user_factory(is_staff=True, is_superuser=True), user_factory()
    client = Client()
    client.force_login(staff)
    url = f"/admin/auth/user/{user.pk}/change/"
    page = client.get(url)
    assert "Messages sent in any 60 seconds" in page.content.decode()
    form = page.context["adminform"].form
    skip = {"groups", "user_permissions", "last_login"}
    data = {k: v for k, v in form.initial.items() if v is not None and k not in skip}
    data.update(
        {
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            "limits-TOTAL_FORMS": "1",
            "limits-INITIAL_FORMS": "0",
            "limits-0-messages_per_minute": "3",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert UserLimits.objects.get(user=user).messages_per_minute == 3
