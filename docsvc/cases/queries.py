"""Finding cases: the case list the API answers and the cases page shows, one query for both."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docsvc.auth.scope import scope, within
from docsvc.cases.normalize import address_key
from docsvc.models import Case, Jurisdiction, Property, User


@dataclass(frozen=True)
class CaseList:
    """One page of cases, newest first, each with its jurisdiction's zone (for showing times)."""

    total: int
    page: int
    per_page: int
    cases: list[tuple[Case, ZoneInfo]]


def find_cases(
    session: Session,
    user: User,
    *,
    status: str | None = None,
    jurisdiction: str | None = None,
    address: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> CaseList:
    """The cases `user` may see, filtered by status, jurisdiction and (any part of) the address."""
    stmt = (
        select(Case)
        .join(Property, Property.id == Case.property_id)
        .where(within(user, Case.jurisdiction_code, jurisdiction))
    )
    if status:
        stmt = stmt.where(Case.status == status)
    if address:
        stmt = stmt.where(Property.address_key.contains(address_key(address), autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    zones = {j.code: ZoneInfo(j.timezone) for j in session.scalars(select(Jurisdiction))}
    return CaseList(total, page, per_page, [(c, zones[c.jurisdiction_code]) for c in rows])


def usual_jurisdiction(session: Session, user: User, offered: list[str]) -> str:
    """The new-case form's jurisdiction among the codes `offered`: the user's own when they
    are limited to one, else the one of the last case they opened, else the first offered."""
    if not offered:
        return ""
    own = scope(user)
    if own is not None and len(own) == 1:
        return own[0]
    last = session.scalar(
        select(Case.jurisdiction_code)
        .where(Case.opened_by_id == user.id, Case.jurisdiction_code.in_(offered))
        .order_by(Case.opened_at.desc(), Case.id.desc())
        .limit(1)
    )
    return last or offered[0]
