"""Recording that the complainant was contacted (Los Gatos III.b.i), which meets the
"Contact the complainant" clock. Recording it shows nothing of the complainant: the officer
says when, how, who made the contact and a note; the note is shown masked like every text
typed on a case file, so a number or name typed into it stays behind the identity guard."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.errors import Conflict, Invalid
from docsvc.identity.mask import masker
from docsvc.models import Case, User
from docsvc.timeutil import CLOCK_SKEW, utcnow

METHODS = ("phone", "email", "in_person", "letter", "voicemail")


def record_contact(session: Session, user: User, case: Case, data: dict[str, Any]) -> None:
    """data: contacted_at (aware), and optionally method, contacted_by, note."""
    complaint = case.complaint
    if complaint is None or complaint.anonymous:
        raise Conflict("this case has no identified complainant to contact.")
    when = data["contacted_at"]
    if when < complaint.received_at or when > utcnow() + CLOCK_SKEW:
        raise Invalid(
            "contacted_at must fall between the complaint and now.", {"field": "contacted_at"}
        )
    method = data.get("method")
    if method is not None and method not in METHODS:
        raise Invalid(
            "method must be one of phone, email, in_person, letter or voicemail.",
            {"field": "method"},
        )
    complaint.complainant_contacted_at = when
    complaint.complainant_contact_method = method
    complaint.complainant_contacted_by = (data.get("contacted_by") or "").strip() or (
        user.display_name or user.username
    )
    complaint.complainant_contact_note = (data.get("note") or "").strip() or None
    complaint.complainant_contact_recorded_by_id = user.id
    case.updated_at = utcnow()
    append(
        session,
        actor_of(user),
        "complainant.contact",
        "case",
        case.case_number,
        case_id=case.id,
        fields=[
            "complainant_contacted_at",
            "complainant_contact_method",
            "complainant_contacted_by",
            "complainant_contact_note",
        ],
    )


def contact_facts(session: Session, case: Case) -> dict[str, Any]:
    """How the contact was made, for the clock's row: nothing of the complainant's own, and
    the note masked."""
    complaint = case.complaint
    if complaint is None or complaint.complainant_contacted_at is None:
        return {}
    return {
        "contact_method": complaint.complainant_contact_method,
        "contacted_by": complaint.complainant_contacted_by,
        "contact_note": masker(session, case)(complaint.complainant_contact_note),
    }
