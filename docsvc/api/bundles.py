"""Court bundles (records, attorneys): ask for one (built by the worker), follow its progress,
download its volumes and manifest, and have the records custodian certify it."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask_smorest import Blueprint
from sqlalchemy import select

from docsvc.api.attachments import send_stored, uncached_if
from docsvc.attachments.sniff import PDF
from docsvc.bundles import service
from docsvc.bundles.build import file_name
from docsvc.bundles.schemas import BundleIn, BundleOut, CertifyIn
from docsvc.cases.service import get_case
from docsvc.documents.service import Env
from docsvc.errors import NotFound
from docsvc.identity import guard
from docsvc.models import Bundle, Case, User
from docsvc.web.context import api_user, database, db, file_store, require, settings

blp = Blueprint("bundles", __name__, description="Court bundles (records, attorneys)")
SECURITY = [{"bearerAuth": []}]


def bundle_dict(bundle: Bundle, case: Case) -> dict[str, Any]:
    status, progress, error = service.state_of(db(), bundle)
    done = status == "done"
    return {
        "id": bundle.id,
        "case_number": case.case_number,
        "status": status,
        "progress": progress,
        "error": error,
        "redacted": bundle.redacted,
        "bates_prefix": bundle.bates_prefix,
        "pages": bundle.pages,
        "volumes": [
            {
                "number": v.number,
                "pdf_url": url_for("bundles.volume", bundle_id=bundle.id, number=v.number),
                "first_bates": v.first_bates,
                "last_bates": v.last_bates,
                "pages": v.pages,
                "size": v.size,
                "sha256": v.sha256,
            }
            for v in bundle.volumes
        ],
        "manifest_url": url_for("bundles.manifest", bundle_id=bundle.id) if done else None,
        "certification_url": url_for("bundles.certification", bundle_id=bundle.id)
        if bundle.certification_sha256
        else None,
        "requested_at": bundle.requested_at,
    }


def find_bundle(user: User, bundle_id: int) -> tuple[Bundle, Case]:
    """The bundle and its case, if `user` may see the case's jurisdiction; else not found."""
    session = db()
    bundle = session.get(Bundle, bundle_id)
    case = session.get(Case, bundle.case_id) if bundle else None
    if bundle is None or case is None or not user.may_see_jurisdiction(case.jurisdiction_code):
        raise NotFound(f"no bundle {bundle_id}.")
    return bundle, case


def _bundle(bundle_id: int, permission: str = "bundles") -> tuple[User, Bundle, Case]:
    user = require(api_user(), permission)
    return (user, *find_bundle(user, bundle_id))


def send_volume(user: User, bundle: Bundle, case: Case, number: int, via: str) -> Response:
    """A volume (PDF). The unredacted bundle shows the complainant: each download is audited."""
    match = next((v for v in bundle.volumes if v.number == number), None)
    if match is None:
        raise NotFound(f"bundle {bundle.id} has no volume {number}.")
    if not bundle.redacted:
        guard.view_identity_now(database(), user, case, f"{via}.bundle.{bundle.id}")
    return uncached_if(
        not bundle.redacted,
        send_stored(
            match.sha256, PDF, file_name(case.case_number, bundle.id, number), "attachment"
        ),
    )


def send_manifest(user: User, bundle: Bundle, case: Case, via: str) -> Response:
    """The manifest: of an unredacted bundle it lists the complainant's files by caption, so
    each download is a view, as a volume's is."""
    if bundle.manifest_sha256 is None:
        raise NotFound(f"bundle {bundle.id} is not built yet.")
    if not bundle.redacted:
        guard.view_identity_now(database(), user, case, f"{via}.bundle.{bundle.id}.manifest")
    return uncached_if(
        not bundle.redacted,
        send_stored(
            bundle.manifest_sha256,
            "application/json",
            f"{case.case_number}-bundle-{bundle.id}-manifest.json",
            "attachment",
        ),
    )


def send_certification(bundle: Bundle, case: Case) -> Response:
    if bundle.certification_sha256 is None:
        raise NotFound(f"bundle {bundle.id} is not certified yet.")
    return send_stored(
        bundle.certification_sha256,
        PDF,
        f"{case.case_number}-bundle-{bundle.id}-certification.pdf",
        "attachment",
    )


@blp.route("/api/cases/<case_number>/bundles", methods=["POST"])
@blp.arguments(BundleIn)
@blp.response(202, BundleOut)
@blp.doc(security=SECURITY)
def request_bundle(data: dict[str, Any], case_number: str):  # type: ignore[no-untyped-def]
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
def list_bundles(case_number: str):  # type: ignore[no-untyped-def]
    user = require(api_user(), "bundles")
    session = db()
    case = get_case(session, user, case_number)
    rows = session.scalars(
        select(Bundle).where(Bundle.case_id == case.id).order_by(Bundle.id.desc())
    )
    return [bundle_dict(b, case) for b in rows]


@blp.route("/api/bundles/<int:bundle_id>", methods=["GET"])
@blp.response(200, BundleOut)
@blp.doc(security=SECURITY)
def get_bundle(bundle_id: int):  # type: ignore[no-untyped-def]
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
def certify(data: dict[str, Any], bundle_id: int):  # type: ignore[no-untyped-def]
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
