"""Time helpers: everything is stored in UTC and shown in the jurisdiction's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time without a UTC offset is ambiguous")
    return value.astimezone(UTC)


def iso_local(value: datetime | None, tz: str) -> str | None:
    """ISO 8601 with the offset of the jurisdiction's zone (what people there read)."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(tz)).isoformat()
