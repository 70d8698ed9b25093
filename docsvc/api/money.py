"""The case ledger, vouchers and liens (staff)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_smorest import Blueprint
from sqlalchemy import select

from docsvc.api import schemas
from docsvc.cases import service as cases
from docsvc.errors import NotFound
from docsvc.models import Appeal, Case, LedgerEntry, Lien, Voucher
from docsvc.money import appeals, citations, ledger, liens, vouchers
from docsvc.timeutil import utcnow
from docsvc.web.context import api_user, db, require

blp = Blueprint("money", __name__, description="Penalties, costs, payments, vouchers, liens")
SECURITY = [{"bearerAuth": []}]


def _money(value: Any) -> str:
    return f"{value:.2f}"


def ledger_view(case: Case, as_of: date | None) -> dict[str, Any]:
    session = db()
    as_of = as_of or utcnow().astimezone(cases.case_profile(session, case).zone).date()
    rows = ledger.entries(session, case)
    b = ledger.balances(rows, as_of)
    return {
        "case_number": case.case_number,
        "as_of": as_of,
        "entries": [_entry(r, as_of) for r in rows],
        "balances": b.as_dict(),
        "lien_due": ledger.lien_due(ledger.lien_rule(session, case), b, as_of),
        "liens": [
            _lien(x)
            for x in session.scalars(select(Lien).where(Lien.case_id == case.id).order_by(Lien.id))
        ],
        "vouchers": [
            _voucher(v) for v in session.scalars(select(Voucher).where(Voucher.case_id == case.id))
        ],
    }


def _entry(e: LedgerEntry, as_of: date) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "amount": _money(e.amount),
        "accrued": _money(ledger.accrued(e, as_of)),
        "assessed_on": e.assessed_on,
        "ends_on": e.ends_on,
        "applies_to": e.applies_to,
        "note": e.note,
    }


def _voucher(v: Voucher) -> dict[str, Any]:
    return {
        "id": v.id,
        "amount": _money(v.amount),
        "issued_on": v.issued_on,
        "approved_by": v.approved_by,
        "purpose": v.purpose,
    }


def _lien(x: Lien) -> dict[str, Any]:
    return {
        "id": x.id,
        "amount": _money(x.amount),
        "status": x.status,
        "recorded_on": x.recorded_on,
        "recording_number": x.recording_number,
        "satisfied_on": x.satisfied_on,
        "released_on": x.released_on,
    }


@blp.route("/api/cases/<case_number>/ledger", methods=["GET"])
@blp.arguments(schemas.LedgerQuery, location="query")
@blp.response(200, schemas.LedgerOut)
@blp.doc(security=SECURITY)
def get_ledger(query: dict[str, Any], case_number: str):  # type: ignore[no-untyped-def]
    """Entries, balances and whether a lien is due, as of a date (default: today, local)."""
    user = require(api_user(), "cases.read")
    return ledger_view(cases.get_case(db(), user, case_number), query.get("as_of"))


@blp.route("/api/cases/<case_number>/ledger", methods=["POST"])
@blp.arguments(schemas.LedgerEntryIn)
@blp.response(201, schemas.LedgerEntryOut)
@blp.doc(security=SECURITY)
def add_entry(data: dict[str, Any], case_number: str):  # type: ignore[no-untyped-def]
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    entry = ledger.add_entry(session, user, case, data)
    session.commit()
    return _entry(entry, entry.ends_on or entry.assessed_on)


@blp.route("/api/cases/<case_number>/vouchers", methods=["POST"])
@blp.arguments(schemas.VoucherIn)
@blp.response(201, schemas.VoucherOut)
@blp.doc(security=SECURITY)
def add_voucher(data: dict[str, Any], case_number: str):  # type: ignore[no-untyped-def]
    """Refused with the reason beyond the profile's limits (Jefferson Rule 7(b))."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    v = vouchers.issue_voucher(session, user, case, data)
    session.commit()
    return _voucher(v)


@blp.route("/api/cases/<case_number>/liens", methods=["POST"])
@blp.arguments(schemas.LienIn)
@blp.response(201, schemas.LienOut)
@blp.doc(security=SECURITY)
def record_lien(data: dict[str, Any], case_number: str):  # type: ignore[no-untyped-def]
    """Record a lien once it is due (409 with the due date before then)."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    lien = liens.record(session, user, case, data)
    session.commit()
    return _lien(lien)


def _transition(lien_id: int, to: str, on: date):  # type: ignore[no-untyped-def]
    user = require(api_user(), "cases.write")
    session = db()
    lien = session.get(Lien, lien_id)
    case = session.get(Case, lien.case_id) if lien else None
    if lien is None or case is None or not user.may_see_jurisdiction(case.jurisdiction_code):
        raise NotFound(f"no lien {lien_id} that you can see.")
    liens.advance(session, user, lien, to, on)
    session.commit()
    return _lien(lien)


@blp.route("/api/liens/<int:lien_id>/satisfy", methods=["POST"])
@blp.arguments(schemas.LienSatisfyIn)
@blp.response(200, schemas.LienOut)
@blp.doc(security=SECURITY)
def satisfy_lien(data: dict[str, Any], lien_id: int):  # type: ignore[no-untyped-def]
    return _transition(lien_id, "satisfied", data["satisfied_on"])


@blp.route("/api/liens/<int:lien_id>/release", methods=["POST"])
@blp.arguments(schemas.LienReleaseIn)
@blp.response(200, schemas.LienOut)
@blp.doc(security=SECURITY)
def release_lien(data: dict[str, Any], lien_id: int):  # type: ignore[no-untyped-def]
    return _transition(lien_id, "released", data["released_on"])


@blp.route("/api/cases/<case_number>/citations", methods=["POST"])
@blp.arguments(schemas.CitationIn)
@blp.response(201, schemas.CitationOut)
@blp.doc(security=SECURITY)
def add_citation(data: dict[str, Any], case_number: str):  # type: ignore[no-untyped-def]
    """Only after a field investigation verified the violation; says when the attorney
    referral falls due (the third citation for the same infraction)."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    c, referral = citations.issue(session, user, case, data)
    session.commit()
    return {
        "id": c.id,
        "number": c.number,
        "infraction": c.infraction,
        "fine": _money(c.fine),
        "issued_on": c.issued_on,
        "court": c.court,
        "hearing_on": c.hearing_on,
        "outcome": c.outcome,
        "party_id": c.party_id,
        "referral": referral,
    }


def _appeal(a: Appeal) -> dict[str, Any]:
    return {
        k: getattr(a, k)
        for k in (
            "id",
            "document_id",
            "citation_id",
            "appellant_party_id",
            "filed_on",
            "grounds",
            "hearing_on",
            "hearing_body",
            "decision",
            "decided_on",
            "appeals_exhausted_on",
        )
    }


@blp.route("/api/cases/<case_number>/appeals", methods=["POST"])
@blp.arguments(schemas.AppealIn)
@blp.response(201, schemas.AppealOut)
@blp.doc(security=SECURITY)
def file_appeal(data: dict[str, Any], case_number: str):  # type: ignore[no-untyped-def]
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    a = appeals.file(session, user, case, data)
    session.commit()
    return _appeal(a)


@blp.route("/api/cases/<case_number>/appeals", methods=["GET"])
@blp.response(200, schemas.AppealOut(many=True))
@blp.doc(security=SECURITY)
def list_appeals(case_number: str):  # type: ignore[no-untyped-def]
    user = require(api_user(), "cases.read")
    case = cases.get_case(db(), user, case_number)
    return [
        _appeal(a)
        for a in db().scalars(select(Appeal).where(Appeal.case_id == case.id).order_by(Appeal.id))
    ]


def _appeal_step(appeal_id: int, step: Any, data: dict[str, Any]):  # type: ignore[no-untyped-def]
    user = require(api_user(), "cases.write")
    session = db()
    appeal = session.get(Appeal, appeal_id)
    case = session.get(Case, appeal.case_id) if appeal else None
    if appeal is None or case is None or not user.may_see_jurisdiction(case.jurisdiction_code):
        raise NotFound(f"no appeal {appeal_id} that you can see.")
    step(session, user, appeal, data)
    session.commit()
    return _appeal(appeal)


@blp.route("/api/appeals/<int:appeal_id>/hearing", methods=["POST"])
@blp.arguments(schemas.HearingIn)
@blp.response(200, schemas.AppealOut)
@blp.doc(security=SECURITY)
def appeal_hearing(data: dict[str, Any], appeal_id: int):  # type: ignore[no-untyped-def]
    return _appeal_step(appeal_id, appeals.set_hearing, data)


@blp.route("/api/appeals/<int:appeal_id>/decision", methods=["POST"])
@blp.arguments(schemas.DecisionIn)
@blp.response(200, schemas.AppealOut)
@blp.doc(security=SECURITY)
def appeal_decision(data: dict[str, Any], appeal_id: int):  # type: ignore[no-untyped-def]
    """Decided after the hearing; a final decision records when appeals were exhausted."""
    return _appeal_step(appeal_id, appeals.decide, data)
