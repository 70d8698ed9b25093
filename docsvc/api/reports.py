"""Annual reports (JSON, CSV, PDF) and the outreach log they count (staff)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from docsvc.models import OutreachActivity
from docsvc.money.schemas import OutreachIn, OutreachOut, OutreachQuery
from docsvc.reports import catalog, outreach
from docsvc.reports.schemas import ReportListOut, ReportQuery
from docsvc.web.context import api_user, db, require
from docsvc.web.files import report_response

blp = Blueprint("reports", __name__, description="Annual reports and the outreach log (staff)")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


@blp.route("/api/reports", methods=["GET"])
@blp.response(200, ReportListOut(many=True))
@blp.doc(security=SECURITY)
def list_reports() -> list[dict[str, str]]:
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
def get_report(query: dict[str, Any], name: str) -> dict[str, Any] | Response:
    """An annual report: workload, settlements or clock-performance."""
    user = require(api_user(), "reports")
    return report_response(user, name, query["jurisdiction"], query["year"], query["format"])


@blp.route("/api/outreach", methods=["POST"])
@blp.arguments(OutreachIn)
@blp.response(201, OutreachOut)
@blp.doc(security=SECURITY)
def post_outreach(data: dict[str, Any]) -> OutreachActivity:
    """Record education given or a business licence check (Lee's Summit II.C, II.D)."""
    user = require(api_user(), "cases.write")
    row = outreach.record(db(), user, data)
    db().commit()
    return row


@blp.route("/api/outreach", methods=["GET"])
@blp.arguments(OutreachQuery, location="query")
@blp.response(200, OutreachOut(many=True))
@blp.doc(security=SECURITY)
def list_outreach(query: dict[str, Any]) -> list[OutreachActivity]:
    user = require(api_user(), "cases.read")
    return outreach.outreach_log(db(), user, query.get("jurisdiction"), query.get("year"))
