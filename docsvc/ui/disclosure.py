"""Pages for records staff: the requests by due date, a request's review screen (each record's
pages with the proposed boxes to keep, drop or add), the release and its public link."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any, BinaryIO, cast
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from docsvc.attachments.service import Upload
from docsvc.cases.service import get_case
from docsvc.disclosure import links, review, ruling, workflow
from docsvc.disclosure import release as releasing
from docsvc.disclosure.findings import open_findings, present, request_finding
from docsvc.disclosure.prepare import PREPARE_JOB, prepare_once_more
from docsvc.disclosure.requests import (
    get_request,
    listing,
    open_request,
    record_counsel_decision,
    request_zone,
    shown_statuses,
)
from docsvc.disclosure.schemas import CounselDecisionIn, DisclosureIn, RevokeIn
from docsvc.errors import Conflict, DocsvcError, Invalid, NotFound
from docsvc.identity import guard
from docsvc.jobs import queue
from docsvc.labels import zone_name
from docsvc.models import (
    DisclosureRequest,
    Redaction,
    ScanFinding,
    User,
)
from docsvc.pdflock import serialized
from docsvc.profiles.loader import profile_of
from docsvc.timeutil import utcnow
from docsvc.ui.base import form_step, staff, visible_jurisdictions
from docsvc.ui.forms import (
    Ask,
    Field,
    Spec,
    form_for,
    load,
    local_now,
    local_to_iso,
    pick,
    refused,
    register,
)
from docsvc.web.context import database, db, file_store, settings
from docsvc.web.files import send_package, send_ruling_letter
from docsvc.web.present import local_iso, request_dict

bp = Blueprint("disclosure", __name__)

# A form's work on one request: (session, user, request); refuses by raising.
RequestStep = Callable[[Session, User, DisclosureRequest], object]

PAGE_DPI = 100

OPEN = register(
    "request",
    Spec(
        (
            Field("jurisdiction", "Jurisdiction", "choice"),
            Field("received_at", "Received", "datetime"),
            Field("name", "Requester", path=("requester.name", "requester")),
            Field("email", "Requester's e-mail", "email", ("requester.email",)),
            Field("description", "What is asked for"),
            Field(
                "case_numbers",
                "Case numbers",
                hint="Separated by spaces or commas; or give a search below.",
            ),
            Field("query", "Or a search", hint="Every case it finds is part of the request."),
        ),
        DisclosureIn,
    ),
)
DECISION = register(
    "decision",
    Spec(
        (
            Field("decision", "Counsel's decision", "choice"),
            Field("statute", "Statute", hint="The statute that authorises withholding."),
            Field("explanation", "Explanation"),
        ),
        CounselDecisionIn,
    ),
)
DISMISS = register(
    "dismiss", Spec((Field("reason", "Not the complainant here, because", required=True),))
)
RULING_REQUEST = register(
    "ruling-request",
    Spec((Field("requested_on", "Decision requested on", "date", ("ruling_requested_at",), True),)),
)
RULING = register(
    "ruling",
    Spec(
        (
            Field("issued_on", "Ruling dated", "date", ("issued_at",), True),
            Field("reference", "Ruling number", required=True),
            Field("outcome", "What it decided", "choice", required=True),
            Field("letter", "The ruling's letter (PDF, optional)", "file", required=False),
        )
    ),
)
UNTIL_HINT = "The last day the requester can download it; leave empty for no end."
RELEASE = register(
    "release",
    Spec(
        (
            Field("accept", "Release with the proposed boxes as they are", "check", required=False),
            Field("expires_on", "Public link works until", "date", required=False, hint=UNTIL_HINT),
        )
    ),
)
EXPIRY = register(
    "expiry",
    Spec(
        (Field("expires_on", "Public link works until", "date", required=False, hint=UNTIL_HINT),)
    ),
)
REVOKE = register(
    "revoke",
    Spec((Field("reason", "Why the link is revoked", required=True),), RevokeIn),
)
CLOSE = register(
    "close-request",
    Spec((Field("keep", "Keep the public link working", "check", required=False),)),
)
REVIEW = register("review", Spec(()))


def _open_spec(jurisdictions: list[Any]) -> Spec:
    """The request form, its "Received" field saying which clock it is read on: the chosen
    jurisdiction's (a clerk who types UTC, or another office's time, is told so up front)."""
    by_zone: dict[str, list[str]] = {}
    for j in jurisdictions:
        by_zone.setdefault(zone_name(profile_of(j).zone), []).append(j.name)
    if len(by_zone) == 1:
        hint = f"Local time where the request was received ({next(iter(by_zone))})."
    else:
        hint = "Local time where the request was received: " + "; ".join(
            f"{zone} for {' and '.join(names)}" for zone, names in by_zone.items()
        )
        hint += "."
    fields = tuple(replace(f, hint=hint) if f.name == "received_at" else f for f in OPEN.fields)
    return Spec(fields, OPEN.schema)


def _when(iso: str, zone: ZoneInfo) -> str:
    """A time on the page: its date and clock time where the request is, and which clock."""
    at = datetime.fromisoformat(iso).astimezone(zone)
    return f"{at:%Y-%m-%d} at {at:%H:%M} {zone_name(zone)}"


def _end(iso: str, zone: ZoneInfo) -> str:
    """When a link stops: a midnight (a date chosen on this page) is the end of the day before."""
    at = datetime.fromisoformat(iso).astimezone(zone)
    if at.time() == time(0):
        return f"the end of {(at - timedelta(days=1)):%Y-%m-%d} ({zone_name(zone)})"
    return _when(iso, zone)


def link_words(release: dict[str, Any], zone: ZoneInfo) -> dict[str, str]:
    """Whether the public link works, in words, with its times in the request's zone."""
    state = release["link"]
    if state == links.REVOKED:
        return {
            "released": _when(release["released_at"], zone),
            "sentence": f"Revoked on {_when(release['revoked_at'], zone)} by "
            f"{release['revoked_by'] or 'a clerk'}. Reason: {release['revoke_reason']}",
        }
    if state == links.EXPIRED:
        sentence = f"Expired at {_end(release['expires_at'], zone)}."
    elif release["expires_at"]:
        sentence = f"Works until {_end(release['expires_at'], zone)}."
    else:
        sentence = "Works until it is revoked; it has no end date."
    last_day = ""
    if release["expires_at"]:  # the end date's field shows the day chosen, not a blank
        end = datetime.fromisoformat(release["expires_at"]).astimezone(zone)
        last_day = (end - timedelta(days=1) if end.time() == time(0) else end).date().isoformat()
    return {
        "released": _when(release["released_at"], zone),
        "sentence": sentence,
        "last_day": last_day,
    }


def _until(form_value: str, req: DisclosureRequest, field: str) -> datetime | None:
    """A last day chosen on the page: the link works through it, to midnight where the request
    is (None when empty)."""
    day = _day(form_value, req, field)
    return day + timedelta(days=1) if day is not None else None


def _list_page(status: int = 200) -> tuple[str, int]:
    user = staff("disclosure")
    rows = listing(db(), user)
    shown = shown_statuses(db(), rows)
    jurisdictions = visible_jurisdictions(user)
    names = {j.code: j.name for j in jurisdictions}
    listed = [
        {
            "id": r.id,
            "requester": r.requester_name,
            "jurisdiction": names.get(r.jurisdiction_code, r.jurisdiction_code),
            "due": (local_iso(r.due_at, request_zone(db(), r)) or "")[:10],
            "ruling_due": (local_iso(r.ruling_due_at, request_zone(db(), r)) or "")[:10],
            "status": shown[r.id],
        }
        for r in rows
    ]
    first = jurisdictions[0] if jurisdictions else None
    defaults = {
        "jurisdiction": first.code if first else "",
        # Received defaults to now where the request is, as on the new-case form.
        "received_at": local_now(profile_of(first).zone) if first else "",
    }
    return render_template(
        "disclosures.html",
        requests=listed,
        jurisdiction_options=[(j.code, j.name) for j in jurisdictions],
        # Now in each jurisdiction's zone: Received follows the one chosen (app.js).
        now={j.code: local_now(profile_of(j).zone) for j in jurisdictions},
        form=form_for("request", _open_spec(jurisdictions), defaults),
    ), status


@bp.route("/disclosures")
def disclosures() -> tuple[str, int]:
    return _list_page()


@bp.route("/disclosures", methods=["POST"])
def open_disclosure() -> ResponseReturnValue:
    user = staff("disclosure")
    f = request.form
    code = f.get("jurisdiction", "")
    jurisdiction = next((j for j in visible_jurisdictions(user) if j.code == code), None)
    zone = profile_of(jurisdiction).zone if jurisdiction else None
    body: dict[str, Any] = {
        **pick(f, "jurisdiction", "description", "query", "notes"),
        "requester": pick(f, "name", "email"),
        "received_at": local_to_iso(f.get("received_at", ""), zone) if zone else "",
        "case_numbers": f.get("case_numbers", "").replace(",", " ").split(),
    }
    spec = _open_spec(visible_jurisdictions(user))
    data, _ = load(DisclosureIn(), body, "request", spec)  # refused: beside its field
    status = 422
    if data is not None:
        try:
            req = open_request(db(), user, data)
            db().commit()
            flash("Request opened: its records are being prepared for review.")
            return redirect(url_for("ui.disclosure.disclosure_page", request_id=req.id))
        except DocsvcError as exc:
            db().rollback()
            refused("request", spec, exc)
            # A case number typed that names no case is the form's to fix, not a missing page.
            status = 422 if isinstance(exc, NotFound) else exc.status
    return _list_page(status)


def _detail(
    request_id: int,
    errors: list[str] | None = None,
    status: int = 200,
    findings: list[ScanFinding] | None = None,
) -> tuple[str, int]:
    user = staff("disclosure")
    req = get_request(db(), user, request_id)
    detail = request_dict(req)
    boxes: dict[tuple[int, int], list[Redaction]] = {}
    for r in review.request_boxes(db(), req):
        boxes.setdefault((r.item_id, r.page), []).append(r)
    undismissed = findings or open_findings(db(), req)
    release_job = queue.latest(db(), workflow.RELEASE_JOB, req.id)
    zone = request_zone(db(), req)
    return render_template(
        "disclosure.html",
        req=detail,
        status=shown_statuses(db(), [req])[req.id],
        link=link_words(detail["release"], zone) if detail["release"] else None,
        zone=zone,
        step=ruling.step_for(db(), req),
        today=utcnow().astimezone(request_zone(db(), req)).date().isoformat(),
        prepare_job=queue.latest(db(), PREPARE_JOB, req.id),
        boxes=boxes,
        # Findings stop a release in review; once released there is nothing left to dismiss.
        findings=present(db(), req, undismissed) if req.status == "review" else [],
        release_job=release_job,
        # Said in place of the release form: a release that cannot go is not offered.
        release_waits=releasing.waits_for(db(), req) if req.status == "review" else None,
        errors=errors or [],
    ), status


@bp.route("/disclosures/<int:request_id>")
def disclosure_page(request_id: int) -> tuple[str, int]:
    return _detail(request_id)


@bp.route("/disclosures/<int:request_id>/items/<int:item_id>/pages/<int:page>.png")
def disclosure_page_image(request_id: int, item_id: int, page: int) -> Response:
    """A page of a record's review copy, for drawing boxes on (staff only, never cached
    publicly)."""
    user = staff("disclosure")
    req = get_request(db(), user, request_id)
    shown = review.review_page(db(), req, item_id, page)
    if shown is None:
        abort(404)
    # The review copy is the record as it is: a page of a record that bears the complainant's
    # identity, or on which it was found (a box), is a view each time it is shown.
    if shown.shows_identity:
        guard.view_identity_now(
            database(), user, shown.case, f"disclosure.{req.id}.item.{item_id}.page.{page}"
        )
    image = _review_page(file_store().open_verified(shown.review_sha256), page)
    out = io.BytesIO()
    image.save(out, "PNG")
    resp = Response(out.getvalue(), mimetype="image/png")
    resp.headers["Cache-Control"] = "no-store"  # fetched, and audited, each time it is shown
    return resp


@bp.route("/disclosures/<int:request_id>/package.zip")
def disclosure_package(request_id: int) -> Response:
    """The released package for the signed-in clerk (the API's link needs a token)."""
    return send_package(releasing.release_of(db(), staff("disclosure"), request_id))


def _day(form_value: str, req: DisclosureRequest, field: str) -> datetime | None:
    """A date field, as the start of that day where the request is (None when empty)."""
    if not form_value.strip():
        return None
    try:
        day = date.fromisoformat(form_value.strip())
    except ValueError as exc:
        raise Invalid(
            f"'{form_value}' is not a date; give it as on the letter.", {"field": field}
        ) from exc
    return datetime.combine(day, time(0), request_zone(db(), req))


@bp.route("/disclosures/<int:request_id>/prepare-again", methods=["POST"])
def prepare_disclosure_again(request_id: int) -> ResponseReturnValue:
    return _act(
        request_id,
        lambda s, user, req: prepare_once_more(s, req),
        "The records are queued to be prepared again.",
    )


@bp.route("/disclosures/<int:request_id>/ruling-requested", methods=["POST"])
def record_ruling_request(request_id: int) -> ResponseReturnValue:
    """The date the decision the profile requires (Texas: the Attorney General's) was asked for."""
    raw = request.form.get("requested_on", "")

    def step(s: Session, user: User, req: DisclosureRequest) -> None:
        when = _day(raw, req, "requested_on")
        if when is None:
            raise Invalid("give the date the decision was requested.", {"field": "requested_on"})
        ruling.record_request(s, user, req, when)

    return _act(
        request_id,
        step,
        "Recorded when the decision was requested.",
        form=("ruling-request", RULING_REQUEST),
    )


@bp.route("/disclosures/<int:request_id>/ruling", methods=["POST"])
def record_disclosure_ruling(request_id: int) -> ResponseReturnValue:
    """The ruling: its date, number, outcome and (optionally) its letter."""
    f = request.form
    upload = request.files.get("letter")

    def step(s: Session, user: User, req: DisclosureRequest) -> None:
        issued = _day(f.get("issued_on", ""), req, "issued_on")
        if issued is None:
            raise Invalid("give the date of the ruling (as on its letter).", {"field": "issued_on"})
        data = {
            "issued_at": issued,
            "reference": f.get("reference", ""),
            "outcome": f.get("outcome"),
        }
        letter = (
            Upload(cast(BinaryIO, upload.stream), upload.filename, upload.mimetype)
            if upload is not None and upload.filename
            else None
        )
        ruling.record_ruling(s, file_store(), settings(), user, req, data, letter)

    return _act(request_id, step, "Ruling recorded.", form=("ruling", RULING))


@bp.route("/disclosures/<int:request_id>/ruling/letter.pdf")
def disclosure_ruling_letter(request_id: int) -> Response:
    return send_ruling_letter(get_request(db(), staff("disclosure"), request_id))


@serialized
def _review_page(data: bytes, page: int) -> Any:
    pdf = pdfium.PdfDocument(data)
    try:
        p = pdf[page - 1]
        image = p.render(scale=PAGE_DPI / 72).to_pil()
        p.close()
    finally:
        pdf.close()
    return image


def _act(
    request_id: int,
    step: RequestStep,
    done: str,
    confirm: Callable[[DisclosureRequest], Ask] | None = None,
    form: tuple[str, Spec] | None = None,
) -> ResponseReturnValue:
    def checked(s: Session, user: User) -> None:
        req = get_request(s, user, request_id)
        # The package is being built from the request as it stands: nothing changes under it
        # (a form from a page shown before the release started).
        job = queue.latest(s, workflow.RELEASE_JOB, req.id)
        if job is not None and job.status in ("queued", "running"):
            raise Conflict(
                "a release of this request is already under way; wait for its outcome, "
                "then change what is needed."
            )
        step(s, user, req)

    return form_step(
        "disclosure",
        checked,
        done,
        url_for("ui.disclosure.disclosure_page", request_id=request_id),
        lambda errors, status: _detail(request_id, errors, status),
        confirm=confirm and (lambda s, user: confirm(get_request(s, user, request_id))),
        form=form,
    )


@bp.route("/disclosures/<int:request_id>/review", methods=["POST"])
def review_disclosure(request_id: int) -> ResponseReturnValue:
    """Kept boxes arrive as `keep` (their ids), drawn ones as `add` (JSON each)."""
    keep = {int(v) for v in request.form.getlist("keep") if v.isdigit()}

    def step(s: Session, user: User, req: DisclosureRequest) -> None:
        boxes = [
            {
                "document_id": r.item_id,
                "page": r.page,
                "box": [r.x0, r.y0, r.x1, r.y1],
                "kind": r.kind,
            }
            for r in review.request_boxes(s, req)
            if r.id in keep
        ]
        for raw in request.form.getlist("add"):
            try:
                b = json.loads(raw)
                boxes.append(
                    {
                        "document_id": int(b["document_id"]),
                        "page": int(b["page"]),
                        "box": [float(v) for v in b["box"]][:4],
                        "kind": "other",
                    }
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise Invalid("a drawn box could not be read; draw it again.") from exc
        workflow.review(s, user, req, boxes)

    return _act(request_id, step, "Redactions reviewed.", form=("review", REVIEW))


@bp.route("/disclosures/<int:request_id>/findings/<int:finding_id>/dismiss", methods=["POST"])
def dismiss_disclosure_finding(request_id: int, finding_id: int) -> ResponseReturnValue:
    reason = request.form.get("reason", "").strip()

    def step(s: Session, user: User, req: DisclosureRequest) -> None:
        if not reason:
            raise Invalid(
                "give the reason the finding does not identify the complainant.",
                {"field": "reason"},
            )
        workflow.dismiss(s, user, req, finding_id, reason)

    def confirm(req: DisclosureRequest) -> Ask:
        # A dismissed finding lets what it found go out with the package: say what, in words.
        row = request_finding(db(), req, finding_id)
        shown = present(db(), req, [row]) if row is not None else []
        what = shown[0].sentence if shown else "what the leak scanner found"
        return Ask(
            f"Dismiss this finding and let {what} go out with the release?",
            "The next release does not stop for it: the requester gets it as it stands. "
            "Dismiss a finding only where it does not identify the complainant; your reason "
            "is kept with it.",
            "Yes, dismiss it",
        )

    return _act(
        request_id,
        step,
        "Finding dismissed.",
        confirm=confirm,
        form=(f"dismiss-{finding_id}", DISMISS),
    )


@bp.route("/disclosures/<int:request_id>/cases/<case_number>/decision", methods=["POST"])
def decide_disclosure_case(request_id: int, case_number: str) -> ResponseReturnValue:
    key = f"decision-{case_number}"

    def step(s: Session, user: User, req: DisclosureRequest) -> None:
        raw = pick(request.form, "decision", "statute", "explanation")
        data, problems = load(CounselDecisionIn(), raw, key, DECISION)
        if data is None:  # already filed beside its fields
            raise Invalid("; ".join(problems))
        record_counsel_decision(s, user, req, get_case(s, user, case_number), data)

    return _act(request_id, step, "Decision recorded.", form=(key, DECISION))


@bp.route("/disclosures/<int:request_id>/exceptions/<int:exception_id>", methods=["POST"])
def decide_disclosure_exception(request_id: int, exception_id: int) -> ResponseReturnValue:
    decision = request.form.get("decision")
    return _act(
        request_id,
        lambda s, user, req: workflow.decide_exception(s, user, req, exception_id, decision),
        "Decision recorded." if decision != "reject" else "Kept withheld.",
    )


@bp.route("/disclosures/<int:request_id>/release", methods=["POST"])
def release_disclosure(request_id: int) -> ResponseReturnValue:
    accept = request.form.get("accept") == "on"
    raw = request.form.get("expires_on", "")

    def step(s: Session, user: User, req: DisclosureRequest) -> None:
        workflow.queue_release(s, user, req, accept, _until(raw, req, "expires_on"))

    return _act(
        request_id,
        step,
        "Release started: the package is built and scanned in the background.",
        # A release cannot be called back once the requester has the link: ask first.
        confirm=lambda req: Ask(
            f"Release request {req.id}'s records to {req.requester_name}?",
            "The package is built with the boxes as reviewed, scanned for the withheld "
            "identity and published at a link for the requester. What the requester has "
            "downloaded cannot be taken back; the link itself can be revoked later.",
            "Yes, release it",
        ),
        form=("release", RELEASE),
    )


@bp.route("/disclosures/<int:request_id>/release/expiry", methods=["POST"])
def set_release_expiry(request_id: int) -> ResponseReturnValue:
    """The last day the public link works; empty: no end."""
    raw = request.form.get("expires_on", "")
    return _act(
        request_id,
        lambda s, user, req: links.set_expiry(s, user, req, _until(raw, req, "expires_on")),
        "The public link's end date is set." if raw.strip() else "The public link has no end date.",
        # An emptied date lifts the limit: a slip of the thumb must not do that unasked.
        confirm=None
        if raw.strip()
        else lambda req: Ask(
            f"Remove the end date of request {req.id}'s public link?",
            "The link will keep working until it is revoked.",
            "Yes, remove the end date",
        ),
        form=("expiry", EXPIRY),
    )


@bp.route("/disclosures/<int:request_id>/release/revoke", methods=["POST"])
def revoke_release(request_id: int) -> ResponseReturnValue:
    raw = pick(request.form, "reason")

    def step(s: Session, user: User, req: DisclosureRequest) -> None:
        data, problems = load(RevokeIn(), raw, "revoke", REVOKE)
        if data is None:  # already filed beside its field
            raise Invalid("; ".join(problems))
        links.revoke(s, user, req, data["reason"])

    return _act(
        request_id,
        step,
        "Public link revoked: whoever follows it is told to contact the records office.",
        # A requester may be part way through downloading: ask first.
        confirm=lambda req: Ask(
            f"Revoke the public link of request {req.id}?",
            "The link stops working at once, for good: whoever follows it is told the release "
            "is no longer available and to contact the records office. To send the records "
            "again, open a new request.",
            "Yes, revoke the link",
        ),
        form=("revoke", REVOKE),
    )


@bp.route("/disclosures/<int:request_id>/close", methods=["POST"])
def close_disclosure(request_id: int) -> ResponseReturnValue:
    """Close the request; its public link is revoked with it unless the clerk keeps it."""
    keep = request.form.get("keep") == "on"

    def confirm(req: DisclosureRequest) -> Ask:
        if links.unrevoked(db(), req) is None:
            then = "It leaves the list of open requests and cannot be opened again."
        elif keep:
            then = (
                "Its public link keeps working (revoke it here later if needed). The request "
                "cannot be opened again."
            )
        else:
            then = (
                "Its public link stops working: whoever follows it is told to contact the "
                "records office. The request cannot be opened again."
            )
        return Ask(f"Close request {req.id}?", then, "Yes, close it")

    return _act(
        request_id,
        lambda s, user, req: workflow.update(
            s, user, req, {"status": "closed", "keep_release_link": keep}
        ),
        "Request closed.",
        confirm=confirm,
        form=("close-request", CLOSE),
    )
