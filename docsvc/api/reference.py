"""Reference data: open to everyone, the public included."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from docsvc.errors import NotFound
from docsvc.models import Jurisdiction
from docsvc.profiles.catalog import document_types_for
from docsvc.profiles.loader import profile_of, summary
from docsvc.web.context import db


class HealthOut(Schema):
    status = fields.String()


class DeadlineOut(Schema):
    unit = fields.String()
    amount = fields.Integer(allow_none=True)


class ViolationTypeOut(Schema):
    code = fields.String()
    title = fields.String()
    category = fields.String(allow_none=True)
    citation = fields.String()
    deadline = fields.Nested(DeadlineOut)
    deadline_source = fields.String()
    text = fields.String()
    text_status = fields.String()
    involves_structure = fields.Boolean()
    priority_rank = fields.Integer(allow_none=True)


class DocFieldOut(Schema):
    name = fields.String()
    type = fields.String()
    required = fields.Boolean()
    description = fields.String()


class DocumentTypeOut(Schema):
    type = fields.String()
    title = fields.String()
    service_methods = fields.List(fields.String())
    citation = fields.String(allow_none=True)
    elements = fields.List(fields.String())
    field_list = fields.List(fields.Nested(DocFieldOut), attribute="fields", data_key="fields")
    recipient = fields.String()


class JurisdictionOut(Schema):
    code = fields.String()
    name = fields.String()
    state = fields.String()
    timezone = fields.String()
    case_number_prefix = fields.String()
    complaint_rules = fields.Dict()
    public_records = fields.Dict()
    sources = fields.List(fields.String())


blp = Blueprint("reference", __name__, description="Health and reference data (public)")


def _jurisdiction(code: str) -> Jurisdiction:
    row = db().get(Jurisdiction, code)
    if row is None:
        raise NotFound(f"no jurisdiction '{code}'; GET /api/jurisdictions lists the codes.")
    return row


@blp.route("/healthz")
@blp.response(200, HealthOut)
def healthz() -> dict[str, str]:
    db().execute(select(1))
    return {"status": "ok"}


@blp.route("/api/jurisdictions")
@blp.response(200, JurisdictionOut(many=True))
def jurisdictions() -> list[dict[str, Any]]:
    rows = db().scalars(select(Jurisdiction).order_by(Jurisdiction.code))
    return [summary(r) for r in rows]


@blp.route("/api/jurisdictions/<code>/violation-types")
@blp.response(200, ViolationTypeOut(many=True))
def violation_types(code: str) -> list[dict[str, Any]]:
    return profile_of(_jurisdiction(code)).data["violation_types"]


@blp.route("/api/jurisdictions/<code>/document-types")
@blp.response(200, DocumentTypeOut(many=True))
def document_types(code: str) -> list[dict[str, Any]]:
    return document_types_for(profile_of(_jurisdiction(code)))
