"""Time helpers: everything is stored in UTC and shown in the jurisdiction's zone.

The clock is one replaceable function so that rules about "now" (service cannot be recorded
before issue or in the future) can be tested at fixed dates.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

# Devices in the field and the server disagree by a few minutes at most.
CLOCK_SKEW = timedelta(minutes=10)


def _system_clock() -> datetime:
    return datetime.now(UTC)


_clock: Callable[[], datetime] = _system_clock


def utcnow() -> datetime:
    return _clock()


@contextmanager
def clock_at(start: datetime) -> Iterator[Callable[[timedelta], None]]:
    """Run with the clock at `start` (advancing with real time); yields a function to move it."""
    global _clock
    offset = [start.astimezone(UTC) - datetime.now(UTC)]
    _clock = lambda: datetime.now(UTC) + offset[0]  # noqa: E731

    def advance(by: timedelta) -> None:
        offset[0] += by

    try:
        yield advance
    finally:
        _clock = _system_clock


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day where it has fewer days
    (31 January + 1 month = 28 or 29 February; 29 February + 12 months = 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))
