"""Annual reports (JSON, CSV, PDF) and what they count besides cases: the outreach log and the
patrol plan (staff)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from docsvc.cases import patrol
from docsvc.models import OutreachActivity, PropertyReview, User
from docsvc.money.schemas import OutreachIn, OutreachOut, OutreachQuery
from docsvc.reports import catalog, outreach
from docsvc.reports.schemas import (
    PatrolAreaIn,
    PatrolAreaOut,
    PatrolAreaQuery,
    PatrolAssignIn,
    PatrolReviewIn,
    PatrolReviewOut,
    ReportListOut,
    ReportQuery,
)
from docsvc.web.context import api_user, db, require
from docsvc.web.files import report_response

blp = Blueprint(
    "reports", __name__, description="Annual reports, the outreach log and the patrol plan (staff)"
)
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


def _area_view(user: User, area_id: int) -> dict[str, Any]:
    """The area with its coverage in the current year."""
    area = patrol.get_area(db(), user, area_id)
    return next(
        a for a in patrol.areas_view(db(), user, area.jurisdiction_code, None) if a["id"] == area.id
    )


@blp.route("/api/patrol-areas", methods=["POST"])
@blp.arguments(PatrolAreaIn)
@blp.response(201, PatrolAreaOut)
@blp.doc(security=SECURITY)
def create_patrol_area(data: dict[str, Any]) -> dict[str, Any]:
    """An area of the patrol plan (where the profile asks for a yearly review of every
    property, Lee's Summit II.B.1)."""
    user = require(api_user(), "cases.write")
    area = patrol.create_area(db(), user, data)
    db().commit()
    return _area_view(user, area.id)


@blp.route("/api/patrol-areas", methods=["GET"])
@blp.arguments(PatrolAreaQuery, location="query")
@blp.response(200, PatrolAreaOut(many=True))
@blp.doc(security=SECURITY)
def list_patrol_areas(query: dict[str, Any]) -> list[dict[str, Any]]:
    """The patrol areas, each with its coverage in the year."""
    user = require(api_user(), "cases.read")
    return patrol.areas_view(db(), user, query.get("jurisdiction"), query.get("year"))


@blp.route("/api/patrol-areas/<int:area_id>/properties", methods=["POST"])
@blp.arguments(PatrolAssignIn)
@blp.response(200, PatrolAreaOut)
@blp.doc(security=SECURITY)
def assign_patrol_properties(data: dict[str, Any], area_id: int) -> dict[str, Any]:
    """Put properties in the area, by address (moving them from any other area)."""
    user = require(api_user(), "cases.write")
    area = patrol.get_area(db(), user, area_id)
    patrol.assign(db(), user, area, data["properties"])
    db().commit()
    return _area_view(user, area.id)


@blp.route("/api/patrol-areas/<int:area_id>/reviews", methods=["POST"])
@blp.arguments(PatrolReviewIn)
@blp.response(201, PatrolReviewOut)
@blp.doc(security=SECURITY)
def review_patrol_property(data: dict[str, Any], area_id: int) -> PropertyReview:
    """A property of the area reviewed from the street."""
    user = require(api_user(), "cases.write")
    area = patrol.get_area(db(), user, area_id)
    row = patrol.record_review(db(), user, area, data)
    db().commit()
    return row
