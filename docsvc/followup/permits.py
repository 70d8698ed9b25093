"""Permits a violation needs, and actions taken on permits, where the profile's `permits` has
the rule.

- `time_frames` (Los Gatos VII.a.vi): where correcting a violation takes applying for and
  obtaining a permit or approval, the officer sets a reasonable time frame for each; applying
  alone is not compliance. Two clocks run on the case (apply by, obtain by), met when the
  application and the permit are recorded. A permit refused gets a new time frame (VII.a.vi.3):
  the dates may be changed. A violation corrected by other means needs neither.
- `actions` (Los Gatos III.b.ix-x; Tom Bean IV.B.3-4 and X.B): a permit withheld, suspended or
  revoked because of the violation, each with the authority (the ordinance) it was taken
  under; only the actions the profile lists.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.cases.service import case_profile
from docsvc.errors import Invalid, NotFound
from docsvc.identity.mask import masker
from docsvc.models import Case, User, Violation
from docsvc.models.enforcement import Permit, PermitAction
from docsvc.profiles.model import Profile
from docsvc.timeutil import utcnow


def rules(profile: Profile) -> dict[str, Any]:
    return profile.data.get("permits") or {}


def _today(profile: Profile) -> date:
    return utcnow().astimezone(profile.zone).date()


def case_permits(session: Session, case: Case) -> list[Permit]:
    return list(
        session.scalars(select(Permit).where(Permit.case_id == case.id).order_by(Permit.id))
    )


def case_permit_actions(session: Session, case: Case) -> list[PermitAction]:
    return list(
        session.scalars(
            select(PermitAction).where(PermitAction.case_id == case.id).order_by(PermitAction.id)
        )
    )


def _check_dates(permit: Permit, observed: date, today: date) -> None:
    if permit.apply_by < observed:
        raise Invalid("apply_by is before the violation was observed.", {"field": "apply_by"})
    if permit.obtain_by < permit.apply_by:
        raise Invalid("obtain_by must not be before apply_by.", {"field": "obtain_by"})
    for name in ("applied_on", "obtained_on"):
        when = getattr(permit, name)
        if when is not None and (when > today or when < observed):
            raise Invalid(
                f"{name} must fall between when the violation was observed and today.",
                {"field": name},
            )
    if permit.obtained_on is not None and permit.applied_on is None:
        raise Invalid("record when the permit was applied for.", {"field": "applied_on"})
    if (
        permit.obtained_on is not None
        and permit.applied_on is not None
        and permit.obtained_on < permit.applied_on
    ):
        raise Invalid("obtained_on is before applied_on.", {"field": "obtained_on"})


def add_permit(session: Session, user: User, case: Case, data: dict[str, Any]) -> Permit:
    """The permit a violation needs, with the time to apply for it and to obtain it. data:
    violation_id, description, apply_by, obtain_by, and optionally applied_on, obtained_on,
    permit_number."""
    profile = case_profile(session, case)
    if rules(profile).get("time_frames") is None:
        raise Invalid(
            f"{profile.name}'s policy sets no time frame for obtaining a permit.",
            {"field": "violation_id"},
        )
    violation = session.get(Violation, data["violation_id"])
    if violation is None or violation.case_id != case.id:
        raise Invalid(
            f"case {case.case_number} has no violation {data['violation_id']}.",
            {"field": "violation_id"},
        )
    permit = Permit(
        case_id=case.id,
        violation_id=violation.id,
        description=data["description"],
        apply_by=data["apply_by"],
        obtain_by=data["obtain_by"],
        applied_on=data.get("applied_on"),
        obtained_on=data.get("obtained_on"),
        permit_number=data.get("permit_number") or None,
        created_by_id=user.id,
        created_at=utcnow(),
    )
    _check_dates(permit, violation.observed_at.astimezone(profile.zone).date(), _today(profile))
    session.add(permit)
    session.flush()
    case.updated_at = utcnow()
    append(
        session,
        actor_of(user),
        "permit.add",
        "permit",
        permit.id,
        case_id=case.id,
        fields=sorted(data),
    )
    return permit


UPDATABLE = ("apply_by", "obtain_by", "applied_on", "obtained_on", "permit_number")


def update_permit(
    session: Session, user: User, case: Case, permit_id: int, data: dict[str, Any]
) -> Permit:
    """Record the application or the permit obtained, or set a new time frame (a permit refused
    gets one: Los Gatos VII.a.vi.3)."""
    permit = session.get(Permit, permit_id)
    if permit is None or permit.case_id != case.id:
        raise NotFound(f"case {case.case_number} has no permit {permit_id}.")
    profile = case_profile(session, case)
    changed = [k for k in UPDATABLE if k in data]
    if not changed:
        raise Invalid("give at least one of " + ", ".join(UPDATABLE) + ".", {"field": "applied_on"})
    for key in changed:
        setattr(permit, key, data[key] if key != "permit_number" else (data[key] or None))
    violation = session.get(Violation, permit.violation_id)
    assert violation is not None  # a foreign key
    _check_dates(permit, violation.observed_at.astimezone(profile.zone).date(), _today(profile))
    case.updated_at = utcnow()
    append(
        session,
        actor_of(user),
        "permit.update",
        "permit",
        permit.id,
        case_id=case.id,
        fields=changed,
    )
    return permit


def record_action(session: Session, user: User, case: Case, data: dict[str, Any]) -> PermitAction:
    """A permit withheld, suspended or revoked, as the profile allows. data: action,
    permit_description, authority, taken_on, and optionally permit_id and note."""
    profile = case_profile(session, case)
    allowed = {a["action"]: a for a in rules(profile).get("actions") or []}
    if not allowed:
        raise Invalid(
            f"{profile.name}'s policy provides no action on permits.", {"field": "action"}
        )
    if data["action"] not in allowed:
        raise Invalid(
            f"{profile.name}'s policy allows a permit to be "
            + " or ".join(sorted(allowed))
            + f", not {data['action']}.",
            {"field": "action"},
        )
    permit_id = data.get("permit_id")
    if permit_id is not None:
        permit = session.get(Permit, permit_id)
        if permit is None or permit.case_id != case.id:
            raise Invalid(
                f"case {case.case_number} has no permit {permit_id}.", {"field": "permit_id"}
            )
    zone = profile.zone
    if (
        data["taken_on"] > _today(profile)
        or data["taken_on"] < case.opened_at.astimezone(zone).date()
    ):
        raise Invalid(
            "taken_on must fall between the day the case was opened and today.",
            {"field": "taken_on"},
        )
    action = PermitAction(
        case_id=case.id,
        permit_id=permit_id,
        action=data["action"],
        permit_description=data["permit_description"],
        authority=data["authority"],
        taken_on=data["taken_on"],
        note=(data.get("note") or "").strip() or None,
        created_by_id=user.id,
        created_at=utcnow(),
    )
    session.add(action)
    session.flush()
    case.updated_at = utcnow()
    append(
        session,
        actor_of(user),
        "permit.action",
        "permit_action",
        action.id,
        case_id=case.id,
        fields=["action", "permit_description", "authority", "taken_on", "permit_id", "note"],
    )
    return action


def present_permit(session: Session, case: Case, p: Permit) -> dict[str, Any]:
    """The permit as the API returns it and the case page shows it; its description masked
    like every text typed on a case."""
    return {
        "id": p.id,
        "violation_id": p.violation_id,
        "description": masker(session, case)(p.description),
        "apply_by": p.apply_by,
        "obtain_by": p.obtain_by,
        "applied_on": p.applied_on,
        "obtained_on": p.obtained_on,
        "permit_number": p.permit_number,
    }


def present_action(session: Session, case: Case, a: PermitAction, profile: Profile) -> dict:
    """The action as the API returns it and the case page shows it; what an officer typed
    (the permit, the authority, the note) masked like every text typed on a case."""
    rule = {r["action"]: r for r in rules(profile).get("actions") or []}.get(a.action, {})
    masked = masker(session, case)
    return {
        "id": a.id,
        "action": a.action,
        "permit_id": a.permit_id,
        "permit_description": masked(a.permit_description),
        "authority": masked(a.authority),
        "taken_on": a.taken_on,
        "note": masked(a.note),
        "policy": rule.get("citation"),
    }
