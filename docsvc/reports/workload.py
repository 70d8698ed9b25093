"""The annual workload report: the violations workload, the education given and business
licence participation trends, with the year's money as the ledger holds it, and the patrol
plan's coverage where the profile asks for a yearly review of every property. The rule it
answers (Lee's Summit: PACE Policy IV) is cited from the profile (`reports.workload`)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.cases import patrol
from docsvc.labels import label
from docsvc.models import Case, Citation, Document, LedgerEntry, OutreachActivity, Violation
from docsvc.models.cases import ORIGINS
from docsvc.models.money import CITATION_OUTCOMES, LICENSE_STATUSES
from docsvc.money import ledger
from docsvc.profiles.model import Profile
from docsvc.reports.model import MONTHS, Chart, Report, Table, percent, year_bounds

TREND_YEARS = 5


def _month(at: datetime, zone: Any) -> int:
    return at.astimezone(zone).month - 1


def money_in_year(session: Session, jurisdiction: str, year: int) -> dict[str, Decimal]:
    """Penalties and costs assessed (daily penalties: the days that fall in the year), payments
    and cancellations: summed from the entries' dates."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    rows = session.scalars(
        select(LedgerEntry)
        .join(Case, Case.id == LedgerEntry.case_id)
        .where(Case.jurisdiction_code == jurisdiction, LedgerEntry.assessed_on <= last)
    ).all()
    out = dict.fromkeys(MONEY_LABELS, ledger.ZERO)
    for r in rows:
        if r.kind in ledger.PENALTY_KINDS:
            before = ledger.accrued(r, date(year - 1, 12, 31))
            out["penalties"] += ledger.accrued(r, last) - before
        elif r.assessed_on < first:
            continue
        elif r.kind in ledger.COST_KINDS:
            out["costs"] += r.amount
        elif r.kind == "payment":
            out[f"payments_{r.applies_to}"] += r.amount
        elif r.kind == "cancellation":
            out["cancellations"] += r.amount
    return out


def ledger_check(session: Session, jurisdiction: str, year: int) -> dict[str, Decimal]:
    """The same figures by another road: each case's balances at the year's end less those at
    the end of the year before (docsvc.money.ledger.balances)."""
    out = dict.fromkeys(MONEY_LABELS, ledger.ZERO)
    for case in session.scalars(select(Case).where(Case.jurisdiction_code == jurisdiction)):
        rows = ledger.entries(session, case)
        if not rows:
            continue
        end = ledger.balances(rows, date(year, 12, 31))
        start = ledger.balances(rows, date(year - 1, 12, 31))
        out["penalties"] += end.penalties_assessed - start.penalties_assessed
        out["costs"] += end.costs_assessed - start.costs_assessed
        out["payments_penalties"] += end.penalties_paid - start.penalties_paid
        out["payments_costs"] += end.costs_paid - start.costs_paid
        out["cancellations"] += end.penalties_cancelled - start.penalties_cancelled
    return out


MONEY_LABELS = {
    "penalties": "Penalties assessed",
    "costs": "Abatement and compliance costs assessed",
    "payments_penalties": "Payments toward penalties",
    "payments_costs": "Payments toward costs",
    "cancellations": "Penalties cancelled by settlement",
}


def build(session: Session, profile: Profile, year: int, now: datetime) -> Report:
    code, zone = profile.code, profile.zone
    start, end = year_bounds(year, zone)
    cases = session.scalars(select(Case).where(Case.jurisdiction_code == code)).all()

    opened = [c for c in cases if start <= c.opened_at < end and c.status != "refused"]
    closed = [at for c in cases if (at := c.closed_at) and start <= at < end]
    refused = [at for c in cases if (at := c.refused_at) and start <= at < end]
    # A row per month: its name, then counts (Table rows mix labels and numbers).
    by_month: list[list[Any]] = [[m, *([0] * len(ORIGINS)), 0, 0, 0] for m in MONTHS]
    for c in opened:
        by_month[_month(c.opened_at, zone)][1 + ORIGINS.index(c.origin)] += 1
    for at in closed:
        by_month[_month(at, zone)][1 + len(ORIGINS)] += 1
    for at in refused:
        by_month[_month(at, zone)][2 + len(ORIGINS)] += 1
    for row in by_month:
        row[-1] = sum(row[1 : 1 + len(ORIGINS)])
    origin_titles = [label(o).lower() for o in ORIGINS]
    cases_table = Table(
        "cases_by_month",
        "Cases opened and closed, by month",
        ["Month", *[f"Opened: {o}" for o in origin_titles], "Closed", "Refused", "Opened"],
        by_month,
        ["Total", *[sum(r[i] for r in by_month) for i in range(1, len(by_month[0]))]],
        "Opened counts cases accepted in the year by how they began; refused complaints are "
        "counted apart.",
    )

    case_ids = {c.id for c in cases}
    violations = [
        v
        for v in session.scalars(select(Violation).where(Violation.case_id.in_(case_ids)))
        if start <= v.observed_at < end
    ]
    vt = Counter(v.violation_type for v in violations)
    corrected = Counter(v.violation_type for v in violations if v.corrected_at)
    v_rows: list[list[Any]] = [
        [label(k, profile=profile), n, corrected[k]] for k, n in vt.most_common()
    ]
    violations_table = Table(
        "violations_by_type",
        "Violations recorded, by type",
        ["Violation type", "Recorded", "Corrected since"],
        v_rows,
        ["Total", sum(vt.values()), sum(corrected.values())],
    )

    docs = [
        d
        for d in session.scalars(
            select(Document).where(Document.case_id.in_(case_ids), Document.issued_at.is_not(None))
        )
        if d.issued_at is not None and start <= d.issued_at < end
    ]
    dt = Counter(d.type for d in docs)
    notices_table = Table(
        "notices_by_type",
        "Notices and agreements issued",
        ["Document", "Issued"],
        [[label(k, profile=profile), n] for k, n in sorted(dt.items())],
        ["Total", sum(dt.values())],
    )

    cits = [
        c
        for c in session.scalars(select(Citation).where(Citation.case_id.in_(case_ids)))
        if c.issued_on.year == year
    ]
    outcomes = Counter(c.outcome for c in cits)
    citations_table = Table(
        "citations",
        "Citations issued, by outcome so far",
        ["Outcome", "Citations", "Fines cited"],
        [
            [label(o), outcomes[o], sum((c.fine for c in cits if c.outcome == o), ledger.ZERO)]
            for o in CITATION_OUTCOMES
            if outcomes[o]
        ],
        ["Total", len(cits), sum((c.fine for c in cits), ledger.ZERO)],
    )

    outreach = session.scalars(
        select(OutreachActivity).where(
            OutreachActivity.jurisdiction_code == code,
            OutreachActivity.occurred_on >= date(year - TREND_YEARS + 1, 1, 1),
            OutreachActivity.occurred_on <= date(year, 12, 31),
        )
    ).all()
    education = sorted(
        (a for a in outreach if a.kind == "education" and a.occurred_on.year == year),
        key=lambda a: a.occurred_on,
    )
    education_table = Table(
        "education",
        "Education given",
        ["Date", "Audience", "Attendees", "What"],
        [[a.occurred_on, a.audience, a.attendees, a.description] for a in education],
        [
            "Total",
            f"{len(education)} session{'' if len(education) == 1 else 's'}",
            sum(a.attendees or 0 for a in education),
            "",
        ],
    )

    trend_rows: list[list[Any]] = []
    for y in range(year - TREND_YEARS + 1, year + 1):
        checks = [
            a for a in outreach if a.kind == "business_license_check" and a.occurred_on.year == y
        ]
        counts = Counter(a.license_status for a in checks)
        trend_rows.append(
            [
                y,
                len(checks),
                *[counts[s] for s in LICENSE_STATUSES],
                percent(counts["current"], len(checks)),
            ]
        )
    licence_table = Table(
        "business_licences",
        f"Business licence participation, {year - TREND_YEARS + 1} to {year}",
        [
            "Year",
            "Businesses checked",
            *[f"Licence {label(s).lower()}" for s in LICENSE_STATUSES],
            "% current",
        ],
        trend_rows,
    )

    money = money_in_year(session, code, year)
    check = ledger_check(session, code, year)
    money_table = Table(
        "money",
        "Penalties, costs and payments",
        ["Item", "Amount"],
        [[MONEY_LABELS[k], v] for k, v in money.items()],
    )

    tables = [
        cases_table,
        violations_table,
        notices_table,
        citations_table,
        education_table,
        licence_table,
        money_table,
    ]
    charts: list[Chart] = []
    summary = (
        "a yearly summary of the violations workload, the education given and business licence "
        "participation."
    )
    answers = (profile.data.get("reports") or {}).get("workload")
    basis = [
        f"{answers['citation']}: {summary}" if answers else summary[:1].upper() + summary[1:],
        f"Calendar year {year} in {zone.key}; cases, violations and notices by their dates.",
    ]
    plan = patrol.patrol_rule(profile)
    if plan is not None:
        table, chart = patrol_coverage(session, code, year, plan)
        tables.insert(5, table)
        if table.rows:
            charts.append(chart)
        basis.append(
            f"{plan['citation']}: every property reviewed from the street at least once each "
            "calendar year; coverage by patrol area."
        )
    charts[:0] = [
        Chart(
            "Cases opened by month, by origin",
            "stacked_bar",
            MONTHS,
            {
                o: [r[1 + i] for r in by_month]
                for i, o in enumerate(origin_titles)
                if any(r[1 + i] for r in by_month)
            },
            "cases",
        ),
        Chart(
            "Violations recorded, by type",
            "barh",
            [r[0] for r in v_rows],
            {"recorded": [r[1] for r in v_rows]},
            "violations",
        ),
        Chart(
            "Business licence participation (% of businesses checked with a current licence)",
            "line",
            [str(r[0]) for r in trend_rows],
            {"current": [r[-1] if r[-1] is not None else float("nan") for r in trend_rows]},
            percent=True,
        ),
    ]
    return Report(
        name="workload",
        title="Annual Code Enforcement Workload Report",
        jurisdiction=code,
        organization=profile.data["letterhead"]["organization"],
        year=year,
        generated_at=now.astimezone(zone),
        basis=basis,
        tables=tables,
        charts=charts,
        reconciliation=[
            {
                "check": MONEY_LABELS[k],
                "report": money[k],
                "ledger": check[k],
                "agrees": money[k] == check[k],
            }
            for k in money
        ],
    )


NOT_REVIEWED_SHOWN = 20  # addresses listed per area; the rest are counted


def patrol_coverage(
    session: Session, jurisdiction: str, year: int, plan: dict[str, Any]
) -> tuple[Table, Chart]:
    """Per patrol area: its properties, those reviewed at least once in `year`, and those not
    yet (their addresses)."""
    rows: list[list[Any]] = []
    for c in patrol.coverage(session, jurisdiction, year):
        shown = c.not_reviewed[:NOT_REVIEWED_SHOWN]
        more = len(c.not_reviewed) - len(shown)
        rows.append(
            [
                c.name,
                c.properties,
                c.reviewed,
                c.percent,
                "; ".join(shown) + (f"; and {more} more" if more else ""),
            ]
        )
    properties = sum(r[1] for r in rows)
    reviewed = sum(r[2] for r in rows)
    table = Table(
        "patrol_coverage",
        f"Patrol coverage by area, {year}",
        ["Area", "Properties", "Reviewed at least once", "% reviewed", "Not yet reviewed"],
        rows,
        ["All areas", properties, reviewed, percent(reviewed, properties), properties - reviewed],
        f"Every property is to be reviewed from the street at least once in the calendar year "
        f"({plan['citation']}). A property counts in the area it is in now.",
    )
    chart = Chart(
        f"Properties reviewed on patrol in {year}, by area",
        "barh",
        [r[0] for r in rows],
        {"% reviewed": [float("nan") if r[3] is None else r[3] for r in rows]},
        "% of the area's properties",
        percent=True,
    )
    return table, chart
