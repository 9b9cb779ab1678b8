"""The hardening table: each case records (tried, passed), printed at the end of the run.

Long cases (process kills, hundreds of reconnects, server restarts) are marked `long` and skipped
unless HARDENING_LONG=1 (README, "Hardening").
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest

from tests.e2e.conftest import browser  # noqa: F401 - Chromium for the XSS corpus


@dataclass
class Row:
    case: str
    tried: int = 0
    passed: int = 0
    failures: list[str] = field(default_factory=list)


class Table:
    """Counts per case, kept across the session's tests."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        """A line printed under the table (what a count does not say)."""
        self.notes.append(text)

    def record(self, case: str, ok: bool, what: str = "") -> None:
        """One try of a case; a failed one keeps its description for the summary."""
        row = self.rows.setdefault(case, Row(case))
        row.tried += 1
        row.passed += ok
        if not ok:
            row.failures.append(what)

    def row(self, case: str) -> Row:
        return self.rows.setdefault(case, Row(case))


TABLE = Table()


@pytest.fixture
def table() -> Table:
    return TABLE


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("HARDENING_LONG") == "1":
        return
    skip = pytest.mark.skip(reason="long hardening case: run with HARDENING_LONG=1")
    for item in items:
        if "long" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter) -> None:
    if not TABLE.rows and not TABLE.notes:
        return
    write = terminalreporter.write_line
    terminalreporter.section("hardening")
    width = max((len(case) for case in TABLE.rows), default=4)
    write(f"{'case':<{width}}  {'tried':>6}  {'passed':>6}")
    for row in TABLE.rows.values():
        write(f"{row.case:<{width}}  {row.tried:>6}  {row.passed:>6}")
        for failure in row.failures[:40]:
            write(f"    failed: {failure}")
    for note in TABLE.notes:
        write(f"note: {note}")
