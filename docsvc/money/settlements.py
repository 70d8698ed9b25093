"""Settlements of penalties (JCC 19.30.025; Jefferson County Rule 5).

A settlement splits the penalties due on the day it is entered into three exact parts: paid,
deferred (for at most the profile's years, Rule 5(a)(v)) and cancelled once compliance has
been sustained. Costs of compliance and abatement are never settled (Rule 5(b)). The
cancellation is posted to the ledger when staff confirm the compliance; a breach makes every
held part due at once. Where the profile lists the factors the director weighs (Rule
5(a)(iii)), a settlement records a finding on each.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.cases.service import case_profile
from docsvc.errors import Conflict, Invalid
from docsvc.models import Case, Document, Settlement, User
from docsvc.money import ledger
from docsvc.timeutil import add_months, utcnow

AGREEMENT_TYPES = ("settlement_agreement", "voluntary_compliance_agreement")


def _check_terms(s: Settlement, due: Decimal, rule: dict[str, Any] | None) -> None:
    total = s.pay_amount + s.deferred_amount + s.cancel_amount
    if total != due:
        raise Invalid(
            f"the settlement's parts (pay {s.pay_amount} + defer {s.deferred_amount} + cancel "
            f"{s.cancel_amount} = {total}) must add up to the penalties due on "
            f"{s.entered_on}: {due}. Costs are not settled.",
            {"field": "pay_amount", "penalties_due": str(due)},
        )
    if s.deferred_amount:
        if rule is None:
            raise Invalid(
                "this jurisdiction's profile allows no deferral of penalties.",
                {"field": "deferred_amount"},
            )
        limit = add_months(s.entered_on, 12 * rule["max_deferral_years"])
        if s.deferred_until is None or not s.entered_on < s.deferred_until <= limit:
            raise Invalid(
                f"deferred_until must fall after {s.entered_on} and no later than {limit} "
                f"({rule['max_deferral_years']} years; {rule['citation']}).",
                {"field": "deferred_until", "latest": limit.isoformat()},
            )
    elif s.deferred_until is not None:
        raise Invalid("deferred_until without a deferred amount.", {"field": "deferred_until"})
    if s.cancel_amount:
        if s.compliance_through is None or s.compliance_through <= s.entered_on:
            raise Invalid(
                "say through what date compliance must be sustained before the cancellation "
                "(compliance_through, after entered_on).",
                {"field": "compliance_through"},
            )
    elif s.compliance_through is not None:
        raise Invalid(
            "compliance_through without an amount to cancel.", {"field": "compliance_through"}
        )
    if s.pay_by is not None and s.pay_by < s.entered_on:
        raise Invalid("pay_by is before entered_on.", {"field": "pay_by"})


def check_factors(
    rule: dict[str, Any] | None, given: dict[str, str] | None
) -> dict[str, str] | None:
    """The findings on the factors the profile lists (Jefferson County Rule 5(a)(iii): the
    director considers each before settling): one for every factor, none for another."""
    factors = (rule or {}).get("factors") or []
    cite = (rule or {}).get("factors_citation")
    if not factors:
        if given:
            raise Invalid(
                "this jurisdiction's profile lists no settlement factors; leave them out.",
                {"field": "factors"},
            )
        return None
    given = given or {}
    known = {f["code"]: f["text"] for f in factors}
    for code in given:
        if code not in known:
            raise Invalid(
                f"'{code}' is not one of the settlement factors; they are "
                + ", ".join(known)
                + ".",
                {"field": "factors"},
            )
    for code, text in known.items():
        if not (given.get(code) or "").strip():
            raise Invalid(
                f"record a finding on factor {code}: {text.rstrip('.')} ({cite}).",
                {"field": f"factors.{code}", "factor": code},
            )
    return {code: given[code].strip() for code in known}


def enter(session: Session, user: User, case: Case, data: dict[str, Any]) -> Settlement:
    active = session.scalar(
        select(Settlement.id).where(Settlement.case_id == case.id, Settlement.status == "active")
    )
    if active is not None:
        raise Conflict(f"settlement {active} of this case is still active.")
    if data.get("document_id") is not None:
        doc = session.get(Document, data["document_id"])
        if doc is None or doc.case_id != case.id or doc.type not in AGREEMENT_TYPES:
            raise Invalid(
                "document_id must name this case's settlement or voluntary compliance agreement.",
                {"field": "document_id"},
            )
    rule = (case_profile(session, case).data.get("money") or {}).get("settlements")
    findings = check_factors(rule, data.get("factors"))
    on = data["entered_on"]
    due = ledger.case_balances(session, case, on).penalties_due_now
    if due <= 0:
        raise Conflict(f"no penalties are due on {on}; there is nothing to settle.")
    s = Settlement(
        case_id=case.id,
        document_id=data.get("document_id"),
        entered_on=on,
        approved_by=data["approved_by"],
        penalties_at_entry=due,
        pay_amount=data.get("pay_amount", ledger.ZERO),
        pay_by=data.get("pay_by"),
        deferred_amount=data.get("deferred_amount", ledger.ZERO),
        deferred_until=data.get("deferred_until"),
        cancel_amount=data.get("cancel_amount", ledger.ZERO),
        compliance_through=data.get("compliance_through"),
        status="active",
        factors=findings,
        note=data.get("note"),
        created_by_id=user.id,
        created_at=utcnow(),
    )
    _check_terms(s, due, rule)
    session.add(s)
    session.flush()
    append(
        session,
        actor_of(user),
        "settlement.enter",
        "settlement",
        s.id,
        case_id=case.id,
        fields=["pay_amount", "deferred_amount", "deferred_until", "cancel_amount", "factors"],
    )
    return s


def complete(session: Session, user: User, s: Settlement, on: date) -> Settlement:
    """Compliance sustained: post the cancellation to the ledger."""
    if s.status != "active":
        raise Conflict(f"settlement {s.id} is {s.status}.")
    if s.compliance_through is not None and on < s.compliance_through:
        raise Conflict(
            f"compliance must be sustained through {s.compliance_through} before the "
            "cancellation can be posted."
        )
    case = session.get(Case, s.case_id)
    assert case is not None
    if s.cancel_amount:
        entry = ledger.add_entry(
            session,
            user,
            case,
            {
                "kind": "cancellation",
                "amount": s.cancel_amount,
                "assessed_on": on,
                "document_id": s.document_id,
                "note": f"Settlement {s.id}: cancelled for sustained compliance",
            },
        )
        s.cancellation_entry_id = entry.id
    s.status = "completed"
    s.completed_on = on
    append(
        session,
        actor_of(user),
        "settlement.complete",
        "settlement",
        s.id,
        case_id=s.case_id,
        fields=["status", "completed_on"],
    )
    return s


def breach(session: Session, user: User, s: Settlement, on: date) -> Settlement:
    """Terms broken: what was deferred or awaiting cancellation is due from `on`."""
    deferral_running = s.deferred_amount and s.deferred_until and on < s.deferred_until
    if s.status == "breached" or (s.status == "completed" and not deferral_running):
        raise Conflict(f"settlement {s.id} has nothing left to breach.")
    if on < s.entered_on:
        raise Invalid("breached_on is before the settlement was entered.", {"field": "on"})
    s.status = "breached"
    s.breached_on = on
    append(
        session,
        actor_of(user),
        "settlement.breach",
        "settlement",
        s.id,
        case_id=s.case_id,
        fields=["status", "breached_on"],
    )
    return s
