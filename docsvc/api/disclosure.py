"""Public-records requests, redaction review and releases (records staff), and the released
package by its public link (anyone holding the link)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, url_for
from flask_smorest import Blueprint
from sqlalchemy import select

from docsvc.api.attachments import send_stored
from docsvc.api.documents import env
from docsvc.api.present import local_iso
from docsvc.attachments.schemas import AttachmentFile
from docsvc.attachments.service import Upload
from docsvc.audit import append
from docsvc.cases.service import actor_of, get_case
from docsvc.disclosure import exceptions, ruling, workflow
from docsvc.disclosure import release as releasing
from docsvc.disclosure.renditions import describe
from docsvc.disclosure.requests import get_request, open_request, record_counsel_decision
from docsvc.disclosure.schemas import (
    BoxIn,
    CounselDecisionIn,
    DisclosureIn,
    DisclosurePatch,
    DismissIn,
    ExceptionDecisionIn,
    ReleaseIn,
    RulingIn,
)
from docsvc.errors import NotFound
from docsvc.models import (
    Case,
    DisclosureCase,
    DisclosureItem,
    DisclosureRequest,
    Jurisdiction,
    Redaction,
    Release,
)
from docsvc.profiles.loader import profile_of
from docsvc.timeutil import utcnow
from docsvc.web.context import api_user, database, db, file_store, require, settings

blp = Blueprint("disclosure", __name__, description="Public-records requests and releases")
SECURITY = [{"bearerAuth": []}]
ZIP = "application/zip"


def request_dict(req: DisclosureRequest) -> dict[str, Any]:
    s = db()
    cases = s.execute(
        select(DisclosureCase, Case.case_number)
        .join(Case, Case.id == DisclosureCase.case_id)
        .where(DisclosureCase.request_id == req.id)
        .order_by(Case.case_number)
    ).all()
    items = s.scalars(
        select(DisclosureItem)
        .where(DisclosureItem.request_id == req.id)
        .order_by(DisclosureItem.seq)
    ).all()
    numbers = {d.case_id: n for d, n in cases}
    zone = request_zone(req)
    release = s.scalar(select(Release).where(Release.request_id == req.id))
    proposed = s.scalars(select(Redaction.id).where(Redaction.request_id == req.id)).all()
    return {
        "id": req.id,
        "jurisdiction": req.jurisdiction_code,
        "requester": {"name": req.requester_name, "email": req.requester_email},
        "received_at": local_iso(req.received_at, zone),
        "description": req.description,
        "case_numbers": req.case_numbers,
        "query": req.query,
        "due_at": local_iso(req.due_at, zone),
        "ruling_due_at": local_iso(req.ruling_due_at, zone),
        "ruling_requested_at": local_iso(req.ruling_requested_at, zone),
        "ruling": ruling.ruling_dict(s, req, zone),
        "status": req.status,
        "notes": req.notes,
        "reviewed_at": local_iso(req.reviewed_at, zone),
        "prepared": sum(1 for i in items if i.review_sha256),
        "cases": [
            {
                "case_number": n,
                "decision": d.decision,
                "statute": d.statute,
                "explanation": d.explanation,
                "decided_at": local_iso(d.decided_at, zone),
            }
            for d, n in cases
        ],
        "items": [
            {
                "id": i.id,
                "case_number": numbers[i.case_id],
                "record": describe(s, i),
                "pages": i.page_count,
                "page_sizes": i.page_sizes,
            }
            for i in items
        ],
        "redactions": len(proposed),
        "exceptions": [
            {
                "id": e.id,
                "case_number": number,
                "kind": e.kind,
                "reason": e.reason,
                "status": e.status,
                "decided_at": local_iso(e.decided_at, zone),
            }
            for e, number in exceptions.listing(s, req.id)
        ],
        "release": _release_urls(release) if release else None,
    }


def request_zone(req: DisclosureRequest) -> ZoneInfo:
    row = db().get(Jurisdiction, req.jurisdiction_code)
    return profile_of(row).zone if row else ZoneInfo("UTC")


def _release_urls(release: Release) -> dict[str, Any]:
    return {
        "package_url": url_for("disclosure.package", request_id=release.request_id),
        "public_url": url_for("disclosure.public_release", token=release.token, _external=True),
        "released_at": release.released_at.isoformat(),
        "files": release.files,
    }


@blp.route("/api/disclosures", methods=["POST"])
@blp.arguments(DisclosureIn)
@blp.response(201)
@blp.doc(security=SECURITY)
def create_disclosure(data: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Open a request: due dates from the profile's clocks; the responsive records gathered
    from the case numbers and/or a search; each case's complainant decision recorded; the
    records prepared for review in the background (status 'preparing', then 'review')."""
    user = require(api_user(), "disclosure")
    req = open_request(db(), user, data)
    db().commit()
    return request_dict(req)


@blp.route("/api/disclosures", methods=["GET"])
@blp.response(200)
@blp.doc(security=SECURITY)
def list_disclosures():  # type: ignore[no-untyped-def]
    """Requests by due date, open ones first."""
    user = require(api_user(), "disclosure")
    rows = db().scalars(select(DisclosureRequest).order_by(DisclosureRequest.due_at)).all()
    return [
        {
            "id": r.id,
            "jurisdiction": r.jurisdiction_code,
            "requester": r.requester_name,
            "received_at": local_iso(r.received_at, request_zone(r)),
            "due_at": local_iso(r.due_at, request_zone(r)),
            "ruling_due_at": local_iso(r.ruling_due_at, request_zone(r)),
            "status": r.status,
        }
        for r in sorted(rows, key=lambda r: (r.status in ("released", "closed"), r.due_at))
        if user.may_see_jurisdiction(r.jurisdiction_code)
    ]


@blp.route("/api/disclosures/<int:request_id>", methods=["GET"])
@blp.response(200)
@blp.doc(security=SECURITY)
def get_disclosure(request_id: int):  # type: ignore[no-untyped-def]
    user = require(api_user(), "disclosure")
    return request_dict(get_request(db(), user, request_id))


@blp.route("/api/disclosures/<int:request_id>", methods=["PATCH"])
@blp.arguments(DisclosurePatch)
@blp.response(200)
@blp.doc(security=SECURITY)
def patch_disclosure(data: dict[str, Any], request_id: int):  # type: ignore[no-untyped-def]
    """Record when an Attorney General decision was requested (Texas), notes, or close."""
    user = require(api_user(), "disclosure")
    req = get_request(db(), user, request_id)
    if "ruling_requested_at" in data:
        ruling.record_request(db(), user, req, data.pop("ruling_requested_at"))
    for key, value in data.items():
        setattr(req, key, value or None)
    req.updated_at = utcnow()
    if data:
        append(db(), actor_of(user), "disclosure.update", "disclosure", req.id, fields=sorted(data))
    db().commit()
    return request_dict(req)


@blp.route("/api/disclosures/<int:request_id>/ruling", methods=["POST"])
@blp.arguments(RulingIn)
@blp.response(200)
@blp.doc(security=SECURITY)
def record_ruling(data: dict[str, Any], request_id: int):  # type: ignore[no-untyped-def]
    """The ruling the profile's pre-withholding step asked for (Texas: the Attorney General's):
    issued_at, reference, outcome (withhold, partly, release). Each withheld case takes the
    outcome's effect from the profile; a correction keeps the outcome."""
    user = require(api_user(), "disclosure")
    s = db()
    req = get_request(s, user, request_id)
    ruling.record_ruling(s, file_store(), settings(), user, req, data)
    s.commit()
    return request_dict(req)


@blp.route("/api/disclosures/<int:request_id>/ruling/letter", methods=["POST"])
@blp.arguments(AttachmentFile, location="files")
@blp.response(200)
@blp.doc(security=SECURITY)
def attach_ruling_letter(files: dict[str, Any], request_id: int):  # type: ignore[no-untyped-def]
    """The ruling's letter (PDF) as multipart/form-data in 'file'."""
    user = require(api_user(), "disclosure")
    s = db()
    req = get_request(s, user, request_id)
    f = files["file"]
    ruling.attach_letter(
        s, file_store(), settings(), user, req, Upload(f.stream, f.filename, f.mimetype)
    )
    s.commit()
    return request_dict(req)


@blp.route("/api/disclosures/<int:request_id>/ruling/letter", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": {"description": "The ruling's letter (PDF)"}})
def ruling_letter(request_id: int):  # type: ignore[no-untyped-def]
    return send_ruling_letter(get_request(db(), require(api_user(), "disclosure"), request_id))


def send_ruling_letter(req: DisclosureRequest) -> Response:
    if req.ruling_letter_sha256 is None:
        raise NotFound(f"no ruling letter is recorded for request {req.id}.")
    resp = send_stored(
        req.ruling_letter_sha256, "application/pdf", f"ruling-{req.id}.pdf", "attachment"
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@blp.route("/api/disclosures/<int:request_id>/cases/<case_number>/decision", methods=["POST"])
@blp.arguments(CounselDecisionIn)
@blp.response(200)
@blp.doc(security=SECURITY)
def decide_case(data: dict[str, Any], request_id: int, case_number: str):  # type: ignore[no-untyped-def]
    """Counsel's decision on a case's complainant identity, where the profile leaves it open."""
    user = require(api_user(), "disclosure")
    s = db()
    req = get_request(s, user, request_id)
    record_counsel_decision(s, user, req, get_case(s, user, case_number), data)
    s.commit()
    return request_dict(req)


def _box_dict(r: Redaction, labels: dict[int, str | None]) -> dict[str, Any]:
    return {
        "id": r.id,
        "document_id": r.item_id,
        "page": r.page,
        "box": [r.x0, r.y0, r.x1, r.y1],
        "kind": r.kind,
        "status": r.status,
        "exemption": labels.get(r.item_id),
    }


def _labels(request_id: int) -> dict[int, str | None]:
    rows = db().execute(
        select(DisclosureItem.id, DisclosureCase.statute)
        .join(
            DisclosureCase,
            (DisclosureCase.request_id == DisclosureItem.request_id)
            & (DisclosureCase.case_id == DisclosureItem.case_id),
        )
        .where(DisclosureItem.request_id == request_id)
    )
    return {i: statute for i, statute in rows}


@blp.route("/api/disclosures/<int:request_id>/proposed-redactions", methods=["GET"])
@blp.response(200)
@blp.doc(security=SECURITY)
def proposed_redactions(request_id: int):  # type: ignore[no-untyped-def]
    """Every box (PDF points, origin bottom left) over an identifier found in the records:
    proposed until the clerk reviews the set, confirmed after."""
    user = require(api_user(), "disclosure")
    req = get_request(db(), user, request_id)
    labels = _labels(req.id)
    rows = db().scalars(
        select(Redaction)
        .where(Redaction.request_id == req.id)
        .order_by(Redaction.item_id, Redaction.page, Redaction.id)
    )
    return [_box_dict(r, labels) for r in rows]


@blp.route("/api/disclosures/<int:request_id>/redactions", methods=["PUT"])
@blp.arguments(BoxIn(many=True))
@blp.response(200)
@blp.doc(security=SECURITY)
def review_redactions(boxes: list[dict[str, Any]], request_id: int):  # type: ignore[no-untyped-def]
    """The reviewed set replaces the proposals: boxes confirmed, moved, added or dropped."""
    user = require(api_user(), "disclosure")
    s = db()
    req = get_request(s, user, request_id)
    rows = workflow.review(s, user, req, boxes)
    s.commit()
    labels = _labels(req.id)
    return [_box_dict(r, labels) for r in rows]


@blp.route("/api/disclosures/<int:request_id>/exceptions/<int:exception_id>", methods=["POST"])
@blp.arguments(ExceptionDecisionIn)
@blp.response(200)
@blp.doc(security=SECURITY)
def decide_exception(data: dict[str, Any], request_id: int, exception_id: int):  # type: ignore[no-untyped-def]
    """Confirm or reject a proposal that an identifier is public in the record (the complainant
    lives at the property, or is a party). Until confirmed it is withheld and scanned for;
    confirmed, it is released and the exemption log says why."""
    user = require(api_user(), "disclosure")
    session = db()
    req = get_request(session, user, request_id)
    workflow.decide_exception(session, user, req, exception_id, data["decision"])
    session.commit()
    return request_dict(req)


@blp.route("/api/disclosures/<int:request_id>/findings/<int:finding_id>/dismiss", methods=["POST"])
@blp.arguments(DismissIn)
@blp.response(200)
@blp.doc(security=SECURITY)
def dismiss_finding(data: dict[str, Any], request_id: int, finding_id: int):  # type: ignore[no-untyped-def]
    """A finding that does not identify the complainant here (the complainant is also the
    owner; the address is the property's), dismissed with the reason; audited."""
    user = require(api_user(), "disclosure")
    s = db()
    req = get_request(s, user, request_id)
    f = workflow.dismiss(s, user, req, finding_id, data["reason"])
    s.commit()
    return releasing.finding_dict(f)


@blp.route("/api/disclosures/<int:request_id>/release", methods=["POST"])
@blp.arguments(ReleaseIn)
@blp.response(201)
@blp.doc(security=SECURITY)
def release(data: dict[str, Any], request_id: int):  # type: ignore[no-untyped-def]
    """Build the package, scan every byte of it, and release it only if nothing is found."""
    user = require(api_user(), "disclosure")
    rel = workflow.release(
        database(), db(), env(), user, request_id, data["accept_proposed_redactions"]
    )
    return _release_urls(rel)


def _release_of(request_id: int) -> Release:
    return releasing.release_of(db(), require(api_user(), "disclosure"), request_id)


@blp.route("/api/disclosures/<int:request_id>/package", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": {"description": "The released ZIP"}})
def package(request_id: int):  # type: ignore[no-untyped-def]
    return send_package(_release_of(request_id))


@blp.route("/api/disclosures/<int:request_id>/exemption-log", methods=["GET"])
@blp.response(200)
@blp.doc(security=SECURITY)
def exemption_log(request_id: int):  # type: ignore[no-untyped-def]
    """What was withheld, where, under which law and why; never the value withheld."""
    return _release_of(request_id).exemption_log


@blp.route("/public/releases/<token>", methods=["GET"])
@blp.doc(responses={"200": {"description": "The released ZIP"}})
def public_release(token: str):  # type: ignore[no-untyped-def]
    """The released package, for whoever holds the link: the only thing the public receives."""
    rel = db().scalar(select(Release).where(Release.token == token)) if len(token) < 100 else None
    if rel is None:
        raise NotFound("no release at this link; check the link you were sent.")
    return send_package(rel)


def send_package(rel: Release) -> Response:
    """The released ZIP as sent to staff (API and pages) and to whoever holds the link."""
    resp = Response(file_store().open_verified(rel.package_sha256), mimetype=ZIP)
    resp.headers["Content-Disposition"] = f'attachment; filename="release-{rel.request_id}.zip"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
