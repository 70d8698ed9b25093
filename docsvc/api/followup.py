"""Clocks and the due list, referrals to the attorney, permits (staff)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from docsvc.cases import service as cases
from docsvc.cases.schemas import AggravatingIn
from docsvc.followup import permits, referrals
from docsvc.followup.clocks import clocks_view, due_for
from docsvc.followup.contact import record_contact
from docsvc.followup.schemas import (
    ClocksOut,
    ContactIn,
    DueOut,
    DueQuery,
    ImminentThreatIn,
    PermitActionIn,
    PermitActionOut,
    PermitIn,
    PermitOut,
    PermitUpdateIn,
    ReferralIn,
    ReferralOut,
    ViolationThreatOut,
)
from docsvc.timeutil import utcnow
from docsvc.web.context import api_user, db, require

blp = Blueprint("followup", __name__, description="Clocks, the due list (staff)")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


@blp.route("/api/cases/<case_number>/clocks", methods=["GET"])
@blp.response(200, ClocksOut)
@blp.doc(security=SECURITY)
def clocks(case_number: str) -> dict[str, Any]:
    """Each clock of the case: met (on time or late), due or overdue."""
    user = require(api_user(), "cases.read")
    session = db()
    return clocks_view(session, cases.get_case(session, user, case_number))


@blp.route("/api/cases/<case_number>/aggravating", methods=["PUT"])
@blp.arguments(AggravatingIn)
@blp.response(200, ClocksOut)
@blp.doc(security=SECURITY)
def aggravating(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """The aggravating circumstances found (Tom Bean III.E, Los Gatos II.a.iv): any one moves
    a non-priority case to priority status. An empty list clears them."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    cases.set_aggravating(session, user, case, data["circumstances"])
    session.commit()
    return clocks_view(session, case)


@blp.route("/api/due", methods=["GET"])
@blp.arguments(DueQuery, location="query")
@blp.response(200, DueOut)
@blp.doc(security=SECURITY)
def due(query: dict[str, Any]) -> dict[str, Any]:
    """What is due or overdue on open cases, by priority rank, then date."""
    user = require(api_user(), "cases.read")
    now = utcnow()
    return {"as_of": now, "items": due_for(db(), user, now, query.get("jurisdiction"))}


@blp.route("/api/cases/<case_number>/complainant-contact", methods=["POST"])
@blp.arguments(ContactIn)
@blp.response(200, ClocksOut)
@blp.doc(security=SECURITY)
def complainant_contact(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """Record that the complainant was contacted (Los Gatos III.b.i): when, and optionally how
    (phone, email, in_person, letter, voicemail), who made the contact (default: you) and a
    note. It meets the "Contact the complainant" clock; nothing of the complainant is shown."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    record_contact(session, user, case, data)
    session.commit()
    return clocks_view(session, case)


@blp.route(
    "/api/cases/<case_number>/violations/<int:violation_id>/imminent-threat", methods=["PUT"]
)
@blp.arguments(ImminentThreatIn)
@blp.response(200, ViolationThreatOut)
@blp.doc(security=SECURITY)
def imminent_threat(data: dict[str, Any], case_number: str, violation_id: int) -> dict[str, Any]:
    """Flag a violation as an imminent threat to health, safety or the environment (or clear
    the flag). Where the policy has the rule (Tom Bean XIII.A.1), a referral clock starts."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    v = referrals.flag_imminent_threat(session, user, case, violation_id, data)
    zone = cases.case_profile(session, case).zone
    session.commit()
    return {
        "id": v.id,
        "imminent_threat": v.imminent_threat,
        "imminent_threat_at": v.imminent_threat_at.astimezone(zone)
        if v.imminent_threat_at
        else None,
        "imminent_threat_note": referrals.masked(session, case, v.imminent_threat_note),
    }


@blp.route("/api/cases/<case_number>/referrals", methods=["GET"])
@blp.response(200, ReferralOut(many=True))
@blp.doc(security=SECURITY)
def list_referrals(case_number: str) -> list[dict[str, Any]]:
    """The case's referrals to the attorney, oldest first."""
    user = require(api_user(), "cases.read")
    session = db()
    case = cases.get_case(session, user, case_number)
    return [
        referrals.present_referral(session, case, r)
        for r in referrals.case_referrals(session, case)
    ]


@blp.route("/api/cases/<case_number>/referrals", methods=["POST"])
@blp.arguments(ReferralIn)
@blp.response(201, ReferralOut)
@blp.doc(security=SECURITY)
def add_referral(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """Record that the case was referred to the attorney (Tom Bean XIII.A): for repeated
    citations or an imminent threat, as the policy provides. Meets the referral clock."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    made = referrals.record_referral(session, user, case, data)
    session.commit()
    return referrals.present_referral(session, case, made)


@blp.route("/api/cases/<case_number>/permits", methods=["GET"])
@blp.response(200, PermitOut(many=True))
@blp.doc(security=SECURITY)
def list_permits(case_number: str) -> list[dict[str, Any]]:
    """The permits the case's violations need, with their time frames."""
    user = require(api_user(), "cases.read")
    session = db()
    case = cases.get_case(session, user, case_number)
    return [permits.present_permit(session, case, p) for p in permits.case_permits(session, case)]


@blp.route("/api/cases/<case_number>/permits", methods=["POST"])
@blp.arguments(PermitIn)
@blp.response(201, PermitOut)
@blp.doc(security=SECURITY)
def add_permit(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """A permit a violation needs (Los Gatos VII.a.vi), with the dates to apply for it and to
    obtain it: two clocks on the case."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    permit = permits.add_permit(session, user, case, data)
    session.commit()
    return permits.present_permit(session, case, permit)


@blp.route("/api/cases/<case_number>/permits/<int:permit_id>", methods=["PATCH"])
@blp.arguments(PermitUpdateIn)
@blp.response(200, PermitOut)
@blp.doc(security=SECURITY)
def update_permit(data: dict[str, Any], case_number: str, permit_id: int) -> dict[str, Any]:
    """Record the application (applied_on) or the permit obtained (obtained_on,
    permit_number), or set a new time frame."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    permit = permits.update_permit(session, user, case, permit_id, data)
    session.commit()
    return permits.present_permit(session, case, permit)


@blp.route("/api/cases/<case_number>/permit-actions", methods=["GET"])
@blp.response(200, PermitActionOut(many=True))
@blp.doc(security=SECURITY)
def list_permit_actions(case_number: str) -> list[dict[str, Any]]:
    """Permits withheld, suspended or revoked on the case."""
    user = require(api_user(), "cases.read")
    session = db()
    case = cases.get_case(session, user, case_number)
    profile = cases.case_profile(session, case)
    return [
        permits.present_action(session, case, a, profile)
        for a in permits.case_permit_actions(session, case)
    ]


@blp.route("/api/cases/<case_number>/permit-actions", methods=["POST"])
@blp.arguments(PermitActionIn)
@blp.response(201, PermitActionOut)
@blp.doc(security=SECURITY)
def add_permit_action(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """A permit withheld, suspended or revoked, as the policy provides (Los Gatos III.b.ix-x,
    Tom Bean IV.B.3-4, X.B), with the authority it was taken under."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    action = permits.record_action(session, user, case, data)
    profile = cases.case_profile(session, case)
    session.commit()
    return permits.present_action(session, case, action, profile)
