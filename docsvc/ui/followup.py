"""Pages for the due list, a case's ledger (with its entry and settlement forms) and the
annual reports; the case page's forms for contact with the complainant, imminent threats,
referrals to the attorney and permits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, render_template, request, url_for
from flask.typing import ResponseReturnValue
from marshmallow import Schema
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from docsvc.cases import service as cases
from docsvc.errors import DocsvcError
from docsvc.followup import permits, referrals
from docsvc.followup.clocks import due_for
from docsvc.followup.contact import record_contact
from docsvc.followup.schemas import (
    ContactIn,
    ImminentThreatIn,
    PermitActionIn,
    PermitIn,
    PermitUpdateIn,
    ReferralIn,
)
from docsvc.models import Case
from docsvc.models.money import APPLIES_TO, LEDGER_KINDS
from docsvc.money import fund, ledger, settlements
from docsvc.money.ledger import ledger_view
from docsvc.money.schemas import FUND_RECORDED_KINDS, FundEntryIn, LedgerEntryIn, SettlementIn
from docsvc.profiles.loader import profile_of
from docsvc.reports import catalog, render
from docsvc.reports.schemas import ReportQuery
from docsvc.timeutil import utcnow
from docsvc.ui.base import (
    Act,
    case_action,
    form_step,
    in_navigation,
    staff,
    visible_jurisdictions,
    who_may,
)
from docsvc.ui.forms import SPECS, Ask, Field, Spec, load, local_to_iso, pick, register
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
    items = due_for(db(), user, utcnow())
    # A due time is shown in its case's zone, named ('PST'): the list carries only the offset.
    zones = {j.code: profile_of(j).zone for j in visible_jurisdictions(user)}
    numbers = {i["case_number"] for i in items}
    rows = db().execute(
        select(Case.case_number, Case.jurisdiction_code).where(Case.case_number.in_(numbers))
    )
    zone_of = {number: zones.get(code) for number, code in rows}
    return render_template("due.html", items=items, zone_of=zone_of)


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


in_navigation(
    "Fund", "ui.followup.fund_page", lambda p: fund.rule_of(p.data), per_jurisdiction=True
)


def _fund_page(code: str, errors: list[str] | None = None, status: int = 200) -> tuple[str, int]:
    user = staff()
    return render_template(
        "fund.html",
        fund=fund.fund_view(db(), user, code, None, None),
        kinds=FUND_RECORDED_KINDS,
        recorders=who_may("ui.followup.add_fund_entry"),
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
        zones={j.code: profile_of(j).zone for j in visible},
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


# ---- the case page's card: imminent threats, referrals to the attorney, permits ----------------

CARD = "#referrals-permits"  # the case page's section these forms come back to

THREAT = register(
    "threat",
    Spec(
        (
            Field("imminent_threat", "Imminent threat", "check", required=False),
            Field(
                "at",
                "Found to be an imminent threat at",
                "datetime",
                required=False,
                hint="When you found it so; now, if left empty.",
            ),
            Field(
                "note",
                "What makes it an imminent threat",
                hint="To health, to safety or to the environment.",
            ),
        ),
        ImminentThreatIn,
    ),
)


@bp.route("/cases/<case_number>/violations/<int:violation_id>/imminent-threat", methods=["POST"])
def imminent_threat(case_number: str, violation_id: int) -> ResponseReturnValue:
    """Flag a violation as an imminent threat to health, safety or the environment (Tom Bean
    XIII.A.1: the referral clock starts), or clear the flag, after asking."""
    flag = request.form.get("imminent_threat") != "false"

    def build(f: MultiDict[str, str], z: ZoneInfo) -> dict[str, Any]:
        if not flag:
            return {"imminent_threat": False}
        when = pick(f, "at")  # left empty: now
        return {"imminent_threat": True, **pick(f, "note")} | (
            {"at": local_to_iso(when["at"], z)} if when else {}
        )

    return case_action(
        case_number,
        ImminentThreatIn(),
        build,
        lambda s, u, c, d: referrals.flag_imminent_threat(s, u, c, violation_id, d),
        "Flagged as an imminent threat." if flag else "The imminent-threat flag is cleared.",
        form=f"threat-{violation_id}",
        spec=THREAT,
        anchor=CARD,
        # Clearing drops when and why it was flagged (and stops the referral clock): asked.
        confirm=None
        if flag
        else lambda c, _d: Ask(
            f"Clear the imminent-threat flag on this violation of {c.case_number}?",
            "When and why it was flagged are no longer shown on the case, and no referral "
            "to the attorney is due for it. The audit trail keeps that it was flagged.",
            "Clear the flag",
        ),
    )


REFERRAL = register(
    "referral",
    Spec(
        (
            Field("kind", "Referred for", "choice"),
            Field("referred_on", "Referred on", "date"),
            Field("referred_to", "Referred to", hint="Whom the policy names, if left as it is."),
            Field(
                "infraction",
                "Infraction",
                "choice",
                required=False,
                hint="For repeated citations on a case cited for more than one.",
            ),
            Field("note", "Note"),
        ),
        ReferralIn,
    ),
)


@bp.route("/cases/<case_number>/referrals", methods=["POST"])
def add_referral(case_number: str) -> ResponseReturnValue:
    """Record that the case was referred to the attorney (Tom Bean XIII.A): meets the
    referral clock."""
    return case_action(
        case_number,
        ReferralIn(),
        lambda f, _z: {
            "kind": f.get("kind", ""),
            "referred_on": f.get("referred_on", "").strip(),
            **pick(f, "referred_to", "infraction", "note"),
        },
        referrals.record_referral,
        "Referral to the attorney recorded.",
        form="referral",
        spec=REFERRAL,
        anchor=CARD,
    )


PERMIT = register(
    "permit",
    Spec(
        (
            Field("violation_id", "Violation it corrects", "choice"),
            Field("description", "Permit or approval needed"),
            Field("apply_by", "Apply by", "date"),
            Field("obtain_by", "Obtain by", "date", hint="Applying alone is not compliance."),
        ),
        PermitIn,
    ),
)


@bp.route("/cases/<case_number>/permits", methods=["POST"])
def add_permit(case_number: str) -> ResponseReturnValue:
    """A permit a violation needs, with the time to apply for it and to obtain it (Los Gatos
    VII.a.vi): two clocks on the case."""
    return case_action(
        case_number,
        PermitIn(),
        lambda f, _z: {
            name: f.get(name, "").strip()
            for name in ("violation_id", "description", "apply_by", "obtain_by")
        },
        permits.add_permit,
        "Permit and its time frame recorded.",
        form="permit",
        spec=PERMIT,
        anchor=CARD,
    )


PERMIT_PROGRESS = register(
    "permit-progress",
    Spec(
        (
            Field("applied_on", "Applied for on", "date", required=True),
            Field("obtained_on", "Obtained on", "date", required=True),
            Field("permit_number", "Permit number", required=False),
            Field("apply_by", "Apply by", "date", required=True),
            Field("obtain_by", "Obtain by", "date", required=True),
        ),
        PermitUpdateIn,
    ),
)
# Each of a permit's forms sends only its own fields: the application, the permit obtained,
# or a new time frame (a permit refused gets one: Los Gatos VII.a.vi.3).
PERMIT_STEPS: dict[str, tuple[str, ...]] = {
    "applied": ("applied_on",),
    "obtained": ("obtained_on", "permit_number"),
    "timeframe": ("apply_by", "obtain_by"),
}
PERMIT_DONE = {
    "applied": "Permit application recorded.",
    "obtained": "Permit obtained recorded.",
    "timeframe": "New time frame set.",
}


@bp.route("/cases/<case_number>/permits/<int:permit_id>", methods=["POST"])
def update_permit(case_number: str, permit_id: int) -> ResponseReturnValue:
    """Record the application or the permit obtained, or set a new time frame."""
    step = request.form.get("step", "")
    if step not in PERMIT_STEPS:
        step = "applied"

    def build(f: MultiDict[str, str], _z: ZoneInfo) -> dict[str, Any]:
        # An empty date is sent as typed, for the schema to ask for a date beside it.
        dates = {n: f.get(n, "").strip() for n in PERMIT_STEPS[step] if n != "permit_number"}
        return dates | pick(f, *(n for n in PERMIT_STEPS[step] if n == "permit_number"))

    return case_action(
        case_number,
        PermitUpdateIn(),
        build,
        lambda s, u, c, d: permits.update_permit(s, u, c, permit_id, d),
        PERMIT_DONE[step],
        form=f"permit-{permit_id}-{step}",
        spec=PERMIT_PROGRESS,
        anchor=CARD,
    )


PERMIT_ACTION = register(
    "permit-action",
    Spec(
        (
            Field("action", "Action", "choice"),
            Field("permit_description", "Permit"),
            Field(
                "authority",
                "Authority",
                hint="The ordinance or code section the action is taken under.",
            ),
            Field("taken_on", "Taken on", "date"),
            Field(
                "permit_id",
                "Permit of this case",
                "choice",
                required=False,
                hint="If it is one of the permits above.",
            ),
            Field("note", "Note"),
        ),
        PermitActionIn,
    ),
)


@bp.route("/cases/<case_number>/permit-actions", methods=["POST"])
def add_permit_action(case_number: str) -> ResponseReturnValue:
    """A permit withheld or revoked with the authority it was taken under, as the policy
    provides (Los Gatos III.b.ix-x, Tom Bean IV.B.3-4 and X.B)."""
    return case_action(
        case_number,
        PermitActionIn(),
        lambda f, _z: (
            {
                name: f.get(name, "").strip()
                for name in ("action", "permit_description", "authority", "taken_on")
            }
            | pick(f, "permit_id", "note")
        ),
        permits.record_action,
        "Action on the permit recorded.",
        form="permit-action",
        spec=PERMIT_ACTION,
        anchor=CARD,
    )
