"""Pages for the due list, a case's ledger (with its entry and settlement forms) and the
annual reports."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import Schema

from docsvc.cases import service as cases
from docsvc.errors import DocsvcError
from docsvc.followup.clocks import due_for
from docsvc.followup.contact import record_contact
from docsvc.followup.schemas import ContactIn
from docsvc.models.money import APPLIES_TO, LEDGER_KINDS
from docsvc.money import fund, ledger, settlements
from docsvc.money.ledger import ledger_view
from docsvc.money.schemas import FUND_RECORDED_KINDS, FundEntryIn, LedgerEntryIn, SettlementIn
from docsvc.reports import catalog, render
from docsvc.reports.schemas import ReportQuery
from docsvc.timeutil import utcnow
from docsvc.ui.base import Act, case_action, form_step, staff, visible_jurisdictions
from docsvc.ui.forms import SPECS, Field, Spec, load, local_to_iso, pick, register
from docsvc.web.context import db
from docsvc.web.files import report_response

bp = Blueprint("followup", __name__)

ENTRY_FIELDS = ("kind", "amount", "assessed_on", "ends_on", "applies_to", "note")
ENTRY = register(
    "entry",
    Spec(
        (
            Field("kind", "Kind", "choice"),
            Field(
                "amount", "Amount", "amount", hint="In dollars; the daily rate for a daily penalty."
            ),
            Field("assessed_on", "Date", "date"),
            Field("ends_on", "Last day", "date", hint="A daily penalty's last day."),
            Field("applies_to", "Pays", "choice", hint="What a payment or cancellation is for."),
            Field("note", "Note"),
        ),
        LedgerEntryIn,
    ),
)
SETTLEMENT = register(
    "settlement",
    Spec(
        (
            Field("entered_on", "Entered on", "date"),
            Field("approved_by", "Approved by"),
            Field("pay_amount", "To pay ($)", "amount"),
            Field("pay_by", "Pay by", "date"),
            Field("deferred_amount", "To defer ($)", "amount"),
            Field("deferred_until", "Deferred until", "date"),
            Field("cancel_amount", "To cancel on sustained compliance ($)", "amount"),
            Field("compliance_through", "Compliance through", "date"),
            Field("note", "Note"),
            # One input per factor the profile lists (factor-<code>); a message on any of
            # them (factors.<code>) is shown above them all.
            Field("factors", "Factors weighed", required=False),
        ),
        SettlementIn,
    ),
)
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
def due() -> str:
    user = staff()
    return render_template("due.html", items=due_for(db(), user, utcnow()))


def _ledger_page(case_number: str, status: int = 200) -> tuple[str, int]:
    user = staff()
    case = cases.get_case(db(), user, case_number)
    return render_template(
        "ledger.html",
        ledger=ledger_view(db(), case, None),
        kinds=LEDGER_KINDS,
        applies_to=APPLIES_TO,
    ), status


@bp.route("/cases/<case_number>/ledger")
def case_ledger(case_number: str) -> tuple[str, int]:
    return _ledger_page(case_number)


def _settlement_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The settlement's fields, with the findings typed on each factor (factor-<code>)."""
    data: dict[str, Any] = pick(form, *SETTLEMENT_FIELDS)
    found = {
        name.removeprefix("factor-"): value.strip()
        for name, value in form.items()
        if name.startswith("factor-") and value.strip()
    }
    if found:
        data["factors"] = found
    return data


def _ledger_action(
    case_number: str,
    schema: Schema,
    names: tuple[str, ...],
    act: Act,
    done: str,
    form: str,
    build: Callable[[Mapping[str, str]], dict[str, Any]] | None = None,
) -> ResponseReturnValue:
    return case_action(
        case_number,
        schema,
        lambda f, _zone: build(f) if build is not None else pick(f, *names),
        act,
        done,
        form=form,
        spec=SPECS[form],
        page="ui.followup.case_ledger",
        reshow=_ledger_page,
    )


@bp.route("/cases/<case_number>/ledger", methods=["POST"])
def add_ledger_entry(case_number: str) -> ResponseReturnValue:
    return _ledger_action(
        case_number,
        LedgerEntryIn(),
        ENTRY_FIELDS,
        ledger.add_entry,
        "Entry added.",
        "entry",
    )


@bp.route("/cases/<case_number>/settlements", methods=["POST"])
def enter_settlement(case_number: str) -> ResponseReturnValue:
    return _ledger_action(
        case_number,
        SettlementIn(),
        SETTLEMENT_FIELDS,
        settlements.enter,
        "Settlement entered.",
        "settlement",
        _settlement_form,
    )


FUND_FIELDS = ("kind", "amount", "entry_on", "description", "approved_by", "case_number")
FUND = register(
    "fund",
    Spec(
        (
            Field("kind", "What", "choice"),
            Field("amount", "Amount ($)", "amount", hint="Only an adjustment may be negative."),
            Field("entry_on", "Date", "date"),
            Field("description", "Description"),
            Field(
                "approved_by",
                "Approved by",
                hint="The director or designee who approved a use of the fund.",
            ),
            Field("case_number", "Case", hint="The case it was for, if any."),
        ),
        FundEntryIn,
    ),
)


def _fund_page(code: str, errors: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    user = staff()
    return render_template(
        "fund.html",
        fund=fund.fund_view(db(), user, code, None, None),
        kinds=FUND_RECORDED_KINDS,
        errors=errors or [],
    ), status


@bp.route("/jurisdictions/<code>/fund")
def fund_page(code: str) -> tuple[str, int]:
    """The enforcement fund: its entries and balance, and a form to record a deposit, an
    abatement paid from it or an adjustment (Jefferson County Rule 6)."""
    return _fund_page(code)


@bp.route("/jurisdictions/<code>/fund", methods=["POST"])
def add_fund_entry(code: str) -> ResponseReturnValue:
    staff("cases.write")
    data, errors = load(FundEntryIn(), pick(request.form, *FUND_FIELDS), "fund", FUND)
    if data is None:
        return _fund_page(code, errors, 422)
    return form_step(
        "cases.write",
        lambda s, u: fund.record(s, u, code, data),
        "Recorded in the fund.",
        url_for("ui.followup.fund_page", code=code),
        lambda errs, st: _fund_page(code, errs, st),
        form=("fund", FUND),
    )


@bp.route("/reports")
def reports() -> ResponseReturnValue:
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


CONTACT = register(
    "contact",
    Spec(
        (
            Field("contacted_at", "When", "datetime", required=True),
            Field("method", "How", "choice"),
            Field("contacted_by", "Contacted by", hint="Who made the contact; you, if left empty."),
            Field(
                "note",
                "Note",
                hint="What was said or agreed. Their name and number stay in the complaint.",
            ),
        ),
        ContactIn,
    ),
)


@bp.route("/cases/<case_number>/complainant-contact", methods=["POST"])
def complainant_contact(case_number: str) -> ResponseReturnValue:
    """Record that the complainant was contacted: meets the "Contact the complainant" clock.
    Nothing of the complainant is shown to record it."""
    return case_action(
        case_number,
        ContactIn(),
        lambda f, z: {
            "contacted_at": local_to_iso(f.get("contacted_at", ""), z),
            **pick(f, "method", "contacted_by", "note"),
        },
        record_contact,
        "Contact with the complainant recorded.",
        form="contact",
        spec=CONTACT,
        anchor="#clocks",
    )
