"""The case ledger, settlements, vouchers, liens, citations and appeals (staff)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from flask_smorest import Blueprint
from sqlalchemy.orm import Session

from docsvc.auth.scope import of_a_case
from docsvc.cases import service as cases
from docsvc.identity.mask import masker
from docsvc.models import Appeal, Case, Citation, Lien, Settlement, User
from docsvc.money import appeals, citations, fund, ledger, liens, settlements, vouchers
from docsvc.money.ledger import _entry, _lien, _money, _settlement, _voucher, ledger_view
from docsvc.money.schemas import (
    AppealIn,
    AppealOut,
    CitationIn,
    CitationOut,
    CitationOutcomeIn,
    DecisionIn,
    FundEntryIn,
    FundEntryOut,
    FundOut,
    FundQuery,
    HearingIn,
    LedgerEntryIn,
    LedgerEntryOut,
    LedgerOut,
    LedgerQuery,
    LienIn,
    LienOut,
    LienReleaseIn,
    LienSatisfyIn,
    SettlementIn,
    SettlementOut,
    SettlementStepIn,
    VoucherIn,
    VoucherOut,
)
from docsvc.web.context import api_user, db, require

blp = Blueprint("money", __name__, description="Penalties, costs, payments, vouchers, liens")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
W = TypeVar("W")  # the row a write produced, handed to its presenter
Masked = Callable[[str | None], str | None]


def _on_case(
    case_number: str,
    act: Callable[[Session, User, Case], W],
    present: Callable[[W, Masked], dict[str, Any]],
) -> dict[str, Any]:
    """A write to one case: lock it, act, commit, present what was written (with the case's
    masker, for the text typed on it)."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    row = act(session, user, case)
    session.commit()
    return present(row, masker(session, case))


def _no_text(present: Callable[[W], dict[str, Any]]) -> Callable[[W, Masked], dict[str, Any]]:
    """A presenter that masks nothing (a lien holds no text typed about anyone; an appeal's
    grounds are not masked yet)."""
    return lambda row, _masked: present(row)


@blp.route("/api/cases/<case_number>/ledger", methods=["GET"])
@blp.arguments(LedgerQuery, location="query")
@blp.response(200, LedgerOut)
@blp.doc(security=SECURITY)
def get_ledger(query: dict[str, Any], case_number: str) -> dict[str, Any]:
    """Entries, balances and whether a lien is due, as of a date (default: today, local)."""
    user = require(api_user(), "cases.read")
    return ledger_view(db(), cases.get_case(db(), user, case_number), query.get("as_of"))


@blp.route("/api/cases/<case_number>/ledger", methods=["POST"])
@blp.arguments(LedgerEntryIn)
@blp.response(201, LedgerEntryOut)
@blp.doc(security=SECURITY)
def add_entry(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    return _on_case(
        case_number,
        lambda s, u, c: ledger.add_entry(s, u, c, data),
        lambda e, masked: _entry(e, e.ends_on or e.assessed_on, masked),
    )


@blp.route("/api/cases/<case_number>/vouchers", methods=["POST"])
@blp.arguments(VoucherIn)
@blp.response(201, VoucherOut)
@blp.doc(security=SECURITY)
def add_voucher(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """Refused with the reason beyond the profile's limits (Jefferson Rule 7(b))."""
    return _on_case(case_number, lambda s, u, c: vouchers.issue_voucher(s, u, c, data), _voucher)


@blp.route("/api/jurisdictions/<code>/fund", methods=["GET"])
@blp.arguments(FundQuery, location="query")
@blp.response(200, FundOut)
@blp.doc(security=SECURITY)
def get_fund(query: dict[str, Any], code: str) -> dict[str, Any]:
    """The enforcement fund's entries and balance (opening, in, out, closing) over a period
    (default: all of it, to today); 422 where the profile keeps no fund (Jefferson Rule 6)."""
    user = require(api_user(), "cases.read")
    return fund.fund_view(db(), user, code, query.get("from_"), query.get("to"))


@blp.route("/api/jurisdictions/<code>/fund", methods=["POST"])
@blp.arguments(FundEntryIn)
@blp.response(201, FundEntryOut)
@blp.doc(security=SECURITY)
def add_fund_entry(data: dict[str, Any], code: str) -> dict[str, Any]:
    """A deposit, an abatement paid from the fund or an adjustment, naming the director who
    approved a use; 409 if it would take the balance below zero."""
    user = require(api_user(), "cases.write")
    entry = fund.record(db(), user, code, data)
    db().commit()
    return fund.present(entry, fund.maskers(db())(entry.case_number))


@blp.route("/api/cases/<case_number>/liens", methods=["POST"])
@blp.arguments(LienIn)
@blp.response(201, LienOut)
@blp.doc(security=SECURITY)
def record_lien(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """Record a lien once it is due (409 with the due date before then)."""
    return _on_case(case_number, lambda s, u, c: liens.record(s, u, c, data), _no_text(_lien))


def _transition(lien_id: int, to: str, on: date) -> dict[str, Any]:
    user = require(api_user(), "cases.write")
    session = db()
    lien = of_a_case(db(), user, Lien, lien_id, f"no lien {lien_id} that you can see.")[0]
    liens.advance(session, user, lien, to, on)
    session.commit()
    return _lien(lien)


@blp.route("/api/liens/<int:lien_id>/satisfy", methods=["POST"])
@blp.arguments(LienSatisfyIn)
@blp.response(200, LienOut)
@blp.doc(security=SECURITY)
def satisfy_lien(data: dict[str, Any], lien_id: int) -> dict[str, Any]:
    return _transition(lien_id, "satisfied", data["satisfied_on"])


@blp.route("/api/liens/<int:lien_id>/release", methods=["POST"])
@blp.arguments(LienReleaseIn)
@blp.response(200, LienOut)
@blp.doc(security=SECURITY)
def release_lien(data: dict[str, Any], lien_id: int) -> dict[str, Any]:
    return _transition(lien_id, "released", data["released_on"])


@blp.route("/api/cases/<case_number>/citations", methods=["POST"])
@blp.arguments(CitationIn)
@blp.response(201, CitationOut)
@blp.doc(security=SECURITY)
def add_citation(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """Only after a field investigation verified the violation; says when the attorney
    referral falls due (the third citation for the same infraction)."""
    return _on_case(
        case_number,
        lambda s, u, c: citations.issue(s, u, c, data),
        lambda issued, masked: _citation(issued[0], masked, issued[1]),
    )


def _citation(
    c: Citation, masked: Masked, referral: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A citation; the court, as typed, masked."""
    return {
        "id": c.id,
        "number": c.number,
        "infraction": c.infraction,
        "fine": _money(c.fine),
        "issued_on": c.issued_on,
        "court": masked(c.court),
        "hearing_on": c.hearing_on,
        "outcome": c.outcome,
        "outcome_on": c.outcome_on,
        "fine_imposed": None if c.fine_imposed is None else _money(c.fine_imposed),
        "party_id": c.party_id,
        "referral": referral,
    }


@blp.route("/api/cases/<case_number>/citations", methods=["GET"])
@blp.response(200, CitationOut(many=True))
@blp.doc(security=SECURITY)
def list_citations(case_number: str) -> list[dict[str, Any]]:
    user = require(api_user(), "cases.read")
    case = cases.get_case(db(), user, case_number)
    masked = masker(db(), case)
    return [_citation(c, masked) for c in citations.case_citations(db(), case)]


@blp.route("/api/citations/<int:citation_id>/outcome", methods=["POST"])
@blp.arguments(CitationOutcomeIn)
@blp.response(200, CitationOut)
@blp.doc(security=SECURITY)
def citation_outcome(data: dict[str, Any], citation_id: int) -> dict[str, Any]:
    """The court's or hearing officer's outcome: paid, convicted, reduced (with the fine
    imposed), dismissed or deferred."""
    user = require(api_user(), "cases.write")
    c, case = of_a_case(
        db(), user, Citation, citation_id, f"no citation {citation_id} that you can see."
    )
    citations.record_outcome(db(), user, c, data)
    db().commit()
    return _citation(c, masker(db(), case))


@blp.route("/api/cases/<case_number>/settlements", methods=["POST"])
@blp.arguments(SettlementIn)
@blp.response(201, SettlementOut)
@blp.doc(security=SECURITY)
def enter_settlement(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """Settle the penalties due: the parts paid, deferred (within the profile's limit) and
    cancelled on sustained compliance must add up to them exactly; costs are never settled."""
    return _on_case(case_number, lambda s, u, c: settlements.enter(s, u, c, data), _settlement)


def _settlement_step(
    settlement_id: int, step: Callable[[Session, User, Settlement, date], Settlement], on: date
) -> dict[str, Any]:
    user = require(api_user(), "cases.write")
    x, case = of_a_case(
        db(), user, Settlement, settlement_id, f"no settlement {settlement_id} that you can see."
    )
    step(db(), user, x, on)
    db().commit()
    return _settlement(x, masker(db(), case))


@blp.route("/api/settlements/<int:settlement_id>/complete", methods=["POST"])
@blp.arguments(SettlementStepIn)
@blp.response(200, SettlementOut)
@blp.doc(security=SECURITY)
def complete_settlement(data: dict[str, Any], settlement_id: int) -> dict[str, Any]:
    """Compliance sustained through the agreed date: the cancellation posts to the ledger."""
    return _settlement_step(settlement_id, settlements.complete, data["on"])


@blp.route("/api/settlements/<int:settlement_id>/breach", methods=["POST"])
@blp.arguments(SettlementStepIn)
@blp.response(200, SettlementOut)
@blp.doc(security=SECURITY)
def breach_settlement(data: dict[str, Any], settlement_id: int) -> dict[str, Any]:
    """Terms broken: every held part falls due from that day."""
    return _settlement_step(settlement_id, settlements.breach, data["on"])


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
@blp.arguments(AppealIn)
@blp.response(201, AppealOut)
@blp.doc(security=SECURITY)
def file_appeal(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    return _on_case(case_number, lambda s, u, c: appeals.file(s, u, c, data), _no_text(_appeal))


@blp.route("/api/cases/<case_number>/appeals", methods=["GET"])
@blp.response(200, AppealOut(many=True))
@blp.doc(security=SECURITY)
def list_appeals(case_number: str) -> list[dict[str, Any]]:
    user = require(api_user(), "cases.read")
    case = cases.get_case(db(), user, case_number)
    return [_appeal(a) for a in appeals.case_appeals(db(), case)]


def _appeal_step(
    appeal_id: int,
    step: Callable[[Session, User, Appeal, dict[str, Any]], Appeal],
    data: dict[str, Any],
) -> dict[str, Any]:
    user = require(api_user(), "cases.write")
    session = db()
    appeal = of_a_case(db(), user, Appeal, appeal_id, f"no appeal {appeal_id} that you can see.")[0]
    step(session, user, appeal, data)
    session.commit()
    return _appeal(appeal)


@blp.route("/api/appeals/<int:appeal_id>/hearing", methods=["POST"])
@blp.arguments(HearingIn)
@blp.response(200, AppealOut)
@blp.doc(security=SECURITY)
def appeal_hearing(data: dict[str, Any], appeal_id: int) -> dict[str, Any]:
    return _appeal_step(appeal_id, appeals.set_hearing, data)


@blp.route("/api/appeals/<int:appeal_id>/decision", methods=["POST"])
@blp.arguments(DecisionIn)
@blp.response(200, AppealOut)
@blp.doc(security=SECURITY)
def appeal_decision(data: dict[str, Any], appeal_id: int) -> dict[str, Any]:
    """Decided after the hearing; a final decision records when appeals were exhausted."""
    return _appeal_step(appeal_id, appeals.decide, data)
