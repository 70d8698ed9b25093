"""Time helpers: everything is stored in UTC and shown in the jurisdiction's zone.

The clock is one replaceable function so that rules about "now" (service cannot be recorded
before issue or in the future) can be tested at fixed dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

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
