"""A case's ledger: balances in exact decimals, and when a lien falls due.

Penalties and costs are kept apart: a payment says which it pays; a cancellation (a settlement
cancelling part of a penalty) can only touch penalties, since abatement and compliance costs
are never waived (Jefferson County Rule 5(b); JCC 19.30.025).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import append
from docsvc.cases.service import actor_of, case_profile
from docsvc.errors import Invalid
from docsvc.models import Case, LedgerEntry, User
from docsvc.models.money import APPLIES_TO, CENT
from docsvc.timeutil import utcnow

ZERO = Decimal("0.00")
PENALTY_KINDS = ("penalty", "daily_penalty")
COST_KINDS = ("abatement_cost", "compliance_cost")


def accrued(entry: LedgerEntry, as_of: date) -> Decimal:
    """What an entry amounts to on `as_of` (a daily penalty accrues day by day)."""
    if entry.assessed_on > as_of:
        return ZERO
    if entry.kind != "daily_penalty":
        return entry.amount
    last = min(entry.ends_on or as_of, as_of)
    days = (last - entry.assessed_on).days + 1
    return (entry.amount * days).quantize(CENT)


@dataclass
class Balances:
    penalties_assessed: Decimal
    penalties_cancelled: Decimal
    penalties_paid: Decimal
    costs_assessed: Decimal
    costs_paid: Decimal
    oldest_unpaid_penalty_on: date | None

    @property
    def penalties_due(self) -> Decimal:
        return self.penalties_assessed - self.penalties_cancelled - self.penalties_paid

    @property
    def costs_due(self) -> Decimal:
        return self.costs_assessed - self.costs_paid

    def as_dict(self) -> dict[str, Any]:
        return {
            "penalties_assessed": str(self.penalties_assessed),
            "penalties_cancelled": str(self.penalties_cancelled),
            "penalties_paid": str(self.penalties_paid),
            "penalties_due": str(self.penalties_due),
            "costs_assessed": str(self.costs_assessed),
            "costs_paid": str(self.costs_paid),
            "costs_due": str(self.costs_due),
            "oldest_unpaid_penalty_on": self.oldest_unpaid_penalty_on.isoformat()
            if self.oldest_unpaid_penalty_on
            else None,
        }


def entries(session: Session, case: Case) -> list[LedgerEntry]:
    return list(
        session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.case_id == case.id)
            .order_by(LedgerEntry.assessed_on, LedgerEntry.id)
        )
    )


def balances(rows: list[LedgerEntry], as_of: date) -> Balances:
    penalties = [
        (r.assessed_on, accrued(r, as_of))
        for r in rows
        if r.kind in PENALTY_KINDS and r.assessed_on <= as_of
    ]
    credit = sum(
        (
            r.amount
            for r in rows
            if r.assessed_on <= as_of
            and (r.kind == "cancellation" or (r.kind == "payment" and r.applies_to == "penalties"))
        ),
        ZERO,
    )
    # Oldest first: payments and cancellations settle the earliest penalties.
    oldest = None
    remaining = credit
    for assessed_on, amount in sorted(penalties):
        if remaining >= amount:
            remaining -= amount
            continue
        oldest = assessed_on
        break
    return Balances(
        penalties_assessed=sum((a for _, a in penalties), ZERO),
        penalties_cancelled=sum(
            (r.amount for r in rows if r.kind == "cancellation" and r.assessed_on <= as_of), ZERO
        ),
        penalties_paid=sum(
            (
                r.amount
                for r in rows
                if r.kind == "payment" and r.applies_to == "penalties" and r.assessed_on <= as_of
            ),
            ZERO,
        ),
        costs_assessed=sum(
            (r.amount for r in rows if r.kind in COST_KINDS and r.assessed_on <= as_of), ZERO
        ),
        costs_paid=sum(
            (
                r.amount
                for r in rows
                if r.kind == "payment" and r.applies_to == "costs" and r.assessed_on <= as_of
            ),
            ZERO,
        ),
        oldest_unpaid_penalty_on=oldest,
    )


def lien_due(rule: dict[str, Any] | None, b: Balances, as_of: date) -> dict[str, Any]:
    """Due for recording once a penalty has stayed unpaid for the profile's days (Jefferson:
    90 days, Rule 4(b)(i)): due on day 90, not on day 89."""
    if rule is None:
        return {"due": False, "reason": "the jurisdiction's profile sets no lien rule"}
    if b.penalties_due <= 0 or b.oldest_unpaid_penalty_on is None:
        return {"due": False, "reason": "no unpaid penalty", "citation": rule["citation"]}
    due_on = b.oldest_unpaid_penalty_on + timedelta(days=rule["unpaid_penalty_days"])
    return {
        "due": as_of >= due_on,
        "due_on": due_on.isoformat(),
        "amount": str(b.penalties_due),
        "citation": rule["citation"],
    }


def add_entry(session: Session, user: User, case: Case, data: dict[str, Any]) -> LedgerEntry:
    kind = data["kind"]
    if kind == "cancellation" and data.get("applies_to") == "costs":
        raise Invalid(
            "abatement and compliance costs cannot be waived or cancelled; only a "
            "penalty can be (Jefferson County Rule 5(b); JCC 19.30.025).",
            {"field": "applies_to"},
        )
    if kind == "payment" and data.get("applies_to") not in APPLIES_TO:
        raise Invalid(
            "say what the payment pays: applies_to 'penalties' or 'costs'.", {"field": "applies_to"}
        )
    if kind == "daily_penalty" and data.get("ends_on") and data["ends_on"] < data["assessed_on"]:
        raise Invalid("ends_on is before assessed_on.", {"field": "ends_on"})
    if kind == "cancellation":
        as_of = data["assessed_on"]
        b = balances(entries(session, case), as_of)
        if data["amount"] > b.penalties_due:
            raise Invalid(
                f"the cancellation ({data['amount']}) is more than the penalties due "
                f"on {as_of} ({b.penalties_due}); costs cannot be cancelled.",
                {"field": "amount"},
            )
    entry = LedgerEntry(
        case_id=case.id,
        kind=kind,
        amount=data["amount"],
        assessed_on=data["assessed_on"],
        ends_on=data.get("ends_on") if kind == "daily_penalty" else None,
        applies_to="penalties" if kind == "cancellation" else data.get("applies_to"),
        document_id=data.get("document_id"),
        note=data.get("note"),
        created_by_id=user.id,
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    append(
        session,
        actor_of(user),
        "ledger.add",
        "ledger_entry",
        entry.id,
        case_id=case.id,
        fields=["kind", "amount", "assessed_on"],
    )
    return entry


def lien_rule(session: Session, case: Case) -> dict[str, Any] | None:
    return (case_profile(session, case).data.get("money") or {}).get("lien")
