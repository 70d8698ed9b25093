"""Court bundles (records, attorneys): ask for one (built by the worker), follow its progress,
download its volumes and manifest, and have the records custodian certify it."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from docsvc.bundles import service
from docsvc.bundles.schemas import BundleIn, BundleOut, CertifyIn
from docsvc.bundles.service import case_bundles, find_bundle
from docsvc.cases.service import get_case
from docsvc.documents.env import Env
from docsvc.models import Bundle, Case, User
from docsvc.web.context import api_user, db, file_store, require, settings
from docsvc.web.files import (
    send_certification,
    send_manifest,
    send_volume,
)
from docsvc.web.present import bundle_dict

blp = Blueprint("bundles", __name__, description="Court bundles (records, attorneys)")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def _bundle(bundle_id: int, permission: str = "bundles") -> tuple[User, Bundle, Case]:
    user = require(api_user(), permission)
    return (user, *find_bundle(db(), user, bundle_id))


@blp.route("/api/cases/<case_number>/bundles", methods=["POST"])
@blp.arguments(BundleIn)
@blp.response(202, BundleOut)
@blp.doc(security=SECURITY)
def request_bundle(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """Ask for a court bundle of the case; the worker builds it (follow GET /api/bundles/{id})."""
    user = require(api_user(), "bundles")
    session = db()
    case = get_case(session, user, case_number)
    bundle = service.request_bundle(session, user, case, data)
    session.commit()
    return bundle_dict(bundle, case)


@blp.route("/api/cases/<case_number>/bundles", methods=["GET"])
@blp.response(200, BundleOut(many=True))
@blp.doc(security=SECURITY)
def list_bundles(case_number: str) -> list[dict[str, Any]]:
    user = require(api_user(), "bundles")
    session = db()
    case = get_case(session, user, case_number)
    return [bundle_dict(b, case) for b in case_bundles(session, case)]


@blp.route("/api/bundles/<int:bundle_id>", methods=["GET"])
@blp.response(200, BundleOut)
@blp.doc(security=SECURITY)
def get_bundle(bundle_id: int) -> dict[str, Any]:
    """Status (queued, building, done, failed), progress, volumes and the manifest."""
    _, bundle, case = _bundle(bundle_id)
    return bundle_dict(bundle, case)


@blp.route("/api/bundles/<int:bundle_id>/volumes/<int:number>.pdf", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": {"description": "One volume of the bundle"}})
def volume(bundle_id: int, number: int) -> Response:
    """A volume (PDF). The unredacted bundle shows the complainant: each download is audited."""
    user, bundle, case = _bundle(bundle_id)
    return send_volume(user, bundle, case, number, "api")


@blp.route("/api/bundles/<int:bundle_id>/manifest.json", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": {"description": "SHA-256 of every source"}})
def manifest(bundle_id: int) -> Response:
    user, bundle, case = _bundle(bundle_id)
    return send_manifest(user, bundle, case, "api")


@blp.route("/api/bundles/<int:bundle_id>/certify", methods=["POST"])
@blp.arguments(CertifyIn)
@blp.response(200, BundleOut)
@blp.doc(security=SECURITY)
def certify(data: dict[str, Any], bundle_id: int) -> dict[str, Any]:
    """The records custodian certifies a built bundle under the state's (or federal) rule."""
    user, bundle, case = _bundle(bundle_id, "bundles.certify")
    service.certify(db(), Env(file_store(), settings()), user, bundle, data["title"])
    db().commit()
    return bundle_dict(bundle, case)


@blp.route("/api/bundles/<int:bundle_id>/certification.pdf", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": {"description": "The custodian's certification"}})
def certification(bundle_id: int) -> Response:
    _, bundle, case = _bundle(bundle_id)
    return send_certification(bundle, case)
