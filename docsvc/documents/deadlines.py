"""Compliance deadlines: a violation type's rule, run from the effective date of service.

Day-based deadlines end at the close of the last day in the jurisdiction's zone (so a DST
change in between moves nothing), and land on the next business day where the profile says
so. Hour-based deadlines are exact elapsed hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from docsvc.documents.calendar import BusinessCalendar
from docsvc.models.documents import IMMEDIATE_METHODS
from docsvc.profiles.model import Profile
from docsvc.timeutil import add_months

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class Rule:
    unit: str
    amount: int | None

    @classmethod
    def of(cls, deadline: dict[str, Any]) -> Rule:
        return cls(deadline["unit"], deadline.get("amount"))

    def after(self) -> str:
        """The rule counted from service, as printed beside a known date ("15 days after
        service")."""
        n = self.amount
        return {
            "hours": f"{n} hours after service",
            "calendar_days": f"{n} days after service",
            "business_days": f"{n} business days after service",
            "immediate": "immediately upon service",
            "stop_work_order": "all work must stop immediately upon service of this order",
        }[self.unit]

    def text(self) -> str:
        """How the notice words the rule before the date of service is known: the respondent
        counts from the date on the proof of service, so the notice says which date that is."""
        if self.unit in ("immediate", "stop_work_order"):
            return self.after()
        what = "time" if self.unit == "hours" else "date"
        return f"within {self.after()} (the {what} on the proof of service)"

    def of_event(self, event: str) -> str:
        """A clock counted from something other than service ("within 2 business days of
        receipt"), for reports."""
        if self.unit in ("immediate", "stop_work_order"):
            return self.after()
        return "within " + self.after().replace("after service", f"of {event}")

    def short(self) -> str:
        """One violation's line: the rule without the explanation the deadline section gives."""
        if self.unit in ("immediate", "stop_work_order"):
            return self.after()
        return f"within {self.after()}"

    def sort_key(self) -> float:
        """Rough length, to pick the strictest of several rules before service is known."""
        n = self.amount or 0
        return {"immediate": 0, "stop_work_order": 0, "hours": n / 24}.get(self.unit, n)


def deadline(rule: Rule, effective: datetime, profile: Profile) -> datetime:
    zone = profile.zone
    if rule.unit in ("immediate", "stop_work_order"):
        return effective
    if rule.unit == "hours":
        # In UTC: Python adds a timedelta to an aware time in wall-clock terms, which would
        # make "24 hours" across a DST change 23 or 25 real hours.
        return effective.astimezone(UTC) + timedelta(hours=rule.amount or 0)
    cal = BusinessCalendar(profile)
    start = effective.astimezone(zone).date()
    if rule.unit == "business_days":
        last = cal.add_business_days(start, rule.amount or 0)
    elif rule.unit == "months":
        last = add_months(start, rule.amount or 0)
        if cal.roll:
            last = cal.next_business_day(last)
    else:
        last = start + timedelta(days=rule.amount or 0)
        if cal.roll:
            last = cal.next_business_day(last)
    return datetime.combine(last, END_OF_DAY, tzinfo=zone)


def earliest(rules: list[Rule], effective: datetime, profile: Profile) -> datetime | None:
    if not rules:
        return None
    return min(deadline(r, effective, profile) for r in rules)


def strictest(rules: list[Rule]) -> Rule | None:
    return min(rules, key=Rule.sort_key) if rules else None


def effective_service(
    method: str,
    *,
    served_at: datetime | None,
    mailed_at: datetime | None,
    delivered_at: datetime | None,
    unclaimed: bool,
    profile: Profile,
) -> tuple[datetime | None, str]:
    """(when service took effect, or None until known; the rule, in words)."""
    rules = profile.data["service"]
    if method in IMMEDIATE_METHODS:
        return served_at, "effective when served"
    if method == "first_class_mail":
        days = rules["first_class_mail_effective_days"]
        assert mailed_at is not None
        return mailed_at + timedelta(days=days), f"effective {days} days after mailing"
    if method == "certified_mail":
        if delivered_at is not None:
            return delivered_at, "effective on delivery, per the return receipt"
        if unclaimed and mailed_at is not None:
            days = rules["certified_unclaimed_fallback_days"]
            return mailed_at + timedelta(days=days), (
                f"unclaimed: effective {days} days after mailing"
            )
        return None, "effective on delivery, per the return receipt"
    raise ValueError(f"unknown service method {method}")
