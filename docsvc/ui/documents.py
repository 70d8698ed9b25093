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
from docsvc.errors import DocsvcError, Invalid, TooLarge, UnsupportedMediaType
from docsvc.identity.guard import bears_identity
from docsvc.identity.mask import masker
from docsvc.models import Attachment, Document
from docsvc.profiles.catalog import catalog, document_types_for
from docsvc.ui.forms import (
    CANCELLED,
    Ask,
    Field,
    Spec,
    ask,
    bound_form,
    cancelled,
    confirmed,
    form_for,
    kept,
    load,
    local_to_iso,
    pick,
    refused,
    register,
)
from docsvc.ui.views import bp, render_case, staff
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


KINDS = {
    "boolean": "check",
    "date": "date",
    "datetime": "datetime",
    "decimal": "amount",
    "integer": "number",
}


def document_spec(spec: dict[str, Any]) -> Spec:
    """The new-document form of one type: recipients, violations, photos and the type's own
    fields (required as its catalog says; the service checks them)."""
    return Spec(
        (
            Field(
                "recipient",
                "Recipients",
                "check",
                ("recipient", "recipient_party_id"),
                required=False,
            ),
            Field("violation_ids", "Violations", "check", ("violation_ids", "violation")),
            Field("photo_ids", "Photographs", "check", ("photo_ids", "photo")),
            *(
                Field(
                    f"f_{f['name']}",
                    f["name"].replace("_", " ").capitalize(),
                    KINDS.get(f["type"], "text"),
                    (f"fields.{f['name']}",),
                    bool(f.get("required")),
                    f.get("description", ""),
                )
                for f in spec["fields"]
            ),
        ),
        schemas.DocumentIn,
    )


def _new_document_page(
    user: Any,
    case_number: str,
    doc_type: str | None,
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
        form=form_for("document", document_spec(spec), form),
    ), status


@bp.route("/cases/<case_number>/documents/new")
def new_document(case_number: str):  # type: ignore[no-untyped-def]
    return _new_document_page(staff("cases.write"), case_number, request.args.get("type"), None)


def _recipient_names(case: Any, recipients: list[str]) -> str:
    parties = {str(p.id): p.name for p in case.parties}
    names = [parties.get(r, "the complainant") for r in recipients]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@bp.route("/cases/<case_number>/documents", methods=["POST"])
def create_documents(case_number: str):  # type: ignore[no-untyped-def]
    """One document per chosen recipient (Los Gatos VII.a.ii), drafts or issued."""
    user = staff("cases.write")
    with database().read_session() as s:  # no lock held while the notices render
        case = cases.get_case(s, user, case_number)
        zone = cases.case_profile(s, case).zone
        types = {t["type"]: t for t in document_types_for(cases.case_profile(s, case))}
        doc_type = request.form.get("type", "")
        recipients = request.form.getlist("recipient")
        names = _recipient_names(case, recipients) if recipients else ""
    form = document_spec(types.get(doc_type) or {"fields": []})
    issue = request.form.get("action") == "issue"
    if issue and cancelled():  # Cancel on "Issue …?": back to the form as it was typed
        kept("document", form)
        flash(CANCELLED)
        return _new_document_page(user, case_number, doc_type, request.form)
    if not recipients:
        refused("document", form, {"recipient": ["choose at least one recipient."]})
        return _new_document_page(user, case_number, doc_type, request.form, 422)
    bodies = []
    for r in recipients:
        try:
            body: dict[str, Any] = {
                "type": doc_type,
                "violation_ids": [int(v) for v in request.form.getlist("violation_ids")],
                "photo_ids": [int(p) for p in request.form.getlist("photo_ids")],
                "fields": _field_values(doc_type, request.form, zone)
                if doc_type in catalog()
                else {},
                "draft": not issue,
            }
            body |= (
                {"recipient": "complainant"}
                if r == "complainant"
                else {"recipient_party_id": int(r)}
            )
        except ValueError:
            refused("document", form, "A choice on the form could not be read; choose again.")
            return _new_document_page(user, case_number, doc_type, request.form, 422)
        data, _ = load(schemas.DocumentIn(), body, "document", form)
        if data is None:
            return _new_document_page(user, case_number, doc_type, request.form, 422)
        bodies.append(data)
    if issue and not confirmed():
        title = types[doc_type]["title"] if doc_type in types else "notice"
        return ask(
            Ask(
                f"Issue {title} to {names}?",
                ("Each" if len(bodies) > 1 else "It")
                + " will be dated, frozen as PDF/A with its DOCX and can no longer be edited: "
                "a correction is a new notice that supersedes it.",
                "Yes, issue " + ("them" if len(bodies) > 1 else "it"),
            ),
            url_for("ui.new_document", case_number=case_number, type=doc_type),
            keep=True,
        )
    made = []
    try:
        for data in bodies:
            # Each notice is its own unit of work: one refused does not undo the others.
            made.append(service.create_document(database(), env(), user, case_number, data))
    except DocsvcError as exc:
        bound = refused("document", form, exc)
        missing = exc.details.get("missing") if exc.details else None
        if missing:
            bound.general.append("Missing: " + ", ".join(m.replace("_", " ") for m in missing))
        if made:
            bound.general.insert(
                0, f"{len(made)} of {len(bodies)} documents were made before this refusal."
            )
        return _new_document_page(user, case_number, doc_type, request.form, exc.status)
    done = "issued" if issue else "saved as draft"
    flash(f"{len(made)} document{'s' if len(made) != 1 else ''} {done}.")
    return redirect(url_for("ui.case_page", case_number=case_number) + "#documents")


ISSUE = register("issue", Spec(()))
SERVICE = register(
    "service",
    Spec(
        (
            Field("method", "Method", "choice"),
            # Filed as served_at or mailed_at by the method: the service names either.
            Field("when", "Served or mailed", "datetime", ("served_at", "mailed_at"), True),
            Field(
                "article_number",
                "USPS article number",
                hint="Certified mail: the 20 or 22 digits under the barcode.",
            ),
        ),
        schemas.ServiceIn,
    ),
)
RECEIPT = register(
    "receipt",
    Spec(
        (
            Field("file", "Receipt (scan or electronic)", "file", required=True),
            Field("status", "Status", "choice"),
            Field("delivered_at", "Delivered", "datetime"),
            Field("signed_by", "Signed by"),
        ),
        schemas.ReturnReceiptForm,
    ),
)


def _doc_action(doc_id: int, act: Any, done: str, key: str, spec: Spec):  # type: ignore[no-untyped-def]
    """Run a document's form on the case page; a refusal re-shows the case page with the
    form open, its messages beside its fields and what was typed."""
    user = staff("cases.write")
    s = db()
    doc, case = service.get_document(s, user, doc_id, for_update=True)
    case_number = case.case_number
    try:
        act(s, user, doc, case)
        s.commit()
        flash(done)
    except DocsvcError as exc:
        s.rollback()
        mine = bound_form()
        if mine is None or mine.key != key:  # a schema's refusal is already filed by field
            refused(key, spec, exc)
        return render_case(cases.get_case(s, user, case_number), user, status=exc.status)
    return redirect(url_for("ui.case_page", case_number=case_number) + f"#doc-{doc_id}")


def _issue_question(doc: Document, case: Any) -> Ask:
    title = cases.case_profile(db(), case).document_types[doc.type]["title"]
    party = next((p for p in case.parties if p.id == doc.recipient_party_id), None)
    to = party.name if party else "the complainant"
    return Ask(
        f"Issue {title} (document {doc.id}) to {to}?",
        "It will be dated, frozen as PDF/A with its DOCX and can no longer be edited: "
        "a correction is a new notice that supersedes it.",
        "Yes, issue it",
    )


@bp.route("/documents/<int:doc_id>/issue", methods=["POST"])
def issue_document(doc_id: int):  # type: ignore[no-untyped-def]
    user = staff("cases.write")
    doc, case = service.get_document(db(), user, doc_id)
    case_number = case.case_number
    back = url_for("ui.case_page", case_number=case_number) + f"#doc-{doc_id}"
    if doc.status == "draft" and not confirmed():
        return ask(_issue_question(doc, case), back)
    db().rollback()  # no read of ours held open while it renders and commits on its own
    try:
        service.issue_draft(database(), env(), user, doc_id)
        flash("Document issued.")
    except DocsvcError as exc:
        refused(f"issue-{doc_id}", ISSUE, exc)
        return render_case(cases.get_case(db(), user, case_number), user, status=exc.status)
    return redirect(back)


@bp.route("/documents/<int:doc_id>/service", methods=["POST"])
def serve_document(doc_id: int):  # type: ignore[no-untyped-def]
    key = f"service-{doc_id}"

    def act(s, u, d, c):  # type: ignore[no-untyped-def]
        zone = cases.case_profile(s, c).zone
        when = local_to_iso(request.form.get("when", ""), zone)
        method = request.form.get("method", "")
        field = "mailed_at" if method.endswith("_mail") else "served_at"
        data, problems = load(
            schemas.ServiceIn(),
            {"method": method, field: when, **pick(request.form, "article_number")},
            key,
            SERVICE,
        )
        if data is None:
            raise Invalid("; ".join(problems))
        service.record_service(s, u, d, c, data)

    return _doc_action(doc_id, act, "Service recorded.", key, SERVICE)


@bp.route("/documents/<int:doc_id>/return-receipt", methods=["POST"])
def document_receipt(doc_id: int):  # type: ignore[no-untyped-def]
    key = f"receipt-{doc_id}"

    def act(s, u, d, c):  # type: ignore[no-untyped-def]
        zone = cases.case_profile(s, c).zone
        f = request.files.get("file")
        raw = {"status": request.form.get("status", ""), **pick(request.form, "signed_by")}
        if request.form.get("delivered_at"):
            raw["delivered_at"] = local_to_iso(request.form["delivered_at"], zone)
        data, problems = load(schemas.ReturnReceiptForm(), raw, key, RECEIPT)
        if data is None:
            raise Invalid("; ".join(problems))
        if f is None or not f.filename:
            raise Invalid("choose the scanned or electronic return receipt.", {"field": "file"})
        try:
            service.record_return_receipt(
                s, env(), u, d, c, Upload(f.stream, f.filename, f.mimetype), data
            )
        except (TooLarge, UnsupportedMediaType) as exc:
            raise type(exc)(exc.message, {"field": "file"}) from exc

    return _doc_action(doc_id, act, "Return receipt recorded.", key, RECEIPT)


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
