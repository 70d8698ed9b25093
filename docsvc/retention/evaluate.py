"""Which case files the schedules allow to be destroyed, on a given day, and why not the rest.

The facts are read in a handful of grouped queries over the whole database (one pass over
100,000 cases, no query per case), then each case is judged in memory: its series (the first
whose `when` matches), the date its period starts (the latest of the series' trigger events),
the date it ends, the floor, and what blocks it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from docsvc.auth.scope import visible
from docsvc.models import (
    Appeal,
    Attachment,
    Case,
    Document,
    Inspection,
    Jurisdiction,
    Lien,
    ServiceRecord,
    User,
)
from docsvc.retention import holds
from docsvc.retention.schedule import Schedule, Series, load

FINISHED = ("closed", "refused")
# eligible: may be proposed now; not_yet: its period or floor has not run, or the case is not
# finished; blocked: its period has run but something stops it; unscheduled: its series has no
# period in the schedule (or the jurisdiction has no schedule).
VERDICTS = ("eligible", "not_yet", "blocked", "unscheduled")


@dataclass
class Verdict:
    case_id: int
    case_number: str
    jurisdiction: str
    verdict: str
    series: Series | None = None
    trigger_on: date | None = None
    eligible_on: date | None = None
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "case_number": self.case_number,
            "jurisdiction": self.jurisdiction,
            "verdict": self.verdict,
            "series": self.series.code if self.series else None,
            "trigger_on": self.trigger_on.isoformat() if self.trigger_on else None,
            "eligible_on": self.eligible_on.isoformat() if self.eligible_on else None,
            "reasons": self.reasons,
        }


_AnySelect = Select[*tuple[Any, ...]]  # a case id, then the facts about it


class _Facts:
    """Grouped facts for the cases in scope (all of them when `only` is None)."""

    def __init__(self, session: Session, only: Collection[int] | None) -> None:
        def scoped(stmt: _AnySelect, col: InstrumentedAttribute[int]) -> _AnySelect:
            return stmt if only is None else stmt.where(col.in_(list(only)))

        def grouped(stmt: _AnySelect, col: InstrumentedAttribute[int]) -> dict[int, Any]:
            return {row[0]: row[1:] for row in session.execute(scoped(stmt, col))}

        self.notice = grouped(
            select(Document.case_id, func.max(Document.issued_at))
            .where(Document.issued_at.is_not(None))
            .group_by(Document.case_id),
            Document.case_id,
        )
        self.served = grouped(
            select(Document.case_id, func.max(ServiceRecord.recorded_at))
            .join(ServiceRecord, ServiceRecord.document_id == Document.id)
            .group_by(Document.case_id),
            Document.case_id,
        )
        self.visited = grouped(
            select(Inspection.case_id, func.max(Inspection.visited_at)).group_by(
                Inspection.case_id
            ),
            Inspection.case_id,
        )
        self.uploaded = grouped(
            select(Attachment.case_id, func.max(Attachment.uploaded_at)).group_by(
                Attachment.case_id
            ),
            Attachment.case_id,
        )
        unreleased = func.sum(case((Lien.status != "released", 1), else_=0))
        self.liens = grouped(
            select(Lien.case_id, func.count(), unreleased, func.max(Lien.released_on)).group_by(
                Lien.case_id
            ),
            Lien.case_id,
        )
        pending = func.sum(case((Appeal.appeals_exhausted_on.is_(None), 1), else_=0))
        self.appeals = grouped(
            select(
                Appeal.case_id, func.count(), pending, func.max(Appeal.appeals_exhausted_on)
            ).group_by(Appeal.case_id),
            Appeal.case_id,
        )
        self.blocks = holds.blocks(session, only)


def _day(value: datetime, zone: ZoneInfo) -> date:
    return value.astimezone(zone).date()


def evaluate(
    session: Session, data_dir: Path, as_of: date, only: Collection[int] | None = None
) -> Iterator[Verdict]:
    """A verdict for every case (or the cases in `only`), in case order."""
    facts = _Facts(session, only)
    jurisdictions = {j.code: j for j in session.scalars(select(Jurisdiction))}
    zones = {code: ZoneInfo(j.timezone) for code, j in jurisdictions.items()}
    schedules: dict[str, Schedule | None] = {}
    stmt = select(
        Case.id, Case.case_number, Case.jurisdiction_code, Case.status, Case.opened_at,
        Case.closed_at, Case.refused_at,
    ).order_by(Case.id)  # fmt: skip
    if only is not None:
        stmt = stmt.where(Case.id.in_(list(only)))
    for row in session.execute(stmt.execution_options(yield_per=5000)):
        code = row.jurisdiction_code
        if code not in schedules:
            schedules[code] = load(code, data_dir)
        yield _judge(row, schedules[code], zones[code], facts, as_of)


def _judge(row: Any, schedule: Schedule | None, zone: ZoneInfo, f: _Facts, as_of: date) -> Verdict:
    v = Verdict(row.id, row.case_number, row.jurisdiction_code, "not_yet")
    if schedule is None:
        v.verdict = "unscheduled"
        v.reasons.append(f"no retention schedule for {row.jurisdiction_code}")
        return v
    liens = f.liens.get(row.id)
    has = {"has_lien": bool(liens), "has_notice": row.id in f.notice, "always": True}
    series = next(s for s in schedule.series if has[s.when])
    v.series = series
    finished_at = row.closed_at or row.refused_at
    dates: list[date] = []
    waiting: list[str] = []
    for trigger in series.trigger:
        if trigger == "created":
            dates.append(_day(row.opened_at, zone))
        elif trigger in ("case_closed", "last_action"):
            if row.status not in FINISHED or finished_at is None:
                waiting.append(f"the case is {row.status.replace('_', ' ')}, not closed")
                continue
            if trigger == "case_closed":
                dates.append(_day(finished_at, zone))
            else:
                acts = [finished_at, row.opened_at]
                for table in (f.notice, f.served, f.visited, f.uploaded):
                    if row.id in table and table[row.id][0] is not None:
                        acts.append(table[row.id][0])
                dates.append(_day(max(acts), zone))
        elif trigger == "lien_released" and liens:
            _, unreleased, released_on = liens
            if unreleased:
                waiting.append(f"{unreleased} lien(s) not released")
            elif released_on is not None:
                dates.append(released_on)
        elif trigger == "appeals_exhausted" and row.id in f.appeals:
            _, pending, exhausted_on = f.appeals[row.id]
            if pending:
                waiting.append(f"{pending} appeal(s) not exhausted")
            elif exhausted_on is not None:
                dates.append(exhausted_on)
    blocked = list(f.blocks.get(row.id, []))
    if liens and liens[1]:
        blocked.append(f"unreleased lien ({schedule.blocks['unreleased_lien']})")
    if waiting or not dates:
        v.reasons.extend(waiting or ["nothing has happened yet that starts the period"])
        v.reasons.extend(f"also held: {b}" for b in blocked if "lien" not in b)
        return v
    v.trigger_on = max(dates)
    if series.period is None:
        v.verdict = "unscheduled"
        v.reasons.append(
            f"{series.code}: the schedule sets no period for this series"
            + (f" ({series.note})" if series.note else "")
        )
        return v
    eligible = series.period.after(v.trigger_on)
    why = f"{series.code}: {series.period.text()} after {v.trigger_on.isoformat()}"
    if schedule.floor is not None:
        floor_on = schedule.floor.after(_day(row.opened_at, zone))
        if floor_on > eligible:
            eligible = floor_on
            why += f"; the floor ({schedule.floor_citation}) holds it until {floor_on.isoformat()}"
    v.eligible_on = eligible
    v.reasons.append(why)
    if eligible > as_of:
        v.reasons.append(f"eligible on {eligible.isoformat()}")
        return v
    if blocked:
        v.verdict = "blocked"
        v.reasons.extend(
            b
            if "lien" in b
            else f"{b} ({schedule.blocks['legal_hold' if 'hold' in b else 'open_request']})"
            for b in blocked
        )
        return v
    v.verdict = "eligible"
    return v


def judged(
    session: Session,
    data_dir: Path,
    user: User,
    as_of: date,
    verdicts: Collection[str] = ("eligible", "blocked"),
    limit: int = 500,
) -> tuple[Counter[str], list[dict[str, Any]]]:
    """The cases `user` may see, judged on `as_of`: counts by verdict, and up to `limit` of
    those with one of `verdicts`, with the reasons."""
    counts: Counter[str] = Counter()
    items: list[dict[str, Any]] = []
    for v in evaluate(session, data_dir, as_of):
        if not visible(user, v.jurisdiction):
            continue
        counts[v.verdict] += 1
        if v.verdict in verdicts and len(items) < limit:
            items.append(v.as_dict())
    return counts, items
