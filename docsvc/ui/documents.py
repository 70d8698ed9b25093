"""Pages for preparing, previewing, issuing and serving documents from the case page, and for
the requests for more time on a notice (Los Gatos VII.b.ii)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, BinaryIO, cast

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as WerkzeugResponse

from docsvc.attachments.service import Upload, case_photos
from docsvc.cases import service as cases
from docsvc.documents import compliance, elements, extensions, naming, service, serving, wording
from docsvc.documents.context import long_date
from docsvc.documents.schemas import (
    DocumentIn,
    ExtensionDecisionIn,
    ExtensionIn,
    ReturnReceiptForm,
    ServiceIn,
)
from docsvc.errors import DocsvcError, Invalid, TooLarge, UnsupportedMediaType
from docsvc.identity.guard import bears_identity
from docsvc.identity.mask import masker
from docsvc.labels import label
from docsvc.models import Case, Document, User
from docsvc.profiles.catalog import catalog, document_types_for
from docsvc.timeutil import utcnow
from docsvc.ui.base import case_action, form_step, render_case, staff
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
from docsvc.web.context import database, db, env
from docsvc.web.files import file_response, store_upload
from docsvc.web.present import case_attachments

bp = Blueprint("documents", __name__)

# A document's form on the case page: (session, user, document, case); refuses by raising.
DocAct = Callable[[Session, User, Document, Case], object]


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
                    f.get("label") or f["name"].replace("_", " ").capitalize(),
                    KINDS.get(f["type"], "text"),
                    (f"fields.{f['name']}",),
                    bool(f.get("required")),
                    f.get("description", ""),
                )
                for f in spec["fields"]
            ),
        ),
        DocumentIn,
    )


def _new_document_page(
    user: Any,
    case_number: str,
    doc_type: str | None,
    form: Any,
    status: int = 200,
    replaces: list[int] | None = None,
    gaps: dict[str, str] | None = None,
) -> tuple[str, int]:
    s = db()
    case = cases.get_case(s, user, case_number)
    types = document_types_for(cases.case_profile(s, case))
    spec = next((t for t in types if t["type"] == doc_type), types[1])
    spec = {**spec, "element_labels": [elements.label(spec["type"], e) for e in spec["elements"]]}
    masked = masker(s, case)
    profile = cases.case_profile(s, case)
    # Photos are offered only where the type's wording prints them (never silently dropped).
    offers_photos = wording.prints_photos(
        wording.load(profile.code, env().settings.data_dir, spec["type"])
    )
    # The complainant's own photo is picked by number: its picture and caption are theirs,
    # shown (and audited) only when opened. Only photos: a return receipt or a scanned letter
    # is never printed as evidence.
    photos = [
        {"id": p.id, "theirs": theirs, "caption": None if theirs else masked(p.caption)}
        for p in case_photos(s, case)
        for theirs in [bears_identity(p)]
    ]
    return render_template(
        "document_new.html",
        case=case,
        types=types,
        spec=spec,
        photos=photos if offers_photos else [],
        offers_photos=offers_photos,
        masked=masked,
        profile=profile,
        replaces=replaces or [],
        gaps=gaps or {},
        form=form_for("document", document_spec(spec), form),
    ), status


@bp.route("/cases/<case_number>/documents/new")
def new_document(case_number: str) -> ResponseReturnValue:
    user = staff("cases.write")
    start_from = request.args.get("from", type=int)
    if start_from is None:
        return _new_document_page(user, case_number, request.args.get("type"), None)
    # "Start again from this draft": the form filled in as the draft is; saving it (as a draft
    # or issued) discards the old draft.
    doc, case = service.get_document(db(), user, start_from)
    if doc.status != "draft" or case.case_number != case_number:
        flash("Only a draft of this case can be started again; this is a new notice.")
        return redirect(
            url_for("ui.documents.new_document", case_number=case_number, type=doc.type)
        )
    zone = cases.case_profile(db(), case).zone
    kept(
        "document",
        document_spec({"fields": catalog()[doc.type]["fields"]}),
        _draft_values(doc, zone),
    )
    return _new_document_page(user, case_number, doc.type, None, replaces=[doc.id])


def _draft_values(doc: Document, zone: Any) -> MultiDict[str, str]:
    """A draft as the new-document form's values."""
    values: MultiDict[str, str] = MultiDict()
    values.add(
        "recipient",
        "complainant" if doc.recipient_kind == "complainant" else str(doc.recipient_party_id),
    )
    for key in ("violation_ids", "photo_ids"):
        for i in getattr(doc, key):
            values.add(key, str(i))
    for f in catalog()[doc.type]["fields"]:
        value = (doc.fields or {}).get(f["name"])
        if value in (None, ""):
            continue
        if f["type"] == "boolean":
            if value:
                values.add(f"f_{f['name']}", "on")
        elif f["type"] == "datetime":
            values.add(
                f"f_{f['name']}",
                datetime.fromisoformat(str(value)).astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
            )
        else:
            values.add(f"f_{f['name']}", str(value))
    return values


def _recipient_names(case: Any, recipients: list[str]) -> str:
    parties = {str(p.id): p.name for p in case.parties}
    names = [parties.get(r, "the complainant") for r in recipients]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


@bp.route("/cases/<case_number>/documents", methods=["POST"])
def create_documents(case_number: str) -> ResponseReturnValue:
    """One document per chosen recipient (Los Gatos VII.a.ii), drafts or issued."""
    user = staff("cases.write")
    with database().read_session() as s:  # no lock held while the notices render
        case = cases.get_case(s, user, case_number)
        zone = cases.case_profile(s, case).zone
        types = {t["type"]: t for t in document_types_for(cases.case_profile(s, case))}
        doc_type = request.form.get("type", "")
        recipients = request.form.getlist("recipient")
        names = _recipient_names(case, recipients) if recipients else ""
        # The owner's notice first: a notice to anyone else may say a separate notice is
        # sent to the owner, true once theirs is issued (Los Gatos VII.a.ii).
        owners = {str(p.id) for p in case.parties if p.role == "owner"}
        recipients.sort(key=lambda r: r not in owners)
    form = document_spec(types.get(doc_type) or {"fields": []})
    try:
        replaces = [int(i) for i in request.form.getlist("replaces")]
    except ValueError:
        replaces = []
    issue = request.form.get("action") == "issue"
    if issue and cancelled():  # Cancel on "Issue …?": back to the form as it was typed
        kept("document", form)
        flash(CANCELLED)
        return _new_document_page(user, case_number, doc_type, request.form, replaces=replaces)
    if not recipients:
        refused("document", form, {"recipient": ["choose at least one recipient."]})
        return _new_document_page(user, case_number, doc_type, request.form, 422, replaces)
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
        data, _ = load(DocumentIn(), body, "document", form)
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
            url_for("ui.documents.new_document", case_number=case_number, type=doc_type),
            keep=True,
        )
    made = []
    try:
        for data in bodies:
            # Each notice is its own unit of work: one refused does not undo the others.
            made.append(service.create_document(database(), env(), user, case_number, data))
    except DocsvcError as exc:
        bound = refused("document", form, exc)
        for name in (exc.details or {}).get("missing") or []:
            if form.get(f"f_{name}") is not None:
                bound.errors.setdefault(f"f_{name}", []).append("required before it can be issued")
        if made:
            bound.general.insert(
                0, f"{len(made)} of {len(bodies)} documents were made before this refusal."
            )
        return _new_document_page(user, case_number, doc_type, request.form, exc.status, replaces)
    service.discard_replaced(database(), user, case_number, replaces)
    done = "issued" if issue else "saved as draft"
    flash(f"{len(made)} document{'s' if len(made) != 1 else ''} {done}.")
    if not issue:
        with database().read_session() as s:
            missing: list[str] = []
            for doc_id in made:
                doc, case = service.get_document(s, user, doc_id)
                missing = missing or service.gaps(s, env(), user, doc, case)
        if missing:
            # Saved (a draft may be incomplete), but not issuable yet: the form again as typed,
            # each gap said beside its field; saving or issuing from here replaces the drafts
            # just saved.
            kept("document", form)
            flash(
                "Saved as a draft, but it cannot be issued until it has: "
                + "; ".join(elements.label(doc_type, m) for m in missing)
                + ". Fill in what is marked and save again, or come back to it from the case page."
            )
            gaps = {
                ("photo_ids" if m == "photographs" else f"f_{m}"): (
                    "Required before it can be issued: the draft was saved without it."
                )
                for m in missing
            }
            return _new_document_page(user, case_number, doc_type, request.form, 200, made, gaps)
    return redirect(url_for("ui.cases.case_page", case_number=case_number) + "#documents")


ISSUE = register("issue", Spec(()))
SERVICE = register(
    "service",
    Spec(
        (
            Field("method", "Method", "choice"),
            # Each method's own fields, in a fieldset of its own on the page.
            Field("mailed_at", "Mailed on", "datetime", required=False),
            Field(
                "article_number",
                "USPS article number",
                hint="Certified mail: the 20 or 22 digits under the barcode.",
            ),
            Field("served_at", "Served on", "datetime", required=False),
            Field(
                "served_to",
                "Received by",
                hint="Who was handed the notice, and how they relate to the property.",
            ),
            Field("served_where", "Where", hint="Where it was handed over, hung or posted."),
            Field("served_by", "Served by", hint="Who served it; you, if left empty."),
        ),
        ServiceIn,
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
        ReturnReceiptForm,
    ),
)


def _doc_action(doc_id: int, act: DocAct, done: str, key: str, spec: Spec) -> ResponseReturnValue:
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
    return redirect(url_for("ui.cases.case_page", case_number=case_number) + f"#doc-{doc_id}")


def _title(doc: Document, case: Any) -> str:
    return cases.case_profile(db(), case).document_types[doc.type]["title"]


def _already_issued(doc: Document, case: Any, back: str) -> WerkzeugResponse:
    """A second Issue (a double tap, another tab, Back and Reload): the notice as it is."""
    if doc.issued_at is None:
        flash(f"Document {doc.id} is {label(doc.status).lower()}: nothing was issued.")
    else:
        at = doc.issued_at.astimezone(cases.case_profile(db(), case).zone)
        flash(
            f"{naming.name(_title(doc, case), doc.id)} was already issued on "
            f"{at:%Y-%m-%d at %H:%M}: nothing was issued again."
        )
    return redirect(back, 303)


def _issue_question(doc: Document, case: Any) -> Ask:
    title = _title(doc, case)
    party = next((p for p in case.parties if p.id == doc.recipient_party_id), None)
    to = party.name if party else "the complainant"
    return Ask(
        f"Issue {naming.name(title, doc.id)} to {to}?",
        "It will be dated, frozen as PDF/A with its DOCX and can no longer be edited: "
        "a correction is a new notice that supersedes it.",
        "Yes, issue it",
    )


@bp.route("/documents/<int:doc_id>/issue", methods=["POST"])
def issue_document(doc_id: int) -> ResponseReturnValue:
    user = staff("cases.write")
    doc, case = service.get_document(db(), user, doc_id)
    case_number = case.case_number
    back = url_for("ui.cases.case_page", case_number=case_number) + f"#doc-{doc_id}"
    if doc.status != "draft":  # issuing is idempotent: what is issued is never issued again
        return _already_issued(doc, case, back)
    if not confirmed():
        return ask(_issue_question(doc, case), back)
    db().rollback()  # no read of ours held open while it renders and commits on its own
    try:
        service.issue_draft(database(), env(), user, doc_id)
        flash("Document issued.")
    except DocsvcError as exc:
        doc, case = service.get_document(db(), user, doc_id)
        if doc.status != "draft":  # issued by another press meanwhile: that one stands
            return _already_issued(doc, case, back)
        refused(f"issue-{doc_id}", ISSUE, exc)
        return render_case(cases.get_case(db(), user, case_number), user, status=exc.status)
    return redirect(back)


@bp.route("/documents/<int:doc_id>/service", methods=["POST"])
def serve_document(doc_id: int) -> ResponseReturnValue:
    key = f"service-{doc_id}"
    user = staff("cases.write")
    doc, case = service.get_document(db(), user, doc_id)
    if cancelled():  # Cancel on "Serve … again?": the form as it was typed
        kept(key, SERVICE)
        flash(CANCELLED)
        return render_case(case, user)
    if doc.services and not confirmed():
        return ask(_again_question(doc, case), "", keep=True)
    db().rollback()

    def act(s: Session, u: User, d: Document, c: Case) -> None:
        zone = cases.case_profile(s, c).zone
        method = request.form.get("method", "")
        mail = method.endswith("_mail")
        field = "mailed_at" if mail else "served_at"
        # A method's own date field ('when': the single field the form had before).
        when = local_to_iso(request.form.get(field) or request.form.get("when", ""), zone)
        extra = ("article_number",) if mail else ("served_to", "served_where", "served_by")
        data, problems = load(
            ServiceIn(),
            {"method": method, field: when, **pick(request.form, *extra)},
            key,
            SERVICE,
        )
        if data is None:
            raise Invalid("; ".join(problems))
        serving.record_service(s, u, d, c, data)

    return _doc_action(doc_id, act, "Service recorded.", key, SERVICE)


def _again_question(doc: Document, case: Any) -> Ask:
    """Asked before a second service of a notice: naming the first."""
    profile = cases.case_profile(db(), case)
    first = doc.services[0]
    dated = first.mailed_at or first.served_at
    assert dated is not None  # recording a service requires its date, mailed or served
    when = dated.astimezone(profile.zone)
    how = "mailed" if first.mailed_at else "served"
    to = f" to {first.served_to}" if first.served_to else ""
    name = naming.name(profile.document_types[doc.type]["title"], doc.id)
    return Ask(
        f"Record another service of {name}?",
        f"It was already {how} by {label(first.method).lower()}{to} on "
        f"{when:%Y-%m-%d at %H:%M}"
        + (
            f", and {len(doc.services) - 1} more time{'s' if len(doc.services) > 2 else ''}"
            if len(doc.services) > 1
            else ""
        )
        + ". Record another only when it must be served again or by a second method as well.",
        "Yes, record the second service",
    )


@bp.route("/documents/<int:doc_id>/return-receipt", methods=["POST"])
def document_receipt(doc_id: int) -> ResponseReturnValue:
    key = f"receipt-{doc_id}"

    def act(s: Session, u: User, d: Document, c: Case) -> None:
        zone = cases.case_profile(s, c).zone
        f = request.files.get("file")
        raw = {"status": request.form.get("status", ""), **pick(request.form, "signed_by")}
        if request.form.get("delivered_at"):
            raw["delivered_at"] = local_to_iso(request.form["delivered_at"], zone)
        data, problems = load(ReturnReceiptForm(), raw, key, RECEIPT)
        if data is None:
            raise Invalid("; ".join(problems))
        if f is None or not f.filename:
            raise Invalid("choose the scanned or electronic return receipt.", {"field": "file"})
        try:
            serving.record_return_receipt(
                s, env(), u, d, c, Upload(cast(BinaryIO, f.stream), f.filename, f.mimetype), data
            )
        except (TooLarge, UnsupportedMediaType) as exc:
            raise type(exc)(exc.message, {"field": "file"}) from exc

    return _doc_action(doc_id, act, "Return receipt recorded.", key, RECEIPT)


@bp.route("/documents/<int:doc_id>/discard", methods=["POST"])
def discard_document(doc_id: int) -> ResponseReturnValue:
    """Discard a draft, after asking (the audit trail keeps that it existed)."""
    user = staff("cases.write")
    s = db()
    doc, case = service.get_document(s, user, doc_id, for_update=confirmed())
    case_number = case.case_number
    back = url_for("ui.cases.case_page", case_number=case_number) + "#documents"
    name = naming.name(cases.case_profile(s, case).document_types[doc.type]["title"], doc.id)
    if doc.status == "draft" and not confirmed():
        party = next((p for p in case.parties if p.id == doc.recipient_party_id), None)
        return ask(
            Ask(
                f"Discard the draft {name} to {party.name if party else 'the complainant'}?",
                "It was never issued or served. It is removed from the case; the audit trail "
                "keeps that it existed and that you discarded it.",
                "Yes, discard the draft",
            ),
            back,
        )
    try:
        service.discard_draft(s, user, doc, case)
        s.commit()
    except DocsvcError as exc:
        s.rollback()
        refused(f"issue-{doc_id}", ISSUE, exc)
        return render_case(cases.get_case(s, user, case_number), user, status=exc.status)
    flash(f"Draft {name} discarded.")
    return redirect(back)


@bp.route("/documents/<int:doc_id>/<fmt>")
def document_file(doc_id: int, fmt: str) -> Response:
    user = staff()
    if fmt not in ("pdf", "docx"):
        return Response(status=404)
    doc, case = service.get_document(db(), user, doc_id)
    return file_response(db(), user, doc, case, fmt)


# ---- more time on written request (Los Gatos VII.b.ii) ---------------------------------------

EXTENSION_REQUEST = register(
    "extension-request",
    Spec(
        (
            Field("document_id", "Notice", "choice"),
            Field("requested_on", "Request received on", "date"),
            Field(
                "letter_attachment_id",
                "The written request",
                "choice",
                required=False,
                hint="A letter already among the case's files, or upload it below.",
            ),
            Field(
                "letter_file",
                "Or upload the letter",
                "file",
                required=False,
                hint="Added to the case's files as correspondence.",
            ),
            Field("reason", "Reason given"),
            Field(
                "requested_until",
                "Corrected by (the date asked for)",
                "date",
                hint="The date the letter says the violation will be corrected.",
            ),
        ),
        ExtensionIn,
    ),
)
EXTENSION_DECISION = register(
    "extension-decision",
    Spec(
        (
            Field("decision", "Decision", "choice"),
            Field("decided_by", "Decided by", hint="Name and title; you, by default."),
            Field("decided_on", "Decided on", "date"),
            Field(
                "new_compliance_date",
                "New compliance date",
                "date",
                hint="Granted only: the date asked for, unless you set another.",
            ),
            Field("decision_note", "Note"),
        ),
        ExtensionDecisionIn,
    ),
)
DECISIONS = ("granted", "refused")


def _extensions_page(case_number: str, status: int = 200) -> tuple[str, int]:
    """The case's requests for more time, and the forms to record and decide them."""
    user = staff()
    s = db()
    case = cases.get_case(s, user, case_number)
    profile = cases.case_profile(s, case)
    rule = extensions.rule_of(profile)
    zone = profile.zone
    today = utcnow().astimezone(zone).date()
    docs = {d.id: d for d in service.case_documents(s, case)}
    parties = {p.id: p.name for p in case.parties}
    granted = compliance.granted_dates(s, list(docs))

    def named(doc_id: int | None) -> str:
        d = docs.get(doc_id) if doc_id is not None else None
        return naming.name(profile.document_types[d.type]["title"], d.id) if d else ""

    notices = []
    for d in docs.values():
        if not rule or d.type not in rule["notices"] or d.status != "issued":
            continue
        due = compliance.compliance_due(d, granted, profile)
        to = parties.get(d.recipient_party_id) if d.recipient_party_id else None
        text = f"{named(d.id)} to {to or 'the complainant'}"
        text += f", to be corrected by {long_date(due, profile)}" if due else ", not yet served"
        notices.append({"id": d.id, "option": (str(d.id), text)})
    requests = []
    for ext in extensions.case_extensions(s, case):
        item = extensions.extension_view(s, ext, case)
        item["notice_name"] = named(ext.document_id)
        item["granted_name"] = named(ext.notice_document_id)
        extension_doc = docs.get(ext.notice_document_id) if ext.notice_document_id else None
        item["granted_status"] = extension_doc.status if extension_doc else None
        requests.append(item)
    masked = masker(s, case)
    # The letter is picked by number; a file that may name the complainant shows no caption.
    letters = [
        (
            str(a.id),
            f"{label(a.kind)} {a.id}"
            + ("" if bears_identity(a, s) or not a.caption else f": {masked(a.caption)}"),
        )
        for a in case_attachments(s, case)
        if a.kind != "return_receipt"
    ]
    chosen = request.args.get("document", "")
    return render_template(
        "extensions.html",
        case=case,
        rule=rule,
        profile_name=profile.name,
        notices=notices,
        requests=requests,
        letters=letters,
        decisions=DECISIONS,
        defaults={"requested_on": today.isoformat(), "document_id": chosen},
        decided_by=f"{user.display_name}, {rule['authority']}" if rule else "",
        today=today.isoformat(),
        zone=zone,
    ), status


@bp.route("/cases/<case_number>/extensions")
def extensions_page(case_number: str) -> tuple[str, int]:
    return _extensions_page(case_number)


@bp.route("/cases/<case_number>/extensions", methods=["POST"])
def request_extension(case_number: str) -> ResponseReturnValue:
    """Record a written request for more time, its letter chosen from the case's files or
    uploaded with it (in the same transaction: a refused request keeps no letter)."""
    upload = request.files.get("letter_file")
    uploading = upload is not None and bool(upload.filename)

    def build(form: MultiDict[str, str], _zone: Any) -> dict[str, Any]:
        data = pick(
            form, "document_id", "requested_on", "letter_attachment_id", "reason", "requested_until"
        )
        if uploading:
            data.pop("letter_attachment_id", None)  # the file uploaded is the letter
        return data

    def act(s: Session, user: User, case: Case, data: dict[str, Any]) -> object:
        if uploading:
            assert upload is not None
            form = {"kind": "correspondence", "caption": "Written request for more time"}
            try:
                letter = store_upload(user, case, upload, form | {"supplied_by_complainant": False})
            except DocsvcError as exc:
                raise type(exc)(exc.message, {"field": "letter_file"}) from exc
            data = data | {"letter_attachment_id": letter.id}
        elif "letter_attachment_id" not in data:
            raise Invalid(
                "choose the letter from the case's files, or upload it.",
                {"field": "letter_attachment_id"},
            )
        return extensions.request_extension(s, user, case, data)

    return case_action(
        case_number,
        # Uploaded with the form: the letter has no number until it is stored.
        ExtensionIn(partial=("letter_attachment_id",)),
        build,
        act,
        "Request for more time recorded: decide it below.",
        form="extension-request",
        spec=EXTENSION_REQUEST,
        page="ui.documents.extensions_page",
        anchor="#requests",
        reshow=_extensions_page,
    )


@bp.route("/extensions/<int:extension_id>/decision", methods=["POST"])
def decide_extension(extension_id: int) -> ResponseReturnValue:
    """Grant (after asking: it moves the compliance date and drafts the notice of extension)
    or refuse a request for more time."""
    user = staff("cases.write")
    ext, case = extensions.get_extension(db(), user, extension_id)
    case_number = case.case_number
    key = f"decide-{extension_id}"
    back = url_for("ui.documents.extensions_page", case_number=case_number) + f"#ext-{ext.id}"
    data, _ = load(
        ExtensionDecisionIn(),
        pick(
            request.form,
            "decision",
            "decided_by",
            "decided_on",
            "decision_note",
            "new_compliance_date",
        ),
        key,
        EXTENSION_DECISION,
    )
    if data is None:
        return _extensions_page(case_number, 422)
    granting = data["decision"] == "granted"

    def step(s: Session, u: User) -> None:
        row, of = extensions.get_extension(s, u, extension_id, for_update=True)
        extensions.decide(s, u, row, of, data)

    def question(s: Session, u: User) -> Ask:
        profile = cases.case_profile(s, case)
        doc, _ = service.get_document(s, u, ext.document_id)
        name = naming.name(profile.document_types[doc.type]["title"], doc.id)
        until = data.get("new_compliance_date") or ext.requested_until
        due = compliance.compliance_due(doc, compliance.granted_dates(s, [doc.id]), profile)
        party = next((p.name for p in case.parties if p.id == doc.recipient_party_id), None)
        return Ask(
            f"Grant more time on {name}, to {long_date(until, profile)}?",
            f"Its compliance date moves from {long_date(due, profile)} to "
            f"{long_date(until, profile)}, and a notice of extension to "
            f"{party or 'the recipient'} is prepared as a draft, to be issued and served like "
            "any notice. A request is decided once.",
            "Yes, grant it",
        )

    return form_step(
        "cases.write",
        step,
        "More time granted: the notice of extension is a draft among the case's documents."
        if granting
        else "Request for more time refused.",
        back,
        lambda _errors, status: _extensions_page(case_number, status),
        confirm=question if granting else None,
        form=(key, EXTENSION_DECISION),
    )
