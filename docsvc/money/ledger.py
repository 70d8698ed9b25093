"""A case's ledger: balances in exact decimals, and when a lien falls due.

Penalties and costs are kept apart: a payment says which it pays; a cancellation (a settlement
cancelling part of a penalty) can only touch penalties, since abatement and compliance costs
are never waived (Jefferson County Rule 5(b); JCC 19.30.025).

A settlement holds part of the penalties (deferred, or to be cancelled once compliance is
sustained): held penalties are owed but not due, so they start no lien clock; when a hold ends
without a cancellation they fall due on its last day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.cases import service as cases
from docsvc.cases.service import case_profile
from docsvc.errors import Invalid
from docsvc.identity.mask import masker
from docsvc.labels import money
from docsvc.models import Case, Document, LedgerEntry, Lien, Settlement, User, Voucher
from docsvc.models.money import APPLIES_TO, CENT
from docsvc.money import ledger
from docsvc.money.schemas import (
    SettlementOut,
)
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


@dataclass(frozen=True)
class Hold:
    """Penalties a settlement holds from `start`: until `end` (None: still held)."""

    start: date
    amount: Decimal
    end: date | None


@dataclass
class Balances:
    penalties_assessed: Decimal
    penalties_cancelled: Decimal
    penalties_paid: Decimal
    penalties_held: Decimal
    costs_assessed: Decimal
    costs_paid: Decimal
    oldest_unpaid_penalty_on: date | None
    # The day the oldest cost still unpaid fell due (payments to costs settle the oldest first).
    oldest_unpaid_cost_on: date | None = None

    @property
    def penalties_due(self) -> Decimal:
        """Owed, whether or not a settlement holds part of it."""
        return self.penalties_assessed - self.penalties_cancelled - self.penalties_paid

    @property
    def penalties_due_now(self) -> Decimal:
        return self.penalties_due - self.penalties_held

    @property
    def costs_due(self) -> Decimal:
        return self.costs_assessed - self.costs_paid

    def as_dict(self) -> dict[str, Any]:
        return {
            "penalties_assessed": str(self.penalties_assessed),
            "penalties_cancelled": str(self.penalties_cancelled),
            "penalties_paid": str(self.penalties_paid),
            "penalties_due": str(self.penalties_due),
            "penalties_held": str(self.penalties_held),
            "penalties_due_now": str(self.penalties_due_now),
            "costs_assessed": str(self.costs_assessed),
            "costs_paid": str(self.costs_paid),
            "costs_due": str(self.costs_due),
            "oldest_unpaid_penalty_on": self.oldest_unpaid_penalty_on.isoformat()
            if self.oldest_unpaid_penalty_on
            else None,
            "oldest_unpaid_cost_on": self.oldest_unpaid_cost_on.isoformat()
            if self.oldest_unpaid_cost_on
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


@dataclass(order=True)
class _Chunk:
    """A piece of penalty: the day it fell due and what is left of it (ordered by both)."""

    due_on: date
    left: Decimal


def _take_oldest(chunks: list[_Chunk], amount: Decimal, on_or_before: date) -> Decimal:
    """Take up to `amount` from the oldest chunks dated on or before a day; what was taken."""
    taken = ZERO
    for chunk in chunks:
        if taken == amount or chunk.due_on > on_or_before:
            break
        part = min(chunk.left, amount - taken)
        chunk.left -= part
        taken += part
    return taken


def balances(rows: list[LedgerEntry], as_of: date, holds: list[Hold] | tuple = ()) -> Balances:
    def upto(kind: Any) -> list[LedgerEntry]:
        return [r for r in rows if r.assessed_on <= as_of and kind(r)]

    penalties = upto(lambda r: r.kind in PENALTY_KINDS)
    cancelled = sum((r.amount for r in upto(lambda r: r.kind == "cancellation")), ZERO)
    paid = sum(
        (r.amount for r in upto(lambda r: r.kind == "payment" and r.applies_to == "penalties")),
        ZERO,
    )
    # Chunks of penalty (the day it fell due, what is left of it), oldest first.
    chunks = sorted(_Chunk(r.assessed_on, accrued(r, as_of)) for r in penalties)
    held = ZERO
    for hold in sorted(holds, key=lambda h: h.start):
        if hold.start > as_of:
            continue
        taken = _take_oldest(chunks, hold.amount, hold.start)
        if hold.end is not None and hold.end <= as_of:
            chunks.append(_Chunk(hold.end, taken))
        else:
            held += taken
    chunks.sort()
    # Oldest first: payments and cancellations settle the earliest penalties due.
    oldest = _oldest_unpaid(chunks, cancelled + paid)
    costs = upto(lambda r: r.kind in COST_KINDS)
    costs_paid = sum(
        (r.amount for r in upto(lambda r: r.kind == "payment" and r.applies_to == "costs")),
        ZERO,
    )
    oldest_cost = _oldest_unpaid(sorted(_Chunk(r.assessed_on, r.amount) for r in costs), costs_paid)
    return Balances(
        penalties_assessed=sum((accrued(r, as_of) for r in penalties), ZERO),
        penalties_cancelled=cancelled,
        penalties_paid=paid,
        penalties_held=held,
        costs_assessed=sum((r.amount for r in costs), ZERO),
        costs_paid=costs_paid,
        oldest_unpaid_penalty_on=oldest,
        oldest_unpaid_cost_on=oldest_cost,
    )


def _oldest_unpaid(chunks: list[_Chunk], settled: Decimal) -> date | None:
    """The day the oldest amount still unpaid fell due, `settled` paying the oldest first."""
    for chunk in chunks:
        if chunk.left == ZERO:
            continue
        if settled >= chunk.left:
            settled -= chunk.left
            continue
        return chunk.due_on
    return None


def holds(session: Session, case: Case) -> list[Hold]:
    """What each settlement holds: the deferred part until the deferral ends, the part to be
    cancelled until compliance is confirmed; a breach ends both."""
    out = []
    for s in session.scalars(select(Settlement).where(Settlement.case_id == case.id)):
        breach = s.breached_on
        if s.deferred_amount:
            ends = [d for d in (s.deferred_until, breach) if d is not None]
            out.append(Hold(s.entered_on, s.deferred_amount, min(ends) if ends else None))
        if s.cancel_amount:
            ends = [d for d in (s.completed_on, breach) if d is not None]
            out.append(Hold(s.entered_on, s.cancel_amount, min(ends) if ends else None))
    return out


def case_balances(session: Session, case: Case, as_of: date) -> Balances:
    """The case's balances on a day, with its settlements' holds."""
    return balances(entries(session, case), as_of, holds(session, case))


LIEN_PARTS = {"penalties": "unpaid penalties", "costs": "unpaid costs"}


def lien_due(rule: dict[str, Any] | None, b: Balances, as_of: date) -> dict[str, Any]:
    """Whether a lien is due for recording on `as_of`, and for how much.

    The profile's `money.lien` says what the lien covers (`covers`: penalties, costs) and how
    long an amount must stay unpaid (`unpaid_days`). Each amount's clock runs from the day it
    fell due (a penalty held by a settlement starts none until the hold ends); the lien is due
    once the oldest amount it covers has stayed unpaid that long (Jefferson: 90 days, due on
    day 90, not day 89). It then covers everything it covers that is unpaid and due on the
    day: all penalties and costs constitute the lien (Jefferson Rule 4(b)(i)-(ii)), the 90 days
    only decide when it is recorded. Costs are never held, so they count in full.
    """
    if rule is None:
        return {"due": False, "reason": "the jurisdiction's profile sets no lien rule"}
    covers = rule.get("covers") or ["penalties"]
    parts = {
        "penalties": (max(b.penalties_due_now, ZERO), b.oldest_unpaid_penalty_on),
        "costs": (max(b.costs_due, ZERO), b.oldest_unpaid_cost_on),
    }
    owing: dict[str, tuple[Decimal, date]] = {
        k: (amount, since)
        for k in covers
        for amount, since in [parts[k]]
        if amount > 0 and since is not None
    }
    if not owing:
        if "penalties" in covers and b.penalties_held:
            reason = "penalties held by a settlement"
        else:
            reason = (
                f"nothing the lien covers is unpaid ({' or '.join(LIEN_PARTS[k] for k in covers)})"
            )
        return {"due": False, "reason": reason, "citation": rule["citation"]}
    days = timedelta(days=rule["unpaid_days"])
    clocks = {k: since + days for k, (_, since) in owing.items()}
    due_on = min(clocks.values())
    amounts = {k: amount for k, (amount, _) in owing.items()}
    total = sum(amounts.values(), ZERO)
    return {
        "due": as_of >= due_on,
        "due_on": due_on.isoformat(),
        "amount": _money(total),
        "penalties": _money(amounts.get("penalties", ZERO)),
        "costs": _money(amounts.get("costs", ZERO)),
        "clocks": {k: d.isoformat() for k, d in clocks.items()},
        "make_up": lien_make_up(amounts),
        "citation": rule["citation"],
    }


def lien_make_up(amounts: dict[str, Decimal]) -> str:
    """What a lien amount is made of, in words: "$100.00 in unpaid penalties and $800.00 in
    unpaid costs"."""
    said = [f"${money(a)} in {LIEN_PARTS[k]}" for k, a in amounts.items() if a > 0]
    return " and ".join(said) if said else "nothing"


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
        b = case_balances(session, case, as_of)
        if data["amount"] > b.penalties_due:
            raise Invalid(
                f"the cancellation ({data['amount']}) is more than the penalties due "
                f"on {as_of} ({b.penalties_due}); costs cannot be cancelled.",
                {"field": "amount"},
            )
    if (doc_id := data.get("document_id")) is not None:
        doc = session.get(Document, doc_id)
        if doc is None or doc.case_id != case.id:
            raise Invalid(
                f"document_id {doc_id} is not a document of case {case.case_number}.",
                {"field": "document_id"},
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


def _money(value: Any) -> str:
    return f"{value:.2f}"


def ledger_view(session: Session, case: Case, as_of: date | None) -> dict[str, Any]:
    """The case's ledger as of a day (default today, in the jurisdiction's zone): entries,
    balances, liens, vouchers and settlements, as the API answers and the page shows it; the
    text typed on them with the complainant masked."""
    masked = masker(session, case)
    profile = cases.case_profile(session, case)
    as_of = as_of or utcnow().astimezone(profile.zone).date()
    rows = ledger.entries(session, case)
    settlement_rule = (profile.data.get("money") or {}).get("settlements") or {}
    b = ledger.balances(rows, as_of, ledger.holds(session, case))
    return {
        "case_number": case.case_number,
        "as_of": as_of,
        "entries": [_entry(r, as_of, masked) for r in rows],
        "balances": b.as_dict(),
        "lien_due": ledger.lien_due(ledger.lien_rule(session, case), b, as_of),
        "liens": [
            _lien(x)
            for x in session.scalars(select(Lien).where(Lien.case_id == case.id).order_by(Lien.id))
        ],
        "vouchers": [
            _voucher(v, masked)
            for v in session.scalars(select(Voucher).where(Voucher.case_id == case.id))
        ],
        "settlements": [
            _settlement(x, masked)
            for x in session.scalars(
                select(Settlement).where(Settlement.case_id == case.id).order_by(Settlement.id)
            )
        ],
        # The factors a settlement records a finding on (none where the profile lists none).
        "settlement_factors": settlement_rule.get("factors") or [],
        "settlement_factors_citation": settlement_rule.get("factors_citation"),
    }


SETTLEMENT_AMOUNTS = ("penalties_at_entry", "pay_amount", "deferred_amount", "cancel_amount")


SETTLEMENT_KEYS = tuple(SettlementOut().fields)
Masked = Callable[[str | None], str | None]  # the case's masker (identity/mask.py)


def _settlement(x: Settlement, masked: Masked) -> dict[str, Any]:
    """A settlement; who approved it, its note and the findings on the factors masked."""
    out = {k: getattr(x, k) for k in SETTLEMENT_KEYS}
    out.update({k: _money(getattr(x, k)) for k in SETTLEMENT_AMOUNTS})
    out["approved_by"], out["note"] = masked(x.approved_by), masked(x.note)
    if x.factors:
        out["factors"] = {code: masked(text) for code, text in x.factors.items()}
    return out


def _entry(e: LedgerEntry, as_of: date, masked: Masked) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "amount": _money(e.amount),
        "accrued": _money(ledger.accrued(e, as_of)),
        "assessed_on": e.assessed_on,
        "ends_on": e.ends_on,
        "applies_to": e.applies_to,
        "note": masked(e.note),
    }


def _voucher(v: Voucher, masked: Masked) -> dict[str, Any]:
    return {
        "id": v.id,
        "amount": _money(v.amount),
        "issued_on": v.issued_on,
        "approved_by": masked(v.approved_by),
        "purpose": masked(v.purpose),
    }


def _lien(x: Lien) -> dict[str, Any]:
    return {
        "id": x.id,
        "amount": _money(x.amount),
        "status": x.status,
        "recorded_on": x.recorded_on,
        "recording_number": x.recording_number,
        "satisfied_on": x.satisfied_on,
        "released_on": x.released_on,
    }
