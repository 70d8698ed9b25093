"""Liens: recorded when due, then satisfied and released, each with its date.

A lien covers what the profile's `money.lien.covers` names (Jefferson: penalties and costs,
Rule 4(b)(i)-(ii)) that is unpaid and due on the day it is recorded; `ledger.lien_due` says
when it falls due and what it is made of.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.errors import Conflict, Invalid
from docsvc.models import Case, Lien, User
from docsvc.money import ledger
from docsvc.timeutil import utcnow


def record(session: Session, user: User, case: Case, data: dict[str, Any]) -> Lien:
    on = data["recorded_on"]
    b = ledger.case_balances(session, case, on)
    due = ledger.lien_due(ledger.lien_rule(session, case), b, on)
    if not due["due"]:
        why = due.get("reason") or "nothing it covers has stayed unpaid long enough"
        when = f" (due on {due['due_on']})" if due.get("due_on") else ""
        raise Conflict(f"no lien is due for recording on {on}: {why}{when}.", {"lien": due})
    open_lien = session.scalar(
        select(Lien).where(Lien.case_id == case.id, Lien.status == "recorded")
    )
    if open_lien is not None:
        raise Conflict(f"lien {open_lien.id} is already recorded for this case.")
    lien = Lien(
        case_id=case.id,
        property_id=case.property_id,
        amount=Decimal(due["amount"]),
        status="recorded",
        recorded_on=on,
        recording_number=data["recording_number"],
        created_by_id=user.id,
        created_at=utcnow(),
    )
    session.add(lien)
    session.flush()
    append(
        session,
        actor_of(user),
        "lien.record",
        "lien",
        lien.id,
        case_id=case.id,
        fields=["amount", "recorded_on", "recording_number"],
    )
    return lien


def advance(session: Session, user: User, lien: Lien, to: str, on: date) -> Lien:
    order = {"recorded": "satisfied", "satisfied": "released"}
    if order.get(lien.status) != to:
        raise Conflict(f"lien {lien.id} is {lien.status}; it cannot become {to} now.")
    previous = lien.recorded_on if to == "satisfied" else lien.satisfied_on
    if previous and on < previous:
        raise Invalid(f"{to}_on is before the lien was {lien.status}.", {"field": f"{to}_on"})
    lien.status = to
    setattr(lien, f"{to}_on", on)
    append(
        session,
        actor_of(user),
        f"lien.{to[:-1] if to.endswith('d') else to}",
        "lien",
        lien.id,
        case_id=lien.case_id,
        fields=["status", f"{to}_on"],
    )
    return lien


def unreleased(session: Session, case: Case) -> list[Lien]:
    """Liens still on the property: they show on the case and block its disposition."""
    return list(
        session.scalars(select(Lien).where(Lien.case_id == case.id, Lien.status != "released"))
    )
