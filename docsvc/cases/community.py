"""Several complaints about one property (Tom Bean III.A.6: from separate people; Los Gatos
II.a.i.6: from anyone): when a complaint arrives about a property that another open case's
complaint is already about (from a different complainant, where the profile says so), both
cases record the profile's aggravating circumstance and say that another complaint was
received, never by whom.

Complainants are told apart by their normalised-name keys alone, in the query: no identifying
value is read, and nothing of the other complainant reaches either case.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.models import AuditEvent, Case, Complaint, User
from docsvc.profiles.model import Profile
from docsvc.timeutil import utcnow

ACTION = "case.another_complaint"
TERMINAL = ("refused", "closed")


def rule_of(profile: Profile) -> dict[str, str] | None:
    return (profile.data.get("priority") or {}).get("multiple_complainants")


def _raise(profile: Profile, case: Case, circumstance: str) -> bool:
    """Add the circumstance to the case's, in the profile's order; whether it was new."""
    if circumstance in (case.aggravating or []):
        return False
    known = [c["code"] for c in profile.data["priority"]["aggravating_circumstances"]]
    case.aggravating = [c for c in known if c in {*(case.aggravating or []), circumstance}]
    return True


def note_other_complainants(
    session: Session, user: User, profile: Profile, case: Case, name_key: str | None
) -> list[Case]:
    """Record the circumstance on `case` (just opened, its complainant's name key given) and on
    each other open case about the same property whose complainant differs; those cases."""
    rule = rule_of(profile)
    different = bool(rule and rule.get("different_complainants", True))
    if rule is None or (different and not name_key):
        return []
    query = (
        select(Case)
        .join(Complaint, Complaint.case_id == Case.id)
        .where(
            Case.property_id == case.property_id,
            Case.id != case.id,
            Case.status.not_in(TERMINAL),
        )
        .order_by(Case.opened_at, Case.id)
    )
    if different:
        # An anonymous complaint cannot be told apart from a named one: it is not counted.
        query = query.where(
            Complaint.anonymous.is_(False),
            Complaint.complainant_name_key.is_not(None),
            Complaint.complainant_name_key != name_key,
        )
    others = list(session.scalars(query))
    if not others:
        return []
    circumstance = rule["circumstance"]
    for this, other in [(case, o) for o in others] + [(o, case) for o in others]:
        raised = _raise(profile, this, circumstance)
        this.updated_at = utcnow()
        append(
            session,
            actor_of(user),
            ACTION,
            "case",
            other.case_number,
            case_id=this.id,
            fields=["aggravating"] if raised else [],
        )
    return others


def other_complaints(session: Session, case: Case) -> list[str]:
    """The numbers of the cases whose complaints, from other people, were about this case's
    property while both were open, as recorded."""
    rows = session.scalars(
        select(AuditEvent.object_id)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == ACTION)
        .order_by(AuditEvent.seq)
    )
    return list(dict.fromkeys(rows))
