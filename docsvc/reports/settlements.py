"""The annual settlements report (Jefferson County Rule 5(a)(viii); JCC 19.30.025(2)): every
settlement entered in the year with how it split the penalties, what happened to settlements
during the year, and the costs that stayed owed (never settled, Rule 5(b))."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from docsvc.identity.mask import masker
from docsvc.labels import label
from docsvc.models import Case, LedgerEntry, Settlement
from docsvc.money import fund, ledger
from docsvc.profiles.model import Profile
from docsvc.reports.model import Chart, Report, Table

Z = ledger.ZERO


def _basis(profile: Profile) -> list[str]:
    """What the report answers, cited from the profile's own rules (`reports.settlements`,
    `money.settlements`): never another jurisdiction's."""
    answers = (profile.data.get("reports") or {}).get("settlements")
    terms = (profile.data.get("money") or {}).get("settlements")
    what = (
        "an annual report on all settlements; costs of compliance and abatement are not "
        "settled and are shown as still owed."
    )
    out = [
        f"{answers['citation']}: {answers.get('description') or what}"
        if answers
        else what[:1].upper() + what[1:]
    ]
    if terms:
        out.append(f"Deferral of up to {terms['max_deferral_years']} years ({terms['citation']}).")
    return out


def build(session: Session, profile: Profile, year: int, now: datetime) -> Report:
    code, zone = profile.code, profile.zone
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = session.execute(
        select(Settlement, Case)
        .join(Case, Case.id == Settlement.case_id)
        .where(
            Case.jurisdiction_code == code,
            or_(
                Settlement.entered_on.between(first, last),
                Settlement.completed_on.between(first, last),
                Settlement.breached_on.between(first, last),
            ),
        )
        .order_by(Settlement.entered_on, Settlement.id)
    ).all()
    entered = [(s, c) for s, c in rows if first <= s.entered_on <= last]
    cancellations = {
        e.id: e
        for e in session.scalars(
            select(LedgerEntry).where(
                LedgerEntry.id.in_(
                    [s.cancellation_entry_id for s, _ in rows if s.cancellation_entry_id]
                )
            )
        )
    }

    def costs_owed(case: Case) -> Decimal:
        return ledger.case_balances(session, case, last).costs_due

    # Who approved a settlement, as typed: masked with its case's complainant.
    entered_rows: list[list[Any]] = [
        [
            c.case_number,
            c.property.address,
            s.entered_on,
            masker(session, c)(s.approved_by),
            s.penalties_at_entry,
            s.pay_amount,
            s.deferred_amount,
            s.deferred_until,
            s.cancel_amount,
            label(s.status),
            costs_owed(c),
        ]
        for s, c in entered
    ]
    sums = [sum((r[i] for r in entered_rows), Z) for i in (4, 5, 6, 8, 10)]
    entered_table = Table(
        "entered",
        f"Settlements entered in {year}",
        [
            "Case",
            "Property",
            "Entered",
            "Approved by",
            "Penalties settled",
            "To be paid",
            "Deferred",
            "Deferred until",
            "To be cancelled on compliance",
            "Status now",
            "Costs still owed (not settled)",
        ],
        entered_rows,
        [
            "Total",
            f"{len(entered_rows)} settlements",
            "",
            "",
            sums[0],
            sums[1],
            sums[2],
            "",
            sums[3],
            "",
            sums[4],
        ],
    )

    events: list[list[Any]] = []
    for s, c in rows:
        if s.completed_on and first <= s.completed_on <= last:
            posted = cancellations.get(s.cancellation_entry_id) if s.cancellation_entry_id else None
            events.append(
                [
                    c.case_number,
                    s.completed_on,
                    "compliance confirmed; cancelled",
                    posted.amount if posted else Z,
                ]
            )
        if s.breached_on and first <= s.breached_on <= last:
            events.append(
                [
                    c.case_number,
                    s.breached_on,
                    "breached; held penalties due",
                    s.deferred_amount + (Z if s.completed_on else s.cancel_amount),
                ]
            )
    events.sort(key=lambda e: (e[1], e[0]))
    cancelled_total = sum((e[3] for e in events if e[2].startswith("compliance")), Z)
    events_table = Table(
        "events",
        f"Settlements completed or breached in {year}",
        ["Case", "Date", "What happened", "Amount"],
        events,
        ["Cancelled in total", "", "", cancelled_total],
    )

    ledger_cancelled = session.scalar(
        select(func.sum(LedgerEntry.amount))
        .join(Settlement, Settlement.cancellation_entry_id == LedgerEntry.id)
        .join(Case, Case.id == Settlement.case_id)
        .where(Case.jurisdiction_code == code, LedgerEntry.assessed_on.between(first, last))
    )
    ledger_cancelled = ledger_cancelled or Z
    parts = sums[1] + sums[2] + sums[3]
    chart = Chart(
        "How each settlement split the penalties",
        "stacked_barh",
        [r[0] for r in entered_rows],
        {
            "to be paid": [float(r[5]) for r in entered_rows],
            "deferred": [float(r[6]) for r in entered_rows],
            "cancelled on compliance": [float(r[8]) for r in entered_rows],
        },
        "dollars",
    )
    tables = [entered_table, events_table]
    rule = (profile.data.get("money") or {}).get("settlements") or {}
    if rule.get("factors"):
        tables.append(_factors_table(rule, [s for s, _ in entered], year))
    checks = []
    fund_rule = fund.rule_of(profile.data)
    if fund_rule is not None:
        table, check = _fund_table(session, fund_rule, code, first, last)
        tables.append(table)
        checks.append(check)
    return Report(
        name="settlements",
        title="Annual Report on Settlements",
        jurisdiction=code,
        organization=profile.data["letterhead"]["organization"],
        year=year,
        generated_at=now.astimezone(zone),
        basis=_basis(profile),
        tables=tables,
        charts=[chart] if entered_rows else [],
        reconciliation=[
            {
                "check": "Paid + deferred + cancelled parts equal the penalties settled",
                "report": parts,
                "ledger": sums[0],
                "agrees": parts == sums[0],
            },
            {
                "check": f"Cancellations posted to the ledger in {year}",
                "report": cancelled_total,
                "ledger": ledger_cancelled,
                "agrees": cancelled_total == ledger_cancelled,
            },
            *checks,
        ],
    )


def _factors_table(rule: dict[str, Any], entered: list[Settlement], year: int) -> Table:
    """How many of the year's settlements recorded a finding on each factor the director
    weighs (Jefferson County Rule 5(a)(iii)); one entered before the findings were asked for
    has none."""
    rows: list[list[Any]] = []
    for f in rule["factors"]:
        cited = sum(1 for s in entered if ((s.factors or {}).get(f["code"]) or "").strip())
        rows.append([f"{f['code']}. {f['text']}", cited, len(entered) - cited])
    return Table(
        "factors",
        f"Factors weighed in the settlements entered in {year}",
        ["Factor", "Settlements with a finding on it", "Settlements without one"],
        rows,
        note=rule.get("factors_citation"),
    )


def _fund_table(
    session: Session, rule: dict[str, Any], code: str, first: date, last: date
) -> tuple[Table, dict[str, Any]]:
    """The enforcement fund over the year (Jefferson County Rule 6): opening balance, money in
    and out by kind, closing balance; checked against the balance worked out entry by entry."""
    st = fund.statement(session, code, first, last)
    by_kind: dict[str, Decimal] = {}
    for e in st.rows:
        by_kind[e.kind] = by_kind.get(e.kind, Z) + fund.signed(e)
    rows: list[list[Any]] = [[f"Balance on {first}", st.opening]]
    rows += [[label(f"fund.{kind}", "event"), amount] for kind, amount in sorted(by_kind.items())]
    rows.append([f"Balance on {last}", st.closing])
    table = Table(
        "fund",
        f"{rule['name']}, {first.year}: in {st.money_in}, out {st.money_out}",
        ["", "Amount"],
        rows,
        note=rule["citation"],
    )
    check = {
        "check": f"{rule['name']}: opening + in - out equals the balance on {last}",
        "report": st.closing,
        "ledger": fund.balance(session, code, last),
        "agrees": st.closing == fund.balance(session, code, last),
    }
    return table, check
