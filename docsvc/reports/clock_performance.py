"""Clock performance: the share of complaints investigated in time (five business days,
Lee's Summit II.B.3, unless the profile sets its own clock) and of cases resolved within
90 days, by month of receipt, with the complainant-contact clock where the profile has one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docsvc.documents.deadlines import Rule, deadline
from docsvc.models import Case, Complaint, Inspection
from docsvc.profiles.model import Profile
from docsvc.reports.model import MONTHS, Chart, Report, Table, percent, year_bounds

# The measure where a profile sets no investigation clock of its own.
DEFAULT_INVESTIGATE = {
    "unit": "business_days",
    "amount": 5,
    "citation": "Lee's Summit Proactive Code Enforcement Policy §II.B.3 (report default)",
}
RESOLVE_WITHIN = timedelta(days=90)


def build(session: Session, profile: Profile, year: int, now: datetime) -> Report:
    code, zone = profile.code, profile.zone
    start, end = year_bounds(year, zone)
    rules = profile.data.get("clocks") or {}
    investigate = rules.get("investigate_complaint") or DEFAULT_INVESTIGATE
    contact = rules.get("contact_complainant")
    first_visit = dict(
        session.execute(
            select(Inspection.case_id, func.min(Inspection.visited_at)).group_by(Inspection.case_id)
        ).all()
    )
    complaints = session.execute(
        select(Complaint, Case)
        .join(Case, Case.id == Complaint.case_id)
        .where(
            Case.jurisdiction_code == code,
            Case.status != "refused",
            Complaint.received_at >= start,
            Complaint.received_at < end,
        )
    ).all()
    cases = session.scalars(
        select(Case).where(
            Case.jurisdiction_code == code,
            Case.status != "refused",
            Case.opened_at >= start,
            Case.opened_at < end,
        )
    ).all()

    # month -> [complaints, investigated on time, late, not yet, contacts due, on time,
    #           cases opened, resolved within 90 days, resolved later, open]
    m: list[list[int]] = [[0] * 10 for _ in MONTHS]
    for complaint, case in complaints:
        row = m[complaint.received_at.astimezone(zone).month - 1]
        row[0] += 1
        due = deadline(Rule.of(investigate), complaint.received_at, profile)
        visited = first_visit.get(case.id)
        row[1 if visited and visited <= due else 2 if visited else 3] += 1
        if contact and not complaint.anonymous:
            row[4] += 1
            contacted = complaint.complainant_contacted_at
            if contacted and contacted <= deadline(
                Rule.of(contact), complaint.received_at, profile
            ):
                row[5] += 1
    for case in cases:
        row = m[case.opened_at.astimezone(zone).month - 1]
        row[6] += 1
        if case.closed_at is None:
            row[9] += 1
        elif case.closed_at - case.opened_at <= RESOLVE_WITHIN:
            row[7] += 1
        else:
            row[8] += 1

    def share_row(label: str, r: list[int]) -> list[Any]:
        return [
            label,
            r[0],
            r[1],
            r[2],
            r[3],
            percent(r[1], r[0]),
            *([r[4], percent(r[5], r[4])] if contact else []),
            r[6],
            r[7],
            r[8],
            r[9],
            percent(r[7], r[6]),
        ]

    total = [sum(r[i] for r in m) for i in range(10)]
    columns = [
        "Month received",
        "Complaints",
        "Investigated in time",
        "Investigated late",
        "Not yet investigated",
        "% in time",
        *(["Complainants to contact", "% contacted in time"] if contact else []),
        "Cases opened",
        "Resolved within 90 days",
        "Resolved later",
        "Still open",
        "% resolved within 90 days",
    ]
    table = Table(
        "by_month",
        "Clock performance, by month",
        columns,
        [share_row(name, r) for name, r in zip(MONTHS, m, strict=True)],
        share_row("Year", total),
        f"Investigation clock: {Rule.of(investigate).text().replace('of service', 'of receipt')} "
        f"({investigate['citation']}); met by the first field inspection. Resolution: case closed "
        "within 90 days of opening. Refused complaints are not counted.",
    )
    series = {
        "investigated in time": [percent(r[1], r[0]) for r in m],
        "resolved within 90 days": [percent(r[7], r[6]) for r in m],
    }
    if contact:
        series["complainant contacted in time"] = [percent(r[5], r[4]) for r in m]
    chart = Chart(
        "Share of complaints and cases meeting their clocks, by month",
        "line",
        MONTHS,
        {k: [float("nan") if v is None else v for v in vals] for k, vals in series.items()},
        percent=True,
    )
    return Report(
        name="clock-performance",
        title="Clock Performance Report",
        jurisdiction=code,
        organization=profile.data["letterhead"]["organization"],
        year=year,
        generated_at=now.astimezone(zone),
        basis=[
            "Share of complaints investigated within the jurisdiction's clock (five business "
            "days where the profile sets none) and of cases resolved within 90 days.",
            f"Calendar year {year} in {zone.key}, business days by the jurisdiction's holidays.",
        ],
        tables=[table],
        charts=[chart],
    )
