"""A jurisdiction's enforcement fund (Jefferson County Rule 6; JCC 19.30.030).

Only a jurisdiction whose profile has `money.fund` keeps one. Money comes in as deposits
(penalties and costs collected, Rule 6(a)(i)-(ii)); it goes out for vouchers and abatement
(Rule 6(a)(iv)), each use approved by the director or designee the entry names (Rule 6(a)(v)).
An adjustment corrects the balance either way, approved the same way. A voucher issued in a
fund jurisdiction is paid from the fund in the same transaction, one entry per voucher. No
payment may take the balance below zero on its day or any later day (a payment dated in the
past lowers every balance after it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.auth.scope import in_sight
from docsvc.errors import Conflict, Invalid
from docsvc.identity.mask import masker
from docsvc.models import Case, FundEntry, Jurisdiction, User, Voucher
from docsvc.profiles.loader import profile_of
from docsvc.timeutil import utcnow

ZERO = Decimal("0.00")
OUT_KINDS = ("voucher", "abatement")


def rule_of(data: dict[str, Any]) -> dict[str, Any] | None:
    """The profile's fund, if it keeps one."""
    return (data.get("money") or {}).get("fund")


def signed(e: FundEntry) -> Decimal:
    """What an entry does to the balance: vouchers and abatement take money out."""
    return -e.amount if e.kind in OUT_KINDS else e.amount


def jurisdiction_fund(session: Session, user: User, code: str) -> tuple[Jurisdiction, dict]:
    """The jurisdiction (within the user's sight, else not found) and its fund rule; a
    jurisdiction without a fund in its profile is told so (422)."""
    row = session.get(Jurisdiction, code)
    in_sight(user, row.code if row else None, f"no jurisdiction '{code}' that you can see.")
    assert row is not None
    rule = rule_of(row.profile)
    if rule is None:
        raise Invalid(f"{row.name} keeps no enforcement fund in its profile.", {"rule": "no_fund"})
    return row, rule


def entries(session: Session, code: str) -> list[FundEntry]:
    return list(
        session.scalars(
            select(FundEntry)
            .where(FundEntry.jurisdiction_code == code)
            .order_by(FundEntry.entry_on, FundEntry.id)
        )
    )


def balance(session: Session, code: str, on: date) -> Decimal:
    """The fund's balance at the end of `on`."""
    return sum((signed(e) for e in entries(session, code) if e.entry_on <= on), ZERO)


def _lock(session: Session, code: str) -> None:
    """Payments from one fund one at a time: each checks the balance the one before left."""
    session.execute(select(Jurisdiction.code).where(Jurisdiction.code == code).with_for_update())


def _check_covered(session: Session, code: str, amount: Decimal, on: date, name: str) -> None:
    """Refuse (409) a payment that would leave the fund below zero on its day or later."""
    rows = entries(session, code)
    lowest = balance_on = sum((signed(e) for e in rows if e.entry_on <= on), ZERO)
    for e in rows:
        if e.entry_on > on:
            balance_on += signed(e)
            lowest = min(lowest, balance_on)
    if lowest - amount < 0:
        raise Conflict(
            f"the {name} holds ${lowest} available on {on} (and after); it cannot pay "
            f"${amount}. Record a deposit first, or pay less.",
            {"rule": "fund_balance", "available": str(lowest)},
        )


def record(session: Session, user: User, code: str, data: dict[str, Any]) -> FundEntry:
    """A deposit, an abatement paid from the fund, or an adjustment (API and page)."""
    row, rule = jurisdiction_fund(session, user, code)
    kind, amount, on = data["kind"], data["amount"], data["entry_on"]
    approved = data.get("approved_by")
    if kind in ("abatement", "adjustment") and not approved:
        raise Invalid(
            f"name the director or designee who approved it ({rule['approval']}; "
            f"{rule['citation']}).",
            {"field": "approved_by"},
        )
    case_number = data.get("case_number")
    if case_number is not None:
        case = session.scalar(select(Case).where(Case.case_number == case_number))
        if case is None or case.jurisdiction_code != code:
            raise Invalid(f"{case_number} is not a case of {row.name}.", {"field": "case_number"})
    if kind == "adjustment" and amount == 0:
        raise Invalid("an adjustment of nothing changes nothing.", {"field": "amount"})
    if kind != "adjustment" and amount <= 0:
        raise Invalid(f"a {kind} is more than $0.00.", {"field": "amount"})
    _lock(session, code)
    if kind == "abatement" or amount < 0:
        _check_covered(session, code, abs(amount), on, rule["name"])
    return _add(session, user, code, kind, amount, on, data["description"], approved, case_number)


def pay_voucher(session: Session, user: User, case: Case, voucher: Voucher) -> FundEntry | None:
    """Pay a voucher just issued from its jurisdiction's fund, if it keeps one (Rule 6(a)(iv));
    its approval is the voucher's."""
    row = session.get_one(Jurisdiction, case.jurisdiction_code)
    rule = rule_of(profile_of(row).data)
    if rule is None:
        return None
    return _add(
        session,
        user,
        row.code,
        "voucher",
        voucher.amount,
        voucher.issued_on,
        f"Voucher {voucher.id}: {voucher.purpose}",
        voucher.approved_by,
        case.case_number,
        voucher_id=voucher.id,
    )


def check_voucher(session: Session, case: Case, amount: Decimal, on: date) -> None:
    """Before a voucher is issued: the fund, if its jurisdiction keeps one, must cover it
    (vouchers are subject to budget constraints, Rule 7(b)(iv))."""
    row = session.get_one(Jurisdiction, case.jurisdiction_code)
    rule = rule_of(profile_of(row).data)
    if rule is not None:
        _lock(session, row.code)
        _check_covered(session, row.code, amount, on, rule["name"])


def _add(
    session: Session,
    user: User,
    code: str,
    kind: str,
    amount: Decimal,
    on: date,
    description: str,
    approved_by: str | None,
    case_number: str | None,
    voucher_id: int | None = None,
) -> FundEntry:
    entry = FundEntry(
        jurisdiction_code=code,
        kind=kind,
        amount=amount,
        entry_on=on,
        case_number=case_number,
        voucher_id=voucher_id,
        description=description,
        approved_by=approved_by,
        created_by_id=user.id,
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    append(
        session,
        actor_of(user),
        f"fund.{kind}",
        "fund_entry",
        entry.id,
        fields=["kind", "amount", "entry_on", "approved_by"],
    )
    return entry


@dataclass
class Statement:
    """The fund over a period: opening balance, money in, money out, closing balance."""

    opening: Decimal
    money_in: Decimal
    money_out: Decimal
    closing: Decimal
    rows: list[FundEntry]


def statement(session: Session, code: str, first: date, last: date) -> Statement:
    rows = entries(session, code)
    opening = sum((signed(e) for e in rows if e.entry_on < first), ZERO)
    during = [e for e in rows if first <= e.entry_on <= last]
    money_in = sum((signed(e) for e in during if signed(e) > 0), ZERO)
    money_out = -sum((signed(e) for e in during if signed(e) < 0), ZERO)
    return Statement(opening, money_in, money_out, opening + money_in - money_out, during)


Masked = Callable[[str | None], str | None]


def maskers(session: Session) -> Callable[[str | None], Masked]:
    """The masker of an entry's case, by its number (one per case, read once), masking that
    case's complainant; an entry of no case is shown as typed."""
    known: dict[str | None, Masked] = {None: lambda text: text}

    def of(case_number: str | None) -> Masked:
        if case_number not in known:
            case = session.scalar(select(Case).where(Case.case_number == case_number))
            known[case_number] = masker(session, case) if case else known[None]
        return known[case_number]

    return of


def present(e: FundEntry, masked: Masked) -> dict[str, Any]:
    """An entry; its description and who approved it masked with its case's masker."""
    return {
        "id": e.id,
        "kind": e.kind,
        "amount": f"{e.amount:.2f}",
        "entry_on": e.entry_on,
        "case_number": e.case_number,
        "voucher_id": e.voucher_id,
        "description": masked(e.description),
        "approved_by": masked(e.approved_by),
    }


def fund_view(
    session: Session, user: User, code: str, first: date | None, last: date | None
) -> dict[str, Any]:
    """The fund's entries and balance over a period (default: every entry, to today in the
    jurisdiction's zone or the last entry if later), as the API answers and the page shows."""
    row, rule = jurisdiction_fund(session, user, code)
    if last is None:
        today = utcnow().astimezone(profile_of(row).zone).date()
        latest = session.scalar(
            select(func.max(FundEntry.entry_on)).where(FundEntry.jurisdiction_code == code)
        )
        last = max(today, latest) if latest else today
    first = first or date.min
    if first > last:
        raise Invalid("'from' is after 'to'.", {"field": "from"})
    st = statement(session, code, first, last)
    of = maskers(session)
    return {
        "jurisdiction": code,
        "name": rule["name"],
        "approval": rule["approval"],
        "citation": rule["citation"],
        "from": None if first == date.min else first,
        "to": last,
        "opening": f"{st.opening:.2f}",
        "money_in": f"{st.money_in:.2f}",
        "money_out": f"{st.money_out:.2f}",
        "closing": f"{st.closing:.2f}",
        "entries": [present(e, of(e.case_number)) for e in st.rows],
    }
