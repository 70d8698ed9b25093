"""Vouchers under a jurisdiction's limits (Jefferson County Rule 7(b)): at most the profile's
amount each, one per household within the interval, and a yearly total for the program. Where
the jurisdiction keeps an enforcement fund, the voucher is paid from it (docsvc/money/fund.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.cases.service import case_profile
from docsvc.errors import Invalid
from docsvc.models import Case, User, Voucher
from docsvc.money import fund
from docsvc.money.ledger import ZERO
from docsvc.timeutil import utcnow


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def issue_voucher(session: Session, user: User, case: Case, data: dict[str, Any]) -> Voucher:
    profile = case_profile(session, case)
    rule = (profile.data.get("money") or {}).get("vouchers")
    if rule is None:
        raise Invalid(
            f"{profile.name} has no voucher program in its profile.", {"rule": "no_voucher_program"}
        )
    amount, on = data["amount"], data["issued_on"]
    limit = rule["max_amount"]
    if amount <= 0 or amount > Decimal(limit):
        raise Invalid(
            f"a voucher is at most ${limit} ({rule['citation']}).",
            {"rule": "max_amount", "limit": limit, "citation": rule["citation"]},
        )
    since = _years_before(on, rule["household_interval_years"])
    earlier = session.scalar(
        select(Voucher.issued_on)
        .where(
            Voucher.property_id == case.property_id,
            Voucher.issued_on > since,
            Voucher.issued_on <= on,
        )
        .order_by(Voucher.issued_on.desc())
        .limit(1)
    )
    if earlier is not None:
        raise Invalid(
            f"this household had a voucher on {earlier}; one is allowed every "
            f"{rule['household_interval_years']} years ({rule['citation']}).",
            {
                "rule": "household_interval",
                "previous": earlier.isoformat(),
                "citation": rule["citation"],
            },
        )
    # SUM over the money column comes back through the same type: Decimal dollars.
    spent = (
        session.scalar(
            select(func.sum(Voucher.amount)).where(
                Voucher.jurisdiction_code == case.jurisdiction_code,
                extract("year", Voucher.issued_on) == on.year,
            )
        )
        or ZERO
    )
    if spent + amount > Decimal(rule["annual_total"]):
        raise Invalid(
            f"vouchers in {on.year} already total ${spent}; this one would pass the yearly limit "
            f"of ${rule['annual_total']} ({rule['citation']}).",
            {"rule": "annual_total", "spent": str(spent), "citation": rule["citation"]},
        )
    # Paid from the jurisdiction's enforcement fund, where it keeps one (Rule 6(a)(iv)).
    fund.check_voucher(session, case, amount, on)
    voucher = Voucher(
        case_id=case.id,
        property_id=case.property_id,
        jurisdiction_code=case.jurisdiction_code,
        amount=amount,
        issued_on=on,
        approved_by=data["approved_by"],
        purpose=data["purpose"],
        created_by_id=user.id,
        created_at=utcnow(),
    )
    session.add(voucher)
    session.flush()
    append(
        session,
        actor_of(user),
        "voucher.issue",
        "voucher",
        voucher.id,
        case_id=case.id,
        fields=["amount", "issued_on", "approved_by"],
    )
    fund.pay_voucher(session, user, case, voucher)
    return voucher
