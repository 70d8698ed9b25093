"""Clocks and the due list (staff)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from docsvc.cases import service as cases
from docsvc.cases.schemas import AggravatingIn
from docsvc.followup.clocks import clocks_view, due_for
from docsvc.followup.contact import record_contact
from docsvc.followup.schemas import ClocksOut, ContactIn, DueOut, DueQuery
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
    """Record that the complainant was contacted (Los Gatos IV.b.i): when, and optionally how
    (phone, email, in_person, letter, voicemail), who made the contact (default: you) and a
    note. It meets the "Contact the complainant" clock; nothing of the complainant is shown."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    record_contact(session, user, case, data)
    session.commit()
    return clocks_view(session, case)
