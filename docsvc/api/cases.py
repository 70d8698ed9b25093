"""Cases and everything recorded in them (docs/API.md, Cases)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from docsvc.auth.permissions import allowed
from docsvc.cases import location, repeats, service
from docsvc.cases.queries import find_cases
from docsvc.cases.schemas import (
    CaseIn,
    CaseListOut,
    CaseOut,
    CaseQuery,
    CaseSummaryOut,
    CloseIn,
    CorrectIn,
    CreatedOut,
    InspectionIn,
    LocationIn,
    PartyIn,
    PartyOut,
    PropertyOut,
    RefuseIn,
    ViolationIn,
    ViolationOut,
)
from docsvc.identity import guard
from docsvc.models import Case
from docsvc.web.context import api_user, database, db, require
from docsvc.web.present import case_detail, case_list_dict, case_summary, property_dict

blp = Blueprint("cases", __name__, url_prefix="/api/cases", description="Case files (staff)")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _case_for_write(case_number: str) -> tuple[Any, Case]:
    user = require(api_user(), "cases.write")
    return user, service.get_case(db(), user, case_number, for_update=True)


@blp.route("", methods=["POST"])
@blp.arguments(CaseIn)
@blp.response(201, CaseOut)
@blp.doc(security=SECURITY)
def create_case(data: dict[str, Any]) -> dict[str, Any]:
    """Open a case; a complaint is checked against the jurisdiction's acceptance rules."""
    user = require(api_user(), "cases.write")
    session = db()
    case = service.open_case(session, user, data)
    profile = service.case_profile(session, case)
    who = guard.view_identity(session, user, case, "api.case.create")
    out = case_detail(session, case, profile, user, who)
    session.commit()
    return out


@blp.route("", methods=["GET"])
@blp.arguments(CaseQuery, location="query")
@blp.response(200, CaseListOut)
@blp.doc(security=SECURITY)
def list_cases(query: dict[str, Any]) -> dict[str, Any]:
    user = require(api_user(), "cases.read")
    return case_list_dict(find_cases(db(), user, **query))


@blp.route("/<case_number>", methods=["GET"])
@blp.response(200, CaseOut)
@blp.doc(security=SECURITY)
def get_case(case_number: str) -> dict[str, Any]:
    """The case file; the complainant included for a role that may see them (the view is
    audited), as the case page shows them to that role."""
    user = require(api_user(), "cases.read")
    session = db()
    case = service.get_case(session, user, case_number)
    profile = service.case_profile(session, case)
    shown = allowed(user.role, "complainant.view")
    who = guard.view_identity_now(database(), user, case, "api.case.get") if shown else None
    return case_detail(session, case, profile, user, who)


@blp.route("/<case_number>/refuse", methods=["POST"])
@blp.arguments(RefuseIn)
@blp.response(200, CaseSummaryOut)
@blp.doc(security=SECURITY)
def refuse(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    user, case = _case_for_write(case_number)
    session = db()
    service.refuse_case(session, user, case, data["reason"], data.get("note"))
    session.commit()
    return case_summary(case, service.case_profile(session, case).zone)


@blp.route("/<case_number>/close", methods=["POST"])
@blp.arguments(CloseIn)
@blp.response(200, CaseSummaryOut)
@blp.doc(security=SECURITY)
def close(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    user, case = _case_for_write(case_number)
    session = db()
    service.close_case(
        session, user, case, data["reason"], data["resolution"], follow_up=data["follow_up"]
    )
    session.commit()
    return case_summary(case, service.case_profile(session, case).zone)


@blp.route("/<case_number>/parties", methods=["POST"])
@blp.arguments(PartyIn)
@blp.response(201, PartyOut)
@blp.doc(security=SECURITY)
def add_party(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    user, case = _case_for_write(case_number)
    session = db()
    party = service.add_party(session, user, case, data)
    session.commit()
    return {
        "id": party.id,
        "role": party.role,
        "name": party.name,
        "mailing_address": party.mailing_address,
        "phone": party.phone,
        "email": party.email,
        "prior_cases": [],
    }


@blp.route("/<case_number>/violations", methods=["POST"])
@blp.arguments(ViolationIn)
@blp.response(201, ViolationOut)
@blp.doc(security=SECURITY)
def add_violation(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    user, case = _case_for_write(case_number)
    session = db()
    violation = service.add_violation(session, user, case, data)
    profile = service.case_profile(session, case)
    vtype = profile.violation_types[violation.violation_type]
    first = repeats.first_reports(session, [violation]).get(violation.id)
    session.commit()
    return {
        "id": violation.id,
        "violation_type": violation.violation_type,
        "title": vtype["title"],
        "citation": vtype["citation"],
        "description": violation.description,
        "observed_at": violation.observed_at.astimezone(profile.zone),
        "corrected_at": None,
        "correction_method": None,
        "repeat_of": first,
    }


@blp.route("/<case_number>/violations/<int:violation_id>/correct", methods=["POST"])
@blp.arguments(CorrectIn)
@blp.response(200, ViolationOut)
@blp.doc(security=SECURITY)
def correct_violation(data: dict[str, Any], case_number: str, violation_id: int) -> dict[str, Any]:
    user, case = _case_for_write(case_number)
    session = db()
    v = service.correct_violation(
        session, user, case, violation_id, data["corrected_at"], data["method"]
    )
    profile = service.case_profile(session, case)
    vtype = profile.violation_types.get(v.violation_type, {})
    first = repeats.first_reports(session, [v]).get(v.id)
    session.commit()
    return {
        "id": v.id,
        "violation_type": v.violation_type,
        "title": vtype.get("title", ""),
        "citation": vtype.get("citation", ""),
        "description": v.description,
        "observed_at": v.observed_at.astimezone(profile.zone),
        "corrected_at": v.corrected_at.astimezone(profile.zone) if v.corrected_at else None,
        "correction_method": v.correction_method,
        "repeat_of": first,
    }


@blp.route("/<case_number>/inspections", methods=["POST"])
@blp.arguments(InspectionIn)
@blp.response(201, CreatedOut)
@blp.doc(security=SECURITY)
def add_inspection(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    user, case = _case_for_write(case_number)
    session = db()
    inspection = service.add_inspection(session, user, case, data)
    session.commit()
    return {"id": inspection.id}


@blp.route("/<case_number>/location", methods=["PUT"])
@blp.arguments(LocationIn)
@blp.response(200, PropertyOut)
@blp.doc(security=SECURITY)
def set_location(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """Where the case's property is (latitude, longitude) and its parcel outline, for the
    location map in the case file (Tom Bean VI.B.2); null latitude clears them."""
    user, case = _case_for_write(case_number)
    session = db()
    prop = location.set_location(session, user, case, data)
    session.commit()
    return property_dict(prop)
