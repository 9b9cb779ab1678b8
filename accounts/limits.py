"""Per-user limits: the values in force, and which one a new message would pass.

Each app that spends tokens registers a counter (`token_counter_register`, from its
AppConfig.ready), so the daily budget covers chat turns and batch runs alike without accounts
knowing either app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils.timesince import timeuntil

from accounts.models import UserLimits

MINUTE = timedelta(minutes=1)
# counter(user_id=…, since=…) -> tokens the user spent since then.
TokenCounter = Callable[..., int]
_token_counters: list[TokenCounter] = []


@dataclass(frozen=True)
class Limits:
    """The limits in force for one user."""

    running_generations: int
    messages_per_minute: int
    tokens_per_day: int


@dataclass(frozen=True)
class LimitExceeded:
    """A limit a new message would pass: which, a sentence for the user, and when it resets."""

    limit: str
    message: str
    resets_at: datetime | None


def token_counter_register(counter: TokenCounter) -> None:
    """Count an app's token usage toward the daily limit."""
    if counter not in _token_counters:
        _token_counters.append(counter)


def user_limits_get(*, user_id: int) -> Limits:
    """The user's limits: their admin overrides, else the site defaults from settings."""
    row = UserLimits.objects.filter(user_id=user_id).first()

    def value(name: str) -> int:
        override = getattr(row, name, None)
        return settings.USER_LIMIT_DEFAULTS[name] if override is None else override

    return Limits(
        *(value(name) for name in ("running_generations", "messages_per_minute", "tokens_per_day"))
    )


def user_tokens_since(*, user_id: int, since: datetime) -> int:
    """Tokens the user spent since then, over every registered counter."""
    return sum(counter(user_id=user_id, since=since) for counter in _token_counters)


def limit_exceeded(
    *, user_id: int, running: int, sent_in_last_minute: list[datetime], now: datetime
) -> LimitExceeded | None:
    """The first limit one more message would pass, or None when it may be sent."""
    limits = user_limits_get(user_id=user_id)
    if running >= limits.running_generations:
        return LimitExceeded(
            "running_generations",
            f"You already have {running} replies generating, your limit at once. "
            "Wait for one to finish, or stop it, then send again.",
            None,
        )
    exceeded = _minute_exceeded(
        sent=sent_in_last_minute, limit=limits.messages_per_minute, did="sent {} messages", now=now
    )
    return exceeded or tokens_exceeded(user_id=user_id, limit=limits.tokens_per_day, now=now)


def batch_limit_exceeded(
    *, user_id: int, started_in_last_minute: list[datetime], now: datetime
) -> LimitExceeded | None:
    """The limit one more batch run would pass (a run counts as one message), or None."""
    limits = user_limits_get(user_id=user_id)
    exceeded = _minute_exceeded(
        sent=started_in_last_minute,
        limit=limits.messages_per_minute,
        did="started {} batch runs",
        now=now,
    )
    return exceeded or tokens_exceeded(user_id=user_id, limit=limits.tokens_per_day, now=now)


def _minute_exceeded(
    *, sent: list[datetime], limit: int, did: str, now: datetime
) -> LimitExceeded | None:
    if len(sent) < limit:
        return None
    # A limit of 0 (a user blocked by staff) may have nothing sent to count from.
    resets_at = min(sent, default=now) + MINUTE
    return LimitExceeded(
        "messages_per_minute",
        f"You have {did.format(limit)} in the last minute, your limit. "
        f"Try again in {_wait(resets_at, now)}.",
        resets_at,
    )


def tokens_exceeded(
    *, user_id: int, now: datetime, limit: int | None = None
) -> LimitExceeded | None:
    """The daily token limit when the user has spent it (chat and batch runs), else None."""
    if limit is None:
        limit = user_limits_get(user_id=user_id).tokens_per_day
    midnight = datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    if user_tokens_since(user_id=user_id, since=midnight) < limit:
        return None
    resets_at = midnight + timedelta(days=1)
    return LimitExceeded(
        "tokens_per_day",
        f"You have used your {limit:,} tokens for today. The limit resets at midnight UTC, "
        f"in {_wait(resets_at, now)}.",
        resets_at,
    )


def _wait(until: datetime, now: datetime) -> str:
    """'23 seconds' under a minute (timeuntil would say '0 minutes'), else timeuntil's words."""
    seconds = max(int((until - now).total_seconds()) + 1, 1)
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return timeuntil(until, now)
