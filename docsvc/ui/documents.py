"""Pages for preparing, previewing, issuing and serving documents from the case page."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from docsvc.api import schemas
from docsvc.api.documents import document_dict, env, file_response
from docsvc.attachments.service import Upload
from docsvc.cases import service as cases
from docsvc.documents import service
from docsvc.errors import DocsvcError
from docsvc.identity.guard import bears_identity
from docsvc.identity.mask import masker
from docsvc.models import Attachment, Document
from docsvc.profiles.catalog import catalog, document_types_for
from docsvc.ui.forms import load, local_to_iso, pick
from docsvc.ui.views import bp, staff
from docsvc.web.context import database, db


def _field_values(doc_type: str, form: Any, zone: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in catalog()[doc_type]["fields"]:
        raw = form.get(f"f_{f['name']}", "").strip()
        if f["type"] == "boolean":
            out[f["name"]] = form.get(f"f_{f['name']}") == "on"
        elif raw:
            out[f["name"]] = local_to_iso(raw, zone) if f["type"] == "datetime" else raw
    return out


def _new_document_page(
    user: Any,
    case_number: str,
    doc_type: str | None,
    errors: list[str],
    form: Any,
    status: int = 200,
):  # type: ignore[no-untyped-def]
    s = db()
    case = cases.get_case(s, user, case_number)
    types = document_types_for(cases.case_profile(s, case))
    spec = next((t for t in types if t["type"] == doc_type), types[1])
    masked = masker(s, case)
    # The complainant's own photo is picked by number: its picture and caption are theirs,
    # shown (and audited) only when opened.
    photos = [
        {"id": p.id, "theirs": theirs, "caption": None if theirs else masked(p.caption)}
        for p in s.scalars(
            select(Attachment).where(
                Attachment.case_id == case.id, Attachment.thumb_sha256.is_not(None)
            )
        )
        for theirs in [bears_identity(p)]
    ]
    return render_template(
        "document_new.html",
        case=case,
        types=types,
        spec=spec,
        photos=photos,
        masked=masked,
        errors=errors,
        form=form,
    ), status


@bp.route("/cases/<case_number>/documents/new")
def new_document(case_number: str):  # type: ignore[no-untyped-def]
    return _new_document_page(staff("cases.write"), case_number, request.args.get("type"), [], {})


@bp.route("/cases/<case_number>/documents", methods=["POST"])
def create_documents(case_number: str):  # type: ignore[no-untyped-def]
    """One document per chosen recipient (Los Gatos VII.a.ii), drafts or issued."""
    user = staff("cases.write")
    with database().read_session() as s:  # no lock held while the notices render
        zone = cases.case_profile(s, cases.get_case(s, user, case_number)).zone
    doc_type = request.form.get("type", "")
    recipients = request.form.getlist("recipient")
    errors: list[str] = []
    if not recipients:
        errors.append("recipient: choose at least one recipient; each gets a notice of their own.")
    made = []
    if not errors:
        try:
            for r in recipients:
                body: dict[str, Any] = {
                    "type": doc_type,
                    "violation_ids": [int(v) for v in request.form.getlist("violation_ids")],
                    "photo_ids": [int(p) for p in request.form.getlist("photo_ids")],
                    "fields": _field_values(doc_type, request.form, zone)
                    if doc_type in catalog()
                    else {},
                    "draft": request.form.get("action") != "issue",
                }
                body |= (
                    {"recipient": "complainant"}
                    if r == "complainant"
                    else {"recipient_party_id": int(r)}
                )
                data, problems = load(schemas.DocumentIn(), body)
                if data is None:
                    raise DocsvcError("; ".join(problems))
                # Each notice is its own unit of work: one refused does not undo the others.
                made.append(service.create_document(database(), env(), user, case_number, data))
            flash(
                f"{len(made)} document{'s' if len(made) != 1 else ''} "
                f"{'issued' if request.form.get('action') == 'issue' else 'saved as draft'}."
            )
            return redirect(url_for("ui.case_page", case_number=case_number) + "#documents")
        except DocsvcError as exc:
            errors = [exc.message]
            missing = exc.details.get("missing") if exc.details else None
            if missing:
                errors.append("Missing: " + ", ".join(m.replace("_", " ") for m in missing))
    return _new_document_page(user, case_number, doc_type, errors, request.form, 422)


def _doc_action(doc_id: int, act: Any, done: str):  # type: ignore[no-untyped-def]
    user = staff("cases.write")
    s = db()
    doc, case = service.get_document(s, user, doc_id, for_update=True)
    try:
        act(s, user, doc, case)
        s.commit()
        flash(done)
    except DocsvcError as exc:
        s.rollback()
        flash(f"Not done: {exc.message}")
    return redirect(url_for("ui.case_page", case_number=case.case_number) + f"#doc-{doc_id}")


@bp.route("/documents/<int:doc_id>/issue", methods=["POST"])
def issue_document(doc_id: int):  # type: ignore[no-untyped-def]
    user = staff("cases.write")
    with database().read_session() as s:
        case_number = service.get_document(s, user, doc_id)[1].case_number
    try:
        service.issue_draft(database(), env(), user, doc_id)
        flash("Document issued.")
    except DocsvcError as exc:
        flash(f"Not done: {exc.message}")
    return redirect(url_for("ui.case_page", case_number=case_number) + f"#doc-{doc_id}")


@bp.route("/documents/<int:doc_id>/service", methods=["POST"])
def serve_document(doc_id: int):  # type: ignore[no-untyped-def]
    def act(s, u, d, c):  # type: ignore[no-untyped-def]
        zone = cases.case_profile(s, c).zone
        when = local_to_iso(request.form.get("when", ""), zone)
        method = request.form.get("method", "")
        key = "mailed_at" if method.endswith("_mail") else "served_at"
        data, problems = load(
            schemas.ServiceIn(),
            {"method": method, key: when, **pick(request.form, "article_number")},
        )
        if data is None:
            raise DocsvcError("; ".join(problems))
        service.record_service(s, u, d, c, data)

    return _doc_action(doc_id, act, "Service recorded.")


@bp.route("/documents/<int:doc_id>/return-receipt", methods=["POST"])
def document_receipt(doc_id: int):  # type: ignore[no-untyped-def]
    def act(s, u, d, c):  # type: ignore[no-untyped-def]
        zone = cases.case_profile(s, c).zone
        f = request.files.get("file")
        if f is None or not f.filename:
            raise DocsvcError("file: choose the scanned or electronic return receipt.")
        raw = {"status": request.form.get("status", ""), **pick(request.form, "signed_by")}
        if request.form.get("delivered_at"):
            raw["delivered_at"] = local_to_iso(request.form["delivered_at"], zone)
        data, problems = load(schemas.ReturnReceiptForm(), raw)
        if data is None:
            raise DocsvcError("; ".join(problems))
        service.record_return_receipt(
            s, env(), u, d, c, Upload(f.stream, f.filename, f.mimetype), data
        )

    return _doc_action(doc_id, act, "Return receipt recorded.")


@bp.route("/documents/<int:doc_id>/<fmt>")
def document_file(doc_id: int, fmt: str) -> Response:
    user = staff()
    if fmt not in ("pdf", "docx"):
        return Response(status=404)
    doc, case = service.get_document(db(), user, doc_id)
    return file_response(db(), user, doc, case, fmt)


def case_documents(case: Any) -> list[dict[str, Any]]:
    """The case's documents for the case page, with recipients named for staff."""
    s = db()
    out = []
    parties = {p.id: p for p in case.parties}
    for d in s.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.id)):
        item = document_dict(d, case)
        item["recipient_label"] = (
            parties[d.recipient_party_id].name if d.recipient_party_id else "the complainant"
        )
        item["methods"] = cases.case_profile(s, case).document_types[d.type]["service_methods"]
        out.append(item)
    return out
