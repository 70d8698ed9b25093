"""Business days in a jurisdiction: its time zone, its state's holidays, its own closures."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from docsvc.profiles.model import Profile


@lru_cache(maxsize=64)
def _holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


class BusinessCalendar:
    def __init__(self, profile: Profile) -> None:
        cal = profile.data["calendar"]
        self.country = cal["country"]
        self.subdivision = cal.get("subdivision")
        self.closures = profile.extra_closures()
        self.roll = cal.get("roll_to_business_day", True)

    def is_business_day(self, day: date) -> bool:
        if day.weekday() >= 5 or day in self.closures:
            return False
        return day not in _holidays(self.country, self.subdivision, day.year)

    def next_business_day(self, day: date) -> date:
        """`day` itself if it is a business day, else the first one after it."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day after `day` (the day of the event itself does not count)."""
        while n > 0:
            day += timedelta(days=1)
            if self.is_business_day(day):
                n -= 1
        return day
