"""A violation like one reported before on the same property accrues to the first report
(Los Gatos III.b.v), as the profile's `repeat_violations` says: alike by violation type or by
category, linked to the first (`violations.repeat_of_id`), and, where the profile names an
aggravating circumstance for it, raising the case's priority."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.models import Case, User, Violation
from docsvc.profiles.model import Profile


def rule_of(profile: Profile) -> dict[str, Any] | None:
    return profile.data.get("repeat_violations")


def _alike(profile: Profile, rule: dict[str, Any], violation_type: str) -> list[str]:
    """The violation types that count as the same as `violation_type`."""
    if rule["match"] == "type":
        return [violation_type]
    category = profile.violation_types.get(violation_type, {}).get("category")
    return [c for c, v in profile.violation_types.items() if v.get("category") == category]


def first_report(
    session: Session, profile: Profile, case: Case, violation: Violation
) -> Violation | None:
    """The first reported violation like `violation` on the same property, in another case and
    observed no later; None where there is none, or the profile has no such rule."""
    rule = rule_of(profile)
    if rule is None:
        return None
    earlier = session.scalar(
        select(Violation)
        .join(Case, Case.id == Violation.case_id)
        .where(
            Case.property_id == case.property_id,
            Case.id != case.id,
            Violation.id != violation.id,
            Violation.violation_type.in_(_alike(profile, rule, violation.violation_type)),
            Violation.observed_at <= violation.observed_at,
        )
        .order_by(Violation.observed_at, Violation.id)
        .limit(1)
    )
    if earlier is None:
        return None
    # Everything accrues to the one first reported, never to a repeat of it.
    if earlier.repeat_of_id is not None:
        return session.get(Violation, earlier.repeat_of_id) or earlier
    return earlier


def link_repeat(
    session: Session, user: User, profile: Profile, case: Case, violation: Violation
) -> Violation | None:
    """Link a newly recorded violation to the first report of its kind on the property and
    record the profile's circumstance on the case; the first report, or None."""
    first = first_report(session, profile, case, violation)
    if first is None:
        return None
    violation.repeat_of_id = first.id
    rule = rule_of(profile)
    assert rule is not None
    fields = ["repeat_of_id"]
    wanted = rule.get("circumstance")
    if wanted and wanted not in (case.aggravating or []):
        known = [
            c["code"]
            for c in (profile.data.get("priority") or {}).get("aggravating_circumstances", [])
        ]
        case.aggravating = [c for c in known if c in {*(case.aggravating or []), wanted}]
        fields.append("aggravating")
    append(
        session,
        actor_of(user),
        "violation.repeat",
        "violation",
        violation.id,
        case_id=case.id,
        fields=fields,
    )
    return first


def accrued_violation_ids(session: Session, violation_id: int) -> set[int]:
    """The first report `violation_id` accrues to and every repeat accruing to it (itself
    included): what a fine's escalation counts as one continuing violation (Los Gatos III.b.v).
    A violation with no repeats and none before it is alone."""
    row = session.get(Violation, violation_id)
    if row is None:
        return set()
    root = row.repeat_of_id or row.id
    repeats = session.scalars(select(Violation.id).where(Violation.repeat_of_id == root))
    return {root, *repeats}


def first_reports(session: Session, violations: list[Violation]) -> dict[int, dict[str, Any]]:
    """For each violation that repeats an earlier one: the first report's id and case number."""
    wanted = {v.repeat_of_id for v in violations if v.repeat_of_id is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(Violation.id, Case.case_number)
        .join(Case, Case.id == Violation.case_id)
        .where(Violation.id.in_(wanted))
    ).all()
    numbers = {vid: number for vid, number in rows}
    return {
        v.id: {"violation_id": v.repeat_of_id, "case_number": numbers[v.repeat_of_id]}
        for v in violations
        if v.repeat_of_id in numbers
    }
