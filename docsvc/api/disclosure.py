"""Public-records requests, redaction review and releases (records staff), and the released
package by its public link (anyone holding the link)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from docsvc.attachments.schemas import AttachmentFile
from docsvc.attachments.service import Upload
from docsvc.cases.service import get_case
from docsvc.disclosure import links, review, ruling, workflow
from docsvc.disclosure import release as releasing
from docsvc.disclosure.requests import (
    get_request,
    listing,
    open_request,
    record_counsel_decision,
    request_zone,
)
from docsvc.disclosure.schemas import (
    BoxIn,
    CounselDecisionIn,
    DisclosureIn,
    DisclosureOut,
    DisclosurePatch,
    DismissIn,
    ExceptionDecisionIn,
    ReleaseIn,
    ReleaseLinkPatch,
    ReleaseOut,
    RevokeIn,
    RulingIn,
)
from docsvc.models import (
    Redaction,
    Release,
)
from docsvc.web.context import api_user, database, db, env, file_store, require, settings
from docsvc.web.files import send_package, send_ruling_letter
from docsvc.web.present import local_iso, release_urls, request_dict

blp = Blueprint("disclosure", __name__, description="Public-records requests and releases")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


@blp.route("/api/disclosures", methods=["POST"])
@blp.arguments(DisclosureIn)
@blp.response(201, DisclosureOut)
@blp.doc(security=SECURITY)
def create_disclosure(data: dict[str, Any]) -> dict[str, Any]:
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
def list_disclosures() -> list[dict[str, Any]]:
    """Requests by due date, open ones first."""
    user = require(api_user(), "disclosure")
    return [
        {
            "id": r.id,
            "jurisdiction": r.jurisdiction_code,
            "requester": r.requester_name,
            "received_at": local_iso(r.received_at, request_zone(db(), r)),
            "due_at": local_iso(r.due_at, request_zone(db(), r)),
            "ruling_due_at": local_iso(r.ruling_due_at, request_zone(db(), r)),
            "status": r.status,
        }
        for r in listing(db(), user)
    ]


@blp.route("/api/disclosures/<int:request_id>", methods=["GET"])
@blp.response(200, DisclosureOut)
@blp.doc(security=SECURITY)
def get_disclosure(request_id: int) -> dict[str, Any]:
    user = require(api_user(), "disclosure")
    return request_dict(get_request(db(), user, request_id))


@blp.route("/api/disclosures/<int:request_id>", methods=["PATCH"])
@blp.arguments(DisclosurePatch)
@blp.response(200, DisclosureOut)
@blp.doc(security=SECURITY)
def patch_disclosure(data: dict[str, Any], request_id: int) -> dict[str, Any]:
    """Record when an Attorney General decision was requested (Texas), notes, or close (which
    revokes the release's public link unless keep_release_link is true)."""
    user = require(api_user(), "disclosure")
    req = get_request(db(), user, request_id)
    workflow.update(db(), user, req, data)
    db().commit()
    return request_dict(req)


@blp.route("/api/disclosures/<int:request_id>/ruling", methods=["POST"])
@blp.arguments(RulingIn)
@blp.response(200, DisclosureOut)
@blp.doc(security=SECURITY)
def record_ruling(data: dict[str, Any], request_id: int) -> dict[str, Any]:
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
@blp.response(200, DisclosureOut)
@blp.doc(security=SECURITY)
def attach_ruling_letter(files: dict[str, Any], request_id: int) -> dict[str, Any]:
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
def ruling_letter(request_id: int) -> Response:
    return send_ruling_letter(get_request(db(), require(api_user(), "disclosure"), request_id))


@blp.route("/api/disclosures/<int:request_id>/cases/<case_number>/decision", methods=["POST"])
@blp.arguments(CounselDecisionIn)
@blp.response(200, DisclosureOut)
@blp.doc(security=SECURITY)
def decide_case(data: dict[str, Any], request_id: int, case_number: str) -> dict[str, Any]:
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


@blp.route("/api/disclosures/<int:request_id>/proposed-redactions", methods=["GET"])
@blp.response(200)
@blp.doc(security=SECURITY)
def proposed_redactions(request_id: int) -> list[dict[str, Any]]:
    """Every box (PDF points, origin bottom left) over an identifier found in the records:
    proposed until the clerk reviews the set, confirmed after."""
    user = require(api_user(), "disclosure")
    req = get_request(db(), user, request_id)
    labels = review.exemption_labels(db(), req)
    return [_box_dict(r, labels) for r in review.request_boxes(db(), req)]


@blp.route("/api/disclosures/<int:request_id>/redactions", methods=["PUT"])
@blp.arguments(BoxIn(many=True))
@blp.response(200)
@blp.doc(security=SECURITY)
def review_redactions(boxes: list[dict[str, Any]], request_id: int) -> list[dict[str, Any]]:
    """The reviewed set replaces the proposals: boxes confirmed, moved, added or dropped."""
    user = require(api_user(), "disclosure")
    s = db()
    req = get_request(s, user, request_id)
    rows = workflow.review(s, user, req, boxes)
    s.commit()
    labels = review.exemption_labels(s, req)
    return [_box_dict(r, labels) for r in rows]


@blp.route("/api/disclosures/<int:request_id>/exceptions/<int:exception_id>", methods=["POST"])
@blp.arguments(ExceptionDecisionIn)
@blp.response(200, DisclosureOut)
@blp.doc(security=SECURITY)
def decide_exception(data: dict[str, Any], request_id: int, exception_id: int) -> dict[str, Any]:
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
def dismiss_finding(data: dict[str, Any], request_id: int, finding_id: int) -> dict[str, Any]:
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
def release(data: dict[str, Any], request_id: int) -> dict[str, Any]:
    """Build the package, scan every byte of it, and release it only if nothing is found."""
    user = require(api_user(), "disclosure")
    rel = workflow.release(
        database(),
        db(),
        env(),
        user,
        request_id,
        data["accept_proposed_redactions"],
        expires_at=data["expires_at"],
    )
    return release_urls(rel)


@blp.route("/api/disclosures/<int:request_id>/release", methods=["PATCH"])
@blp.arguments(ReleaseLinkPatch)
@blp.response(200, ReleaseOut)
@blp.doc(security=SECURITY)
def patch_release(data: dict[str, Any], request_id: int) -> dict[str, Any]:
    """When the public link stops working (expires_at; null: never); audited."""
    user = require(api_user(), "disclosure")
    s = db()
    rel = links.set_expiry(s, user, get_request(s, user, request_id), data["expires_at"])
    s.commit()
    return release_urls(rel)


@blp.route("/api/disclosures/<int:request_id>/release/revoke", methods=["POST"])
@blp.arguments(RevokeIn)
@blp.response(200, ReleaseOut)
@blp.doc(security=SECURITY)
def revoke_release(data: dict[str, Any], request_id: int) -> dict[str, Any]:
    """Stop the public link now, for good, with the reason; audited. Whoever follows it is
    told (410) to ask the records office."""
    user = require(api_user(), "disclosure")
    s = db()
    rel = links.revoke(s, user, get_request(s, user, request_id), data["reason"])
    s.commit()
    return release_urls(rel)


def _release_of(request_id: int) -> Release:
    return releasing.release_of(db(), require(api_user(), "disclosure"), request_id)


@blp.route("/api/disclosures/<int:request_id>/package", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": {"description": "The released ZIP"}})
def package(request_id: int) -> Response:
    return send_package(_release_of(request_id))


@blp.route("/api/disclosures/<int:request_id>/exemption-log", methods=["GET"])
@blp.response(200)
@blp.doc(security=SECURITY)
def exemption_log(request_id: int) -> list[Any]:
    """What was withheld, where, under which law and why; never the value withheld."""
    return _release_of(request_id).exemption_log
