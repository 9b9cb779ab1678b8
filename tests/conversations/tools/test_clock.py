"""current_time: now, in the named IANA zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from conversations.tools import clock
from conversations.tools.base import ToolContext

CONTEXT = ToolContext(owner_id=1)


@pytest.fixture
def frozen(monkeypatch):
    moment = datetime(2026, 7, 1, 12, 30, tzinfo=UTC)
    monkeypatch.setattr(clock.timezone, "now", lambda: moment)


def test_utc_by_default(frozen):
    assert (
        clock.TOOL.run(CONTEXT)
        == "Wednesday 01 July 2026, 12:30:00 UTC (2026-07-01T12:30:00+00:00)"
    )


def test_in_a_named_zone(frozen):
    assert clock.TOOL.run(CONTEXT, timezone_name="Europe/Paris").endswith(
        "14:30:00 CEST (2026-07-01T14:30:00+02:00)"
    )


@pytest.mark.parametrize("name", ["Mars/Olympus", "../../etc/passwd", "/etc/localtime"])
def test_unknown_zones_are_refused_by_name(name):
    with pytest.raises(clock.UnknownTimeZone, match="IANA name"):
        clock.TOOL.run(CONTEXT, timezone_name=name)
