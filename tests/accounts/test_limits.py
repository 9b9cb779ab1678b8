"""accounts.limits: the limits in force and which one a new message would pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from accounts import limits
from accounts.models import UserLimits

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def user(user_factory):
    return user_factory()


@pytest.fixture
def tokens(monkeypatch):
    """A registered token counter whose total the test sets."""
    spent = {"tokens": 0, "since": None}

    def counter(*, user_id: int, since: datetime) -> int:
        spent["since"] = since
        return spent["tokens"]

    monkeypatch.setattr(limits, "_token_counters", [counter])
    return spent


def check(user, *, running: int = 0, sent: list[datetime] | None = None):
    return limits.limit_exceeded(
        user_id=user.pk, running=running, sent_in_last_minute=sent or [], now=NOON
    )


def test_defaults_come_from_settings(user, settings):
    settings.USER_LIMIT_DEFAULTS = {
        "running_generations": 2,
        "messages_per_minute": 7,
        "tokens_per_day": 1000,
    }
    assert limits.user_limits_get(user_id=user.pk) == limits.Limits(2, 7, 1000)


def test_an_admin_override_replaces_only_its_field(user, settings):
    UserLimits.objects.create(user=user, messages_per_minute=1)
    got = limits.user_limits_get(user_id=user.pk)
    assert got.messages_per_minute == 1
    assert got.running_generations == settings.USER_LIMIT_DEFAULTS["running_generations"]


def test_within_every_limit_nothing_is_exceeded(user, tokens):
    assert check(user, running=1, sent=[NOON - timedelta(seconds=5)]) is None


def test_running_generations_limit(user, tokens):
    UserLimits.objects.create(user=user, running_generations=2)
    exceeded = check(user, running=2)
    assert exceeded.limit == "running_generations" and exceeded.resets_at is None
    assert "2 replies generating" in exceeded.message


def test_messages_per_minute_resets_a_minute_after_the_oldest(user, tokens):
    UserLimits.objects.create(user=user, messages_per_minute=2)
    sent = [NOON - timedelta(seconds=40), NOON - timedelta(seconds=10)]
    exceeded = check(user, sent=sent)
    assert exceeded.limit == "messages_per_minute"
    assert exceeded.resets_at == NOON + timedelta(seconds=20)
    assert exceeded.message.endswith("Try again in 21 seconds.")


def test_tokens_per_day_counts_from_midnight_and_resets_at_the_next(user, tokens):
    UserLimits.objects.create(user=user, tokens_per_day=500)
    tokens["tokens"] = 500
    exceeded = check(user)
    assert tokens["since"] == datetime(2026, 3, 1, tzinfo=UTC)
    assert exceeded.limit == "tokens_per_day"
    assert exceeded.resets_at == datetime(2026, 3, 2, tzinfo=UTC)
    assert "500 tokens" in exceeded.message and "in 12\xa0hours" in exceeded.message


def test_every_registered_counter_adds_up(user, monkeypatch):
    monkeypatch.setattr(limits, "_token_counters", [])
    limits.token_counter_register(lambda **_: 3)
    limits.token_counter_register(lambda **_: 4)
    assert limits.user_tokens_since(user_id=user.pk, since=NOON) == 7


def test_batch_runs_per_minute_share_the_message_limit(user, tokens):
    UserLimits.objects.create(user=user, messages_per_minute=1)
    started = [NOON - timedelta(seconds=30)]
    exceeded = limits.batch_limit_exceeded(
        user_id=user.pk, started_in_last_minute=started, now=NOON
    )
    assert exceeded.limit == "messages_per_minute"
    assert exceeded.message.startswith("You have started 1 batch runs in the last minute")
    assert limits.batch_limit_exceeded(user_id=user.pk, started_in_last_minute=[], now=NOON) is None


def test_a_batch_run_is_refused_once_the_days_tokens_are_spent(user, tokens):
    UserLimits.objects.create(user=user, tokens_per_day=100)
    tokens["tokens"] = 100
    exceeded = limits.batch_limit_exceeded(user_id=user.pk, started_in_last_minute=[], now=NOON)
    assert exceeded.limit == "tokens_per_day"
    assert limits.tokens_exceeded(user_id=user.pk, now=NOON) == exceeded
    tokens["tokens"] = 99
    assert limits.tokens_exceeded(user_id=user.pk, now=NOON) is None
