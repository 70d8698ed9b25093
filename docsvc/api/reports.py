"""Annual reports (JSON, CSV, PDF) and the outreach log they count (staff)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response
from flask_smorest import Blueprint
from sqlalchemy import select

from docsvc.errors import Invalid, NotFound
from docsvc.models import Jurisdiction, OutreachActivity
from docsvc.money.schemas import OutreachIn, OutreachOut, OutreachQuery
from docsvc.profiles.loader import profile_of
from docsvc.profiles.model import Profile
from docsvc.reports import catalog, outreach, render
from docsvc.reports.schemas import ReportListOut, ReportQuery
from docsvc.timeutil import utcnow
from docsvc.web.context import api_user, db, file_store, require, settings

blp = Blueprint("reports", __name__, description="Annual reports and the outreach log (staff)")
SECURITY = [{"bearerAuth": []}]


def visible_profile(user: Any, code: str) -> Profile:
    row = db().get(Jurisdiction, code)
    if row is None or not user.may_see_jurisdiction(code):
        raise NotFound(f"no jurisdiction '{code}' that you can see.")
    return profile_of(row)


def report_response(user: Any, name: str, code: str, year: int, fmt: str) -> Any:
    profile = visible_profile(user, code)
    if year > utcnow().astimezone(profile.zone).year:
        raise Invalid(f"{year} has not begun yet; choose this year or an earlier one.")
    report = catalog.build(name, db(), profile, year, utcnow())
    if fmt == "json":
        return render.to_json(report)
    filename = f"{code}-{name}-{year}.{fmt}"
    if fmt == "csv":
        body, media = render.to_csv(report), "text/csv; charset=utf-8"
    else:
        body = render.to_pdf(report, code, settings().data_dir, file_store())
        media = "application/pdf"
    resp = Response(body, mimetype=media)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blp.route("/api/reports", methods=["GET"])
@blp.response(200, ReportListOut(many=True))
@blp.doc(security=SECURITY)
def list_reports():  # type: ignore[no-untyped-def]
    require(api_user(), "reports")
    return [{"name": k, "title": v[0]} for k, v in catalog.REPORTS.items()]


@blp.route("/api/reports/<name>", methods=["GET"])
@blp.arguments(ReportQuery, location="query")
@blp.doc(
    security=SECURITY,
    responses={
        "200": {
            "description": "The report as JSON (tables, chart data, reconciliation), CSV or "
            "PDF with charts; built from the records on every request."
        }
    },
)
def get_report(query: dict[str, Any], name: str):  # type: ignore[no-untyped-def]
    """An annual report: workload, settlements or clock-performance."""
    user = require(api_user(), "reports")
    return report_response(user, name, query["jurisdiction"], query["year"], query["format"])


@blp.route("/api/outreach", methods=["POST"])
@blp.arguments(OutreachIn)
@blp.response(201, OutreachOut)
@blp.doc(security=SECURITY)
def post_outreach(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Record education given or a business licence check (Lee's Summit II.C, II.D)."""
    user = require(api_user(), "cases.write")
    row = outreach.record(db(), user, data)
    db().commit()
    return row


@blp.route("/api/outreach", methods=["GET"])
@blp.arguments(OutreachQuery, location="query")
@blp.response(200, OutreachOut(many=True))
@blp.doc(security=SECURITY)
def list_outreach(query: dict[str, Any]):  # type: ignore[no-untyped-def]
    user = require(api_user(), "cases.read")
    stmt = select(OutreachActivity).order_by(OutreachActivity.occurred_on, OutreachActivity.id)
    if user.jurisdictions is not None:
        stmt = stmt.where(OutreachActivity.jurisdiction_code.in_(user.jurisdictions))
    if query.get("jurisdiction"):
        stmt = stmt.where(OutreachActivity.jurisdiction_code == query["jurisdiction"])
    if query.get("year"):
        y = query["year"]
        stmt = stmt.where(OutreachActivity.occurred_on.between(date(y, 1, 1), date(y, 12, 31)))
    return list(db().scalars(stmt))
