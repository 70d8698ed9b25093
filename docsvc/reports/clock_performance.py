"""Clock performance, by month of receipt: the share of complaints investigated within the
profile's clock (`clocks.investigate_complaint`; no such columns where the profile sets none),
of complainants contacted in time where the profile has that clock, and of cases resolved
within 90 days of opening; and, where the profile sets a target for complaints resolved within
so many days of receipt (`targets.resolved_within`, Los Gatos III.b.iv), the share achieved
each month and in the year against it, in words and on the chart."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from docsvc.documents.deadlines import Rule, deadline
from docsvc.models import Case, Complaint, Inspection
from docsvc.profiles.model import Profile
from docsvc.reports.model import MONTHS, Chart, Report, Table, percent, year_bounds

RESOLVE_WITHIN = timedelta(days=90)
# Closures that confirm compliance or achieve it (a case closed as deferred to another agency or
# as unresolvable is not in compliance).
COMPLIANT_CLOSURES = ("no_violation", "voluntary_compliance", "convicted_and_corrected")


def build(session: Session, profile: Profile, year: int, now: datetime) -> Report:
    code, zone = profile.code, profile.zone
    start, end = year_bounds(year, zone)
    rules = profile.data.get("clocks") or {}
    investigate = rules.get("investigate_complaint")
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
        if investigate:
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
            *([r[1], r[2], r[3], percent(r[1], r[0])] if investigate else []),
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
        *(
            ["Investigated in time", "Investigated late", "Not yet investigated", "% in time"]
            if investigate
            else []
        ),
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
        (
            f"Investigation clock: "
            f"{Rule.of(investigate).of_event('receipt')} "
            f"({investigate['citation']}); met by the first field inspection. "
            if investigate
            else f"{profile.name}'s rules set no clock for investigating a complaint. "
        )
        + "Resolution: case closed within 90 days of opening. Refused complaints are not "
        "counted.",
    )
    series: dict[str, list[float | None]] = {}
    if investigate:
        series["investigated in time"] = [percent(r[1], r[0]) for r in m]
    series["cases resolved within 90 days of opening"] = [percent(r[7], r[6]) for r in m]
    if contact:
        series["complainant contacted in time"] = [percent(r[5], r[4]) for r in m]
    tables = [table]
    basis = [
        f"Share of complaints investigated within {profile.name}'s clock "
        f"({investigate['citation']}), and of cases resolved within 90 days of opening."
        if investigate
        else f"{profile.name}'s rules set no clock for investigating a complaint; share of cases "
        "resolved within 90 days of opening.",
        f"Calendar year {year} in {zone.key}, business days by the jurisdiction's holidays.",
    ]
    target = (profile.data.get("targets") or {}).get("resolved_within")
    if target:
        goal = target_table(complaints, target, profile, now)
        tables.append(goal)
        assert goal.total is not None
        days = target["days"]
        series[f"complaints resolved within {days} days of receipt"] = [r[5] for r in goal.rows]
        goal_percent = round(target["share"] * 100, 1)
        series[f"target ({goal_percent:g}%)"] = [goal_percent] * len(MONTHS)
        basis.append(target_sentence(target, goal.total, year))
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
        basis=basis,
        tables=tables,
        charts=[chart],
    )


def target_table(complaints: Any, target: dict[str, Any], profile: Profile, now: datetime) -> Table:
    """By month of receipt: complaints resolved (the case closed in compliance) within the
    target's days of receipt, those not (closed later or otherwise, or open past the days),
    those whose days are still running, and the share achieved of those decided."""
    days = target["days"]
    window = timedelta(days=days)
    # month -> [complaints, in time, not in time, still running]
    m: list[list[int]] = [[0] * 4 for _ in MONTHS]
    for complaint, case in complaints:
        row = m[complaint.received_at.astimezone(profile.zone).month - 1]
        row[0] += 1
        due = complaint.received_at + window
        closed = case.closed_at
        if closed is not None and closed <= due:
            row[1 if case.closure_reason in COMPLIANT_CLOSURES else 2] += 1
        elif closed is not None or now > due:
            row[2] += 1
        else:
            row[3] += 1
    goal = round(target["share"] * 100, 1)

    def target_row(label: str, r: list[int]) -> list[Any]:
        achieved = percent(r[1], r[1] + r[2])
        met = "" if achieved is None else ("yes" if achieved >= goal else "no")
        return [label, r[0], r[1], r[2], r[3], achieved, goal, met]

    total = [sum(r[i] for r in m) for i in range(4)]
    return Table(
        "resolution_target",
        f"Complaints resolved within {days} days of receipt, against the target",
        [
            "Month received",
            "Complaints",
            f"Resolved within {days} days",
            "Not resolved in time",
            f"Within their {days} days still",
            f"% resolved within {days} days",
            "Target %",
            "Target met",
        ],
        [target_row(name, r) for name, r in zip(MONTHS, m, strict=True)],
        target_row("Year", total),
        f"Target: {goal:g}% of complaints resolved within {days} days of receipt "
        f"({target['citation']}). Resolved: the case closed with compliance confirmed or "
        "achieved. The share is of complaints decided: those whose days are still running are "
        "counted apart. Refused complaints are not counted.",
    )


def target_sentence(target: dict[str, Any], total: list[Any], year: int) -> str:
    """The year's share against the target, in words."""
    days, goal = target["days"], round(target["share"] * 100, 1)
    head = f"Target ({target['citation']}): {goal:g}% of complaints resolved within {days} days"
    achieved, decided = total[5], total[2] + total[3]
    if achieved is None:
        return f"{head}. In {year} no complaint's {days} days have yet passed."
    verdict = "meeting the target" if achieved >= goal else "below the target"
    return f"{head}. In {year}: {achieved:g}% of the {decided} complaints decided, {verdict}" + (
        f"; {total[4]} still within their {days} days." if total[4] else "."
    )
