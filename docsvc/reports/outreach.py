"""The outreach log the workload report counts: education and business licence checks."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.auth.scope import visible, within
from docsvc.errors import Invalid
from docsvc.models import Jurisdiction, OutreachActivity, User
from docsvc.timeutil import utcnow


def record(session: Session, user: User, data: dict[str, Any]) -> OutreachActivity:
    """Education given or a business licence check (Lee's Summit II.C, II.D)."""
    if session.get(Jurisdiction, data["jurisdiction"]) is None or not visible(
        user, data["jurisdiction"]
    ):
        raise Invalid(
            f"no jurisdiction '{data['jurisdiction']}' that you can record for.",
            {"field": "jurisdiction"},
        )
    # A day of slack: the server's UTC date runs ahead of the western zones'.
    if data["occurred_on"] > utcnow().date() + timedelta(days=1):
        raise Invalid("occurred_on is in the future.", {"field": "occurred_on"})
    fields_ = {k: v for k, v in data.items() if k != "jurisdiction"}
    row = OutreachActivity(
        jurisdiction_code=data["jurisdiction"],
        created_by_id=user.id,
        created_at=utcnow(),
        **fields_,
    )
    session.add(row)
    session.flush()
    append(
        session,
        actor_of(user),
        "outreach.add",
        "outreach",
        row.id,
        fields=sorted(fields_),
    )
    return row


def outreach_log(
    session: Session, user: User, jurisdiction: str | None = None, year: int | None = None
) -> list[OutreachActivity]:
    """The log in jurisdictions `user` may see (or just `jurisdiction`), of one year if given,
    oldest first."""
    stmt = select(OutreachActivity).order_by(OutreachActivity.occurred_on, OutreachActivity.id)
    stmt = stmt.where(within(user, OutreachActivity.jurisdiction_code, jurisdiction))
    if year:
        stmt = stmt.where(
            OutreachActivity.occurred_on.between(date(year, 1, 1), date(year, 12, 31))
        )
    return list(session.scalars(stmt))
