"""`current_time`: the date and time now, in a time zone the model names (IANA) or UTC."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from conversations.tools.base import Tool, ToolContext


class UnknownTimeZone(ValueError):
    """Not an IANA time zone name."""


def _run(context: ToolContext, *, timezone_name: str = "UTC") -> str:
    name = timezone_name.strip() or "UTC"
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # ValueError: not a zone key at all (an absolute path, "..", a NUL).
        raise UnknownTimeZone(
            f"Unknown time zone {name!r}: use an IANA name such as Europe/Paris or UTC."
        ) from None
    now = timezone.now().astimezone(zone)
    return f"{now:%A %d %B %Y, %H:%M:%S} {now.tzname()} ({now.isoformat(timespec='seconds')})"


TOOL = Tool(
    name="current_time",
    description="The current date and time, in the given IANA time zone (default UTC).",
    parameters={
        "type": "object",
        "properties": {
            "timezone_name": {
                "type": "string",
                "description": "An IANA time zone such as Europe/Paris; UTC when empty.",
            }
        },
        "additionalProperties": False,
    },
    run=_run,
)
