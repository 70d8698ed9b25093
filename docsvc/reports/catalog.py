"""The reports there are, by the name the API and pages use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from docsvc.auth.scope import in_sight
from docsvc.errors import NotFound
from docsvc.models import Jurisdiction, User
from docsvc.profiles.loader import profile_of
from docsvc.profiles.model import Profile
from docsvc.reports import clock_performance, settlements, workload
from docsvc.reports.model import Report

Builder = Callable[[Session, Profile, int, datetime], Report]

REPORTS: dict[str, tuple[str, Builder]] = {
    # Titles shown for every jurisdiction: the rule a report answers is cited on the report,
    # from that jurisdiction's profile, never here.
    "workload": ("Annual workload", workload.build),
    "settlements": ("Annual settlements", settlements.build),
    "clock-performance": ("Clock performance", clock_performance.build),
}
FORMATS = ("json", "csv", "pdf")


def build(name: str, session: Session, profile: Profile, year: int, now: datetime) -> Report:
    if name not in REPORTS:
        raise NotFound(f"no report '{name}'; the reports are: {', '.join(REPORTS)}.")
    return REPORTS[name][1](session, profile, year, now)


def visible_profile(session: Session, user: User, code: str) -> Profile:
    """The profile of a jurisdiction `user` may see; else not found."""
    row = session.get(Jurisdiction, code)
    in_sight(user, row.code if row else None, f"no jurisdiction '{code}' that you can see.")
    assert row is not None
    return profile_of(row)
