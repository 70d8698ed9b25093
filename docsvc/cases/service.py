"""Case-file operations shared by the API and the browser UI.

Each function validates against the case's state, writes its rows and the audit event in the
caller's transaction, and leaves the commit to the caller (one request, one transaction).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.auth.scope import visible
from docsvc.cases.acceptance import check_anonymous_factors, check_complaint, check_complaint_type
from docsvc.cases.community import note_other_complainants
from docsvc.cases.location import apply_location, check_location
from docsvc.cases.normalize import address_key, name_key
from docsvc.cases.numbering import next_case_number
from docsvc.cases.repeats import link_repeat
from docsvc.errors import Conflict, Forbidden, Invalid, NotFound
from docsvc.models import (
    Case,
    Complaint,
    Inspection,
    Jurisdiction,
    Party,
    Property,
    User,
    Violation,
)
from docsvc.profiles.loader import profile_for, profile_of
from docsvc.profiles.model import Profile
from docsvc.timeutil import utcnow

TERMINAL = ("refused", "closed")


def jurisdiction_for(session: Session, user: User, code: str) -> Jurisdiction:
    row = session.get(Jurisdiction, code)
    if row is None:
        raise Invalid(
            f"'{code}' is not a loaded jurisdiction; GET /api/jurisdictions lists the codes.",
            {"field": "jurisdiction"},
        )
    if not visible(user, code):
        raise Forbidden(f"your account does not work for {row.name}.")
    return row


def get_case(session: Session, user: User, case_number: str, *, for_update: bool = False) -> Case:
    """The case, or 404 for one that does not exist or that the user's jurisdictions exclude."""
    stmt = select(Case).where(Case.case_number == case_number)
    if for_update:
        stmt = stmt.with_for_update()
    case = session.scalar(stmt)
    if case is None or not visible(user, case.jurisdiction_code):
        raise NotFound(f"no case {case_number} that you can see.")
    return case


def case_profile(session: Session, case: Case) -> Profile:
    return profile_for(session, case.jurisdiction_code)


def case_violations(session: Session, case: Case) -> list[Violation]:
    """The case's violations, in the order recorded."""
    return list(
        session.scalars(
            select(Violation).where(Violation.case_id == case.id).order_by(Violation.id)
        )
    )


def _find_or_create_property(session: Session, jurisdiction: str, prop: dict[str, Any]) -> Property:
    key = address_key(prop["address"])
    found = session.scalar(
        select(Property).where(
            Property.jurisdiction_code == jurisdiction, Property.address_key == key
        )
    )
    if found is None:
        found = Property(
            jurisdiction_code=jurisdiction,
            address=prop["address"].strip(),
            address_key=key,
            parcel=prop.get("parcel"),
            zoning=prop.get("zoning"),
            assessor_owner=prop.get("assessor_owner"),
            created_at=utcnow(),
        )
        try:
            with session.begin_nested():  # another intake may create it concurrently
                session.add(found)
        except IntegrityError:
            # The other intake's row, which made ours fail: it is there.
            found = session.scalars(
                select(Property).where(
                    Property.jurisdiction_code == jurisdiction, Property.address_key == key
                )
            ).one()
    else:
        for field in ("parcel", "zoning", "assessor_owner"):
            if prop.get(field) and not getattr(found, field):
                setattr(found, field, prop[field])
    apply_location(found, prop, replace=False)
    return found


def open_case(session: Session, user: User, data: dict[str, Any]) -> Case:
    jurisdiction = jurisdiction_for(session, user, data["jurisdiction"])
    profile = profile_of(jurisdiction)
    origin = data.get("origin") or "complaint"
    complaint = data.get("complaint")
    if origin == "complaint":
        if complaint is None:
            raise Invalid(
                "a case opened from a complaint needs the complaint: give 'complaint', or set "
                "'origin' to patrol, staff_report, permit_monitoring or council_report.",
                {"field": "complaint"},
            )
        check_complaint(profile, complaint)
    if complaint is not None and complaint["anonymous"] and complaint.get("complainant"):
        raise Invalid(
            "an anonymous complaint cannot carry the complainant's identity: drop 'complainant' "
            "or set 'anonymous' to false.",
            {"field": "complaint.complainant"},
        )
    if complaint is not None:
        check_complaint_type(profile, complaint)
        check_anonymous_factors(profile, complaint)
    check_location(data["property"])
    now = utcnow()
    prop = _find_or_create_property(session, jurisdiction.code, data["property"])
    year = now.astimezone(profile.zone).year
    case = Case(
        case_number=next_case_number(session, profile.case_prefix, year),
        jurisdiction_code=jurisdiction.code,
        property_id=prop.id,
        origin=origin,
        origin_note=data.get("origin_note"),
        status="open",
        opened_at=now,
        opened_by_id=user.id,
        assigned_officer_id=user.id if user.role == "officer" else None,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    fields = ["case_number", "jurisdiction_code", "property_id", "origin", "status"]
    if complaint is not None:
        person = complaint.get("complainant") or {}
        who_key = name_key(person["name"]) if person.get("name") else None
        session.add(
            Complaint(
                case_id=case.id,
                received_at=complaint["received_at"],
                channel=complaint.get("channel") or "web",
                description=complaint["description"],
                anonymous=complaint["anonymous"],
                discretion_approved_by=complaint.get("discretion_approved_by"),
                anonymous_factors=complaint.get("anonymous_factors") or None,
                complaint_type=complaint.get("complaint_type"),
                complainant_name=person.get("name"),
                complainant_phone=person.get("phone"),
                complainant_email=person.get("email"),
                complainant_address=person.get("address"),
                complainant_name_key=who_key,
                complainant_address_key=address_key(person["address"])
                if person.get("address")
                else None,
                disclosure_preference=complaint.get("disclosure_preference") or "unspecified",
                disclosure_preference_at=now,
                recorded_by_id=user.id,
            )
        )
        fields += ["complaint"] + [f"complainant.{k}" for k in person]
    append(
        session,
        actor_of(user),
        "case.open",
        "case",
        case.case_number,
        case_id=case.id,
        fields=fields,
    )
    session.flush()
    if complaint is not None:
        # An anonymous complaint counts only where the rule is not about different people.
        note_other_complainants(session, user, profile, case, who_key)
    return case


def _require_open(case: Case, what: str) -> None:
    if case.status in TERMINAL:
        raise Conflict(f"case {case.case_number} is {case.status}; {what} is not possible now.")


def _touch(case: Case, status: str | None = None) -> None:
    case.updated_at = utcnow()
    if status:
        case.status = status


def refuse_case(session: Session, user: User, case: Case, reason: str, note: str | None) -> Case:
    _require_open(case, "refusing it")
    case.refusal_reason = reason
    case.refusal_note = note
    case.refused_at = utcnow()
    _touch(case, "refused")
    append(
        session,
        actor_of(user),
        "case.refuse",
        "case",
        case.case_number,
        case_id=case.id,
        fields=["status", "refusal_reason", "refusal_note"],
    )
    return case


def close_case(
    session: Session,
    user: User,
    case: Case,
    reason: str,
    resolution: str,
    *,
    follow_up: bool = False,
) -> Case:
    """Close the case; `follow_up` (extenuating circumstances) starts the profile's
    follow-up-after-closure clock (Tom Bean XIII.D)."""
    _require_open(case, "closing it")
    if follow_up and not (case_profile(session, case).data.get("clocks") or {}).get(
        "follow_up_after_closure"
    ):
        raise Invalid(
            "this jurisdiction's profile sets no follow-up inspection after closure.",
            {"field": "follow_up"},
        )
    case.closure_reason = reason
    case.resolution = resolution
    case.closed_at = utcnow()
    case.follow_up_after_closure = follow_up
    _touch(case, "closed")
    append(
        session,
        actor_of(user),
        "case.close",
        "case",
        case.case_number,
        case_id=case.id,
        fields=["status", "closure_reason", "resolution", "follow_up_after_closure"],
    )
    return case


def set_aggravating(session: Session, user: User, case: Case, codes: list[str]) -> Case:
    """Record the aggravating circumstances found (Tom Bean III.E, Los Gatos II.a.iv)."""
    _require_open(case, "changing its priority")
    rule = case_profile(session, case).data.get("priority")
    if rule is None:
        raise Invalid(
            "this jurisdiction's profile lists no aggravating circumstances.",
            {"field": "circumstances"},
        )
    known = [c["code"] for c in rule["aggravating_circumstances"]]
    unknown = sorted(set(codes) - set(known))
    if unknown:
        raise Invalid(
            f"not an aggravating circumstance of this jurisdiction: {', '.join(unknown)}; "
            f"choose from {', '.join(known)}.",
            {"field": "circumstances", "allowed": known},
        )
    case.aggravating = [c for c in known if c in codes]
    _touch(case)
    append(
        session,
        actor_of(user),
        "case.aggravating",
        "case",
        case.case_number,
        case_id=case.id,
        fields=["aggravating"],
    )
    return case


def add_party(session: Session, user: User, case: Case, data: dict[str, Any]) -> Party:
    _require_open(case, "adding a party")
    party = Party(
        case_id=case.id,
        role=data["role"],
        name=data["name"].strip(),
        name_key=name_key(data["name"]),
        mailing_address=data["mailing_address"].strip(),
        address_key=address_key(data["mailing_address"]),
        phone=data.get("phone"),
        email=data.get("email"),
        created_at=utcnow(),
    )
    session.add(party)
    session.flush()
    _touch(case)
    append(
        session,
        actor_of(user),
        "party.add",
        "party",
        party.id,
        case_id=case.id,
        fields=[k for k, v in data.items() if v is not None],
    )
    return party


def add_violation(session: Session, user: User, case: Case, data: dict[str, Any]) -> Violation:
    _require_open(case, "recording a violation")
    profile = case_profile(session, case)
    if data["violation_type"] not in profile.violation_types:
        raise Invalid(
            f"'{data['violation_type']}' is not in {profile.name}'s code library; GET "
            f"/api/jurisdictions/{profile.code}/violation-types lists the codes.",
            {"field": "violation_type"},
        )
    violation = Violation(
        case_id=case.id,
        violation_type=data["violation_type"],
        description=data["description"],
        observed_at=data["observed_at"],
        created_by_id=user.id,
        created_at=utcnow(),
    )
    session.add(violation)
    session.flush()
    _touch(case, "investigating" if case.status == "open" else None)
    append(
        session,
        actor_of(user),
        "violation.add",
        "violation",
        violation.id,
        case_id=case.id,
        fields=["violation_type", "description", "observed_at"],
    )
    link_repeat(session, user, profile, case, violation)
    return violation


def correct_violation(
    session: Session, user: User, case: Case, violation_id: int, corrected_at: datetime, method: str
) -> Violation:
    violation = session.get(Violation, violation_id)
    if violation is None or violation.case_id != case.id:
        raise NotFound(f"case {case.case_number} has no violation {violation_id}.")
    if violation.corrected_at is not None:
        raise Conflict(f"violation {violation_id} was already marked corrected.")
    if corrected_at < violation.observed_at:
        raise Invalid(
            "corrected_at is before the violation was observed.", {"field": "corrected_at"}
        )
    violation.corrected_at = corrected_at
    violation.correction_method = method
    _touch(case)
    append(
        session,
        actor_of(user),
        "violation.correct",
        "violation",
        violation.id,
        case_id=case.id,
        fields=["corrected_at", "correction_method"],
    )
    return violation


def add_inspection(session: Session, user: User, case: Case, data: dict[str, Any]) -> Inspection:
    # A case closed with extenuating circumstances still takes its follow-up inspection.
    if not (case.status == "closed" and case.follow_up_after_closure):
        _require_open(case, "recording an inspection")
    # Stored as JSON: a measured value keeps its decimal digits as text, never a float.
    data = {
        **data,
        "measurements": [{**m, "value": str(m["value"])} for m in data.get("measurements", [])],
    }
    inspection = Inspection(case_id=case.id, created_by_id=user.id, created_at=utcnow(), **data)
    session.add(inspection)
    session.flush()
    _touch(case, "investigating" if case.status == "open" else None)
    append(
        session,
        actor_of(user),
        "inspection.add",
        "inspection",
        inspection.id,
        case_id=case.id,
        fields=list(data),
    )
    return inspection
