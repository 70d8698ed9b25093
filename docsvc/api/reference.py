"""Reference data: open to everyone, the public included."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from docsvc.api import schemas
from docsvc.errors import NotFound
from docsvc.models import Jurisdiction
from docsvc.profiles.catalog import document_types_for
from docsvc.profiles.loader import profile_of, summary
from docsvc.web.context import db

blp = Blueprint("reference", __name__, description="Health and reference data (public)")


def _jurisdiction(code: str) -> Jurisdiction:
    row = db().get(Jurisdiction, code)
    if row is None:
        raise NotFound(f"no jurisdiction '{code}'; GET /api/jurisdictions lists the codes.")
    return row


@blp.route("/healthz")
@blp.response(200, schemas.HealthOut)
def healthz():  # type: ignore[no-untyped-def]
    db().execute(select(1))
    return {"status": "ok"}


@blp.route("/api/jurisdictions")
@blp.response(200, schemas.JurisdictionOut(many=True))
def jurisdictions():  # type: ignore[no-untyped-def]
    rows = db().scalars(select(Jurisdiction).order_by(Jurisdiction.code))
    return [summary(r) for r in rows]


@blp.route("/api/jurisdictions/<code>/violation-types")
@blp.response(200, schemas.ViolationTypeOut(many=True))
def violation_types(code: str):  # type: ignore[no-untyped-def]
    return profile_of(_jurisdiction(code)).data["violation_types"]


@blp.route("/api/jurisdictions/<code>/document-types")
@blp.response(200, schemas.DocumentTypeOut(many=True))
def document_types(code: str):  # type: ignore[no-untyped-def]
    return document_types_for(profile_of(_jurisdiction(code)))
