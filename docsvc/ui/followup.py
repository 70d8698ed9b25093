"""Pages for the due list, a case's ledger (with its entry and settlement forms) and the
annual reports."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from sqlalchemy import select

from docsvc.api import schemas
from docsvc.api.money import ledger_view
from docsvc.api.reports import ReportQuery, report_response
from docsvc.cases import service as cases
from docsvc.errors import DocsvcError
from docsvc.followup.clocks import due_list
from docsvc.models import Jurisdiction
from docsvc.models.money import APPLIES_TO, LEDGER_KINDS
from docsvc.money import ledger, settlements
from docsvc.profiles.loader import profile_of
from docsvc.reports import catalog, render
from docsvc.timeutil import utcnow
from docsvc.ui.forms import load, pick
from docsvc.ui.views import bp, case_action, staff, visible_jurisdictions
from docsvc.web.context import db

ENTRY_FIELDS = ("kind", "amount", "assessed_on", "ends_on", "applies_to", "note")
SETTLEMENT_FIELDS = (
    "entered_on",
    "approved_by",
    "pay_amount",
    "pay_by",
    "deferred_amount",
    "deferred_until",
    "cancel_amount",
    "compliance_through",
    "note",
)


@bp.route("/due")
def due():  # type: ignore[no-untyped-def]
    user = staff()
    s = db()
    profiles = {j.code: profile_of(j) for j in s.scalars(select(Jurisdiction))}
    items = due_list(s, profiles, utcnow(), user.jurisdictions)
    return render_template("due.html", items=items)


def _ledger_page(case_number: str, errors: list[str] | None = None, status: int = 200):  # type: ignore[no-untyped-def]
    user = staff()
    case = cases.get_case(db(), user, case_number)
    return render_template(
        "ledger.html",
        ledger=ledger_view(case, None),
        kinds=LEDGER_KINDS,
        applies_to=APPLIES_TO,
        form=request.form if errors else {},
        errors=errors or [],
    ), status


@bp.route("/cases/<case_number>/ledger")
def case_ledger(case_number: str):  # type: ignore[no-untyped-def]
    return _ledger_page(case_number)


def _ledger_action(case_number: str, schema: Any, names: tuple[str, ...], act: Any, done: str):  # type: ignore[no-untyped-def]
    return case_action(
        case_number,
        schema,
        lambda form, _zone: pick(form, *names),
        act,
        done,
        page="ui.case_ledger",
        reshow=lambda n, errors: _ledger_page(n, errors, 422),
    )


@bp.route("/cases/<case_number>/ledger", methods=["POST"])
def add_ledger_entry(case_number: str):  # type: ignore[no-untyped-def]
    return _ledger_action(
        case_number, schemas.LedgerEntryIn(), ENTRY_FIELDS, ledger.add_entry, "Entry added."
    )


@bp.route("/cases/<case_number>/settlements", methods=["POST"])
def enter_settlement(case_number: str):  # type: ignore[no-untyped-def]
    return _ledger_action(
        case_number,
        schemas.SettlementIn(),
        SETTLEMENT_FIELDS,
        settlements.enter,
        "Settlement entered.",
    )


@bp.route("/reports")
def reports():  # type: ignore[no-untyped-def]
    """Choose a report; shown as tables here, with CSV and PDF to download."""
    user = staff("reports")
    visible = visible_jurisdictions(user)
    name = request.args.get("name", "workload")
    code = request.args.get("jurisdiction", visible[0].code if visible else "")
    year_text = request.args.get("year", str(utcnow().year))
    fmt = request.args.get("format", "html")
    errors: list[str] = []
    status = 200
    report = None
    if request.args:  # a first visit shows the form only
        query, errors = load(
            ReportQuery(),
            {"jurisdiction": code, "year": year_text, "format": "json" if fmt == "html" else fmt},
        )
        try:
            if query is not None and fmt != "html":
                return report_response(user, name, code, query["year"], query["format"])
            if query is not None:
                report = report_response(user, name, code, query["year"], "json")
        except DocsvcError as exc:
            errors, status = [exc.message], exc.status
        if errors and status == 200:
            status = 422
    return render_template(
        "reports.html",
        reports=catalog.REPORTS,
        jurisdictions=visible,
        chosen={"name": name, "jurisdiction": code, "year": year_text},
        report=report,
        errors=errors,
        cell=render.cell,
    ), status
