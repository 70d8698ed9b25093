"""The document lifecycle: draft -> issued (frozen, rendered, hashed) -> superseded. Service of
process is documents/serving.py.

Issuing freezes the context the document was filled from and stores the PDF/A and DOCX in the
content store: later downloads return the same bytes. A correction is a new document naming
the one it supersedes; both stay in the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.attachments.service import register_blob
from docsvc.audit import actor_of, append
from docsvc.auth.scope import visible
from docsvc.cases.service import _require_open, case_profile, get_case
from docsvc.db import Database
from docsvc.documents import (
    agreements,
    deadlines,
    elements,
    preconditions,
    records,
    seals,
    templates,
    wording,
)
from docsvc.documents.context import build_context, long_date, long_datetime, with_defaults
from docsvc.documents.docx import render_docx
from docsvc.documents.env import Env
from docsvc.documents.fields import field_schema, jsonable
from docsvc.documents.pdf import html_environment, render_pdf
from docsvc.documents.serving import add_service, check_method, check_service_time, deadline_of
from docsvc.errors import Conflict, Invalid, NotFound
from docsvc.identity import guard
from docsvc.labels import label
from docsvc.models import (
    Attachment,
    BuildingInspectorNotice,
    Case,
    Citation,
    Document,
    Party,
    User,
    Violation,
)
from docsvc.profiles.catalog import catalog
from docsvc.profiles.model import Profile
from docsvc.store import StoredFile
from docsvc.timeutil import utcnow
from docsvc.validation import flatten_errors

PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
STATUS_AFTER_ISSUE = {
    "warning_notice": "notice_issued",
    "notice_of_violation": "notice_issued",
    "stop_work_order": "notice_issued",
    "voluntary_compliance_agreement": "in_compliance_agreement",
}


def get_document(
    session: Session, user: User, doc_id: int, *, for_update: bool = False
) -> tuple[Document, Case]:
    stmt = select(Document).where(Document.id == doc_id)
    if for_update:
        stmt = stmt.with_for_update()
    doc = session.scalar(stmt)
    case = session.get(Case, doc.case_id) if doc else None
    if doc is None or case is None or not visible(user, case.jurisdiction_code):
        raise NotFound(f"no document {doc_id} that you can see.")
    return doc, case


def _fields(doc_type: str, raw: dict[str, Any]) -> dict[str, Any]:
    try:
        return jsonable(field_schema(doc_type).load(raw))
    except ValidationError as exc:
        lines = flatten_errors(exc.messages, "fields", root="fields")
        raise Invalid("fix these fields: " + "; ".join(lines), {"fields": exc.messages}) from exc


def _recipient(
    session: Session, case: Case, doc_type: str, data: dict[str, Any]
) -> tuple[str, int | None]:
    wants = catalog()[doc_type]["recipient"]
    if data.get("recipient") == "complainant":
        if wants != "complainant":
            raise Invalid(
                "the complainant is never a recipient of a document served on the respondent; "
                "choose a party as recipient_party_id.",
                {"field": "recipient"},
            )
        who = guard.complaint_of_processing(case.complaint)
        if who is None or not who.name:
            raise Invalid(
                "this case has no identified complainant to send the notice to.",
                {"field": "recipient"},
            )
        return "complainant", None
    party_id = data.get("recipient_party_id")
    if wants == "complainant":
        raise Invalid(
            "a notice of resolution goes to the complainant: set recipient to 'complainant'.",
            {"field": "recipient"},
        )
    if party_id is None:
        raise Invalid(
            "name the recipient: recipient_party_id (one notice per recipient).",
            {"field": "recipient_party_id"},
        )
    party = session.get(Party, party_id)
    if party is None or party.case_id != case.id:
        raise Invalid(
            f"party {party_id} is not a party of case {case.case_number}.",
            {"field": "recipient_party_id"},
        )
    return "party", party.id


_M = TypeVar("_M", Violation, Attachment)


def _ids_in_case(
    session: Session, model: type[_M], ids: list[int], case: Case, what: str
) -> list[_M]:
    rows: dict[int, _M] = (
        {r.id: r for r in session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}
    )
    bad = [i for i in ids if i not in rows or rows[i].case_id != case.id]
    if bad:
        raise Invalid(
            f"{what} {', '.join(map(str, bad))} not in case {case.case_number}.",
            {"field": f"{what}_ids"},
        )
    return [rows[i] for i in ids]


def _check_inputs(
    session: Session, case: Case, doc: Document
) -> tuple[list[Violation], list[Attachment]]:
    violations = _ids_in_case(session, Violation, doc.violation_ids, case, "violation")
    photos = _ids_in_case(session, Attachment, doc.photo_ids, case, "photo")
    # A return receipt, a letter or a scan is never printed as an evidence photo, even when
    # it is a JPEG with a print rendition.
    not_photos = [p.id for p in photos if p.kind != "photo" or p.print_sha256 is None]
    if not_photos:
        raise Invalid(
            f"files {', '.join(map(str, not_photos))} are not photographs of the property "
            "(a return receipt, a letter or a scan); choose only photos.",
            {"field": "photo_ids"},
        )
    theirs = [p.id for p in photos if p.supplied_by_complainant]
    if theirs and doc.recipient_kind != "complainant":
        # Their picture can show who or where they are (the view from their window, a name
        # or a date stamp burned into the pixels): it is never served on the respondent.
        raise Invalid(
            f"photos {theirs} were supplied by the complainant and may show who or where they "
            "are, so they are not served on the respondent: choose the officer's own photos.",
            {"field": "photo_ids"},
        )
    return violations, photos


def _offered(session: Session, case: Case, doc_type: str) -> Profile:
    profile = case_profile(session, case)
    if doc_type not in profile.document_types:
        raise Invalid(
            f"{profile.name} does not use a {label(doc_type).lower()}; choose one of its "
            "document types.",
            {"field": "type"},
        )
    return profile


def _from_citation(session: Session, case: Case, data: dict[str, Any]) -> dict[str, Any]:
    """A Uniform Citation and Complaint is made from its citation: addressed to the cited
    party, about the cited violation."""
    cit_id = data.get("citation_id")
    citation = session.get(Citation, cit_id) if cit_id is not None else None
    if citation is None or citation.case_id != case.id:
        raise Invalid(
            "a Uniform Citation and Complaint is made from a citation of this case: give its "
            "citation_id (record the citation first)."
            if cit_id is None
            else f"citation {cit_id} is not a citation of case {case.case_number}.",
            {"field": "citation_id"},
        )
    party = data.get("recipient_party_id")
    if party is not None and party != citation.party_id:
        raise Invalid(
            "the Uniform Citation and Complaint goes to the cited party; leave "
            "recipient_party_id out or name that party.",
            {"field": "recipient_party_id"},
        )
    return {
        **data,
        "recipient_party_id": citation.party_id,
        "violation_ids": [citation.violation_id],
    }


def build(
    session: Session, user: User, case: Case, data: dict[str, Any], *, from_record: bool = False
) -> Document:
    """A validated, unsaved document from a request (DocumentIn). `from_record`: a type made
    from a record (a notice of extension) built by the service that decided it."""
    profile = _offered(session, case, data["type"])
    if data["type"] != "notice_of_resolution":
        _require_open(case, "issuing a notice")
    made_from = catalog()[data["type"]].get("made_from")
    if made_from == "extension" and not from_record:
        raise Invalid(
            f"a {profile.document_types[data['type']]['title']} is prepared when a request for "
            "more time is granted (POST /api/extensions/<id>/decision), not typed in.",
            {"field": "type"},
        )
    if made_from == "citation":
        data = _from_citation(session, case, data)
    elif data.get("citation_id") is not None:
        raise Invalid(
            "citation_id is only for a document made from a citation.", {"field": "citation_id"}
        )
    preconditions.check_reason_applies(profile, data["type"], data.get("no_warning_reason"))
    kind, party_id = _recipient(session, case, data["type"], data)
    now = utcnow()
    doc = Document(
        case_id=case.id,
        type=data["type"],
        status="draft",
        recipient_kind=kind,
        recipient_party_id=party_id,
        violation_ids=list(data.get("violation_ids") or []),
        photo_ids=list(data.get("photo_ids") or []),
        fields=_fields(data["type"], data.get("fields") or {}),
        no_warning_reason=(data.get("no_warning_reason") or "").strip() or None,
        citation_id=data.get("citation_id") if made_from == "citation" else None,
        created_at=now,
        created_by_id=user.id,
        updated_at=now,
    )
    _check_inputs(session, case, doc)
    if data.get("supersedes") is not None:
        _supersedable(session, case, data["supersedes"])
        doc.supersedes_id = data["supersedes"]
    return doc


def _supersedable(session: Session, case: Case, doc_id: int) -> Document:
    old = session.get(Document, doc_id)
    if old is None or old.case_id != case.id:
        raise Invalid(f"document {doc_id} is not in this case.", {"field": "supersedes"})
    if old.status != "issued":
        raise Conflict(
            f"document {old.id} is {old.status}; only an issued document can be superseded."
        )
    return old


def _add_draft(session: Session, user: User, case: Case, doc: Document) -> Document:
    session.add(doc)
    session.flush()
    append(
        session,
        actor_of(user),
        "document.create",
        "document",
        doc.id,
        case_id=case.id,
        fields=[
            "type",
            "recipient",
            "violation_ids",
            "photo_ids",
            *(["no_warning_reason"] if doc.no_warning_reason else []),
            *(["citation_id"] if doc.citation_id else []),
            *doc.fields,
        ],
    )
    return doc


def draft_from_record(session: Session, user: User, case: Case, data: dict[str, Any]) -> Document:
    """A draft of a type made from a record, prepared by the service that made the record."""
    return _add_draft(session, user, case, build(session, user, case, data, from_record=True))


def create_document(
    database: Database, env: Env, user: User, case_number: str, data: dict[str, Any]
) -> int:
    """Create a document, issued unless data['draft']; returns its id.

    Issuing renders with no write lock held (a read-only unit of work), then writes every
    row in one short transaction that re-checks what may have changed meanwhile: officers
    issuing at once are not queued behind each other's rendering.
    """
    if data.get("draft"):
        with database.session() as session:
            case = get_case(session, user, case_number, for_update=True)
            doc = _add_draft(session, user, case, build(session, user, case, data))
            session.commit()
            return doc.id
    with database.read_session() as session:
        case = get_case(session, user, case_number)
        prepared = prepare(
            session, env, user, build(session, user, case, data), case, data.get("served")
        )
    with database.session() as session:
        case = get_case(session, user, case_number, for_update=True)
        doc = build(session, user, case, data)  # re-validated against the state now
        _add_draft(session, user, case, doc)
        commit(session, user, doc, case, prepared)
        session.commit()
        return doc.id


def issue_draft(database: Database, env: Env, user: User, doc_id: int) -> None:
    with database.read_session() as session:
        doc, case = get_document(session, user, doc_id)
        if doc.status != "draft":
            raise Conflict(f"document {doc.id} is already {doc.status}.")
        prepared = prepare(session, env, user, doc, case, None)
    with database.session() as session:
        doc, case = get_document(session, user, doc_id, for_update=True)
        if doc.status != "draft" or doc.updated_at != prepared.based_on:
            raise Conflict(f"document {doc.id} changed while it was being issued; try again.")
        commit(session, user, doc, case, prepared)
        session.commit()


def update_draft(
    session: Session, user: User, doc: Document, case: Case, data: dict[str, Any]
) -> Document:
    if doc.status != "draft":
        raise Conflict(
            f"document {doc.id} is {doc.status}: an issued document is never edited; "
            "issue a correction that supersedes it."
        )
    if "recipient_party_id" in data or "recipient" in data:
        doc.recipient_kind, doc.recipient_party_id = _recipient(session, case, doc.type, data)
    for key in ("violation_ids", "photo_ids"):
        if key in data:
            setattr(doc, key, list(data[key] or []))
    if "fields" in data:
        doc.fields = _fields(doc.type, {**doc.fields, **(data["fields"] or {})})
    if "no_warning_reason" in data:
        reason = (data["no_warning_reason"] or "").strip() or None
        preconditions.check_reason_applies(case_profile(session, case), doc.type, reason)
        doc.no_warning_reason = reason
    _check_inputs(session, case, doc)
    doc.updated_at = utcnow()
    append(
        session,
        actor_of(user),
        "document.update",
        "document",
        doc.id,
        case_id=case.id,
        fields=sorted(data),
    )
    return doc


def gaps(session: Session, env: Env, user: User, doc: Document, case: Case) -> list[str]:
    """What a draft still lacks before it can be issued (element and field keys; empty when
    it is complete): a draft may be saved incomplete, and says so."""
    profile = case_profile(session, case)
    try:
        context = _context(session, user, doc, case, profile, utcnow())
        _require_elements(doc, profile, context, env.settings.data_dir)
    except MissingElements as exc:
        return list(exc.details["missing"])
    return []


def discard_draft(session: Session, user: User, doc: Document, case: Case) -> None:
    """Remove a draft (never issued, so nothing was served or frozen); the audit trail keeps
    that it existed and who discarded it."""
    if doc.status != "draft":
        raise Conflict(
            f"this {case_profile(session, case).document_types[doc.type]['title']} is "
            f"{label(doc.status).lower()}: only a draft can be discarded; an issued notice is "
            "corrected by a new one that supersedes it."
        )
    append(
        session,
        actor_of(user),
        "document.discard",
        "document",
        doc.id,
        case_id=case.id,
        fields=["status"],
    )
    session.delete(doc)
    session.flush()


def discard_replaced(database: Database, user: User, case_number: str, ids: list[int]) -> int:
    """Discard the drafts a new one was started from ('Start again from this draft'), each in
    its own unit of work; one already issued or gone meanwhile is left as it is. How many."""
    done = 0
    for doc_id in ids:
        with database.session() as session:
            try:
                doc, case = get_document(session, user, doc_id, for_update=True)
            except NotFound:
                continue
            if doc.status != "draft" or case.case_number != case_number:
                continue
            discard_draft(session, user, doc, case)
            session.commit()
            done += 1
    return done


def _context(
    session: Session,
    user: User,
    doc: Document,
    case: Case,
    profile: Profile,
    now: datetime,
    data_dir: Path | None = None,
) -> dict[str, Any]:
    violations, photos = _check_inputs(session, case, doc)
    party = session.get(Party, doc.recipient_party_id) if doc.recipient_party_id else None
    supersedes = session.get(Document, doc.supersedes_id) if doc.supersedes_id else None
    context = build_context(
        doc=doc,
        case=case,
        profile=profile,
        issuer=user,
        party=party,
        violations=violations,
        photos=photos,
        now=now,
        supersedes=supersedes,
        record=records.record_for(session, doc, profile),
        others=guard.others_about_the_property(session, case.id),
        seal=seals.seal_of(profile.code, data_dir),
    )
    # Whether "a separate notice is sent to the owner" is true of this notice: said only when
    # it is (None: addressed to the owner, or to no party).
    context["recipient"]["owner_notified"] = preconditions.owner_notified(session, case, doc)
    return context


def _check_rules(session: Session, doc: Document, case: Case, context: dict[str, Any]) -> None:
    if doc.type == "voluntary_compliance_agreement":
        party = session.get(Party, doc.recipient_party_id) if doc.recipient_party_id else None
        agreements.check_vca(
            session, case, party, {v["type"] for v in context["violations"]}, context["fields"]
        )
    if doc.type == "settlement_agreement":
        agreements.check_settlement(doc.fields)


def rendered(
    env: Env, profile: Profile, context: dict[str, Any], *, preview: bool
) -> tuple[bytes, bytes]:
    """(PDF, DOCX) for a context, with the type's wording laid in."""
    context = with_defaults(context)
    doc_type = context["document"]["type"]
    search = templates.search_path(profile.code, env.settings.data_dir)
    words = wording.load(profile.code, env.settings.data_dir, doc_type)
    full = {**context, "sections": wording.render_sections(words, context)}
    stylesheet = templates.find(profile.code, env.settings.data_dir, "_layout/notice.css")
    data_dir = env.settings.data_dir
    pdf = render_pdf(
        html_environment(search),
        doc_type,
        full,
        env.store,
        stylesheet,
        preview=preview,
        seal=seals.seal_path(profile.code, data_dir, context["seal"]),
    )
    docx_path = templates.find(
        profile.code, data_dir, f"{doc_type}/notice.docx", "_layout/notice.docx"
    )
    raster = seals.raster_of(profile.code, data_dir, context["seal"])
    return pdf, render_docx(Path(docx_path), full, env.store, preview=preview, seal=raster)


def _require_elements(
    doc: Document, profile: Profile, context: dict[str, Any], data_dir: Path
) -> None:
    words = wording.load(profile.code, data_dir, doc.type)
    if doc.photo_ids and not wording.prints_photos(words):
        # Chosen photos would be dropped silently: the type's wording has no place for them.
        raise Invalid(
            f"a {profile.document_types[doc.type]['title']} in {profile.name} prints no "
            "photographs; leave the photographs unticked or issue a notice that carries them.",
            {"field": "photo_ids"},
        )
    missing = elements.missing(doc.type, context, wording.carried_elements(words))
    if missing:
        raise MissingElements(doc.type, missing)


class MissingElements(Invalid):
    code = "missing_elements"

    def __init__(self, doc_type: str, missing: list[str]) -> None:
        said = [elements.label(doc_type, m) for m in missing]
        super().__init__(
            "the document lacks what it must contain: "
            + "; ".join(said)
            + ". Supply "
            + ("it" if len(said) == 1 else "them")
            + " (fields, violations, photographs, the officer's badge) and try again.",
            {"missing": missing, "missing_labels": said},
        )


def preview(
    session: Session, env: Env, user: User, doc: Document, case: Case
) -> tuple[bytes, bytes]:
    profile = case_profile(session, case)
    return rendered(
        env,
        profile,
        _context(session, user, doc, case, profile, utcnow(), env.settings.data_dir),
        preview=True,
    )


def due_text(unit: str | None, due: datetime | None, profile: Profile) -> str:
    """A compliance date as the notice prints it: the day for a rule counted in days (it ends
    at the close of that day), the day and time for hours or an immediate rule."""
    if due is None:
        return ""
    if unit in ("calendar_days", "business_days", "months"):
        return long_date(due, profile)
    return long_datetime(due, profile)


@dataclass
class Prepared:
    """A document ready to issue: its frozen context and its stored, hashed files."""

    context: dict[str, Any]
    pdf: StoredFile
    docx: StoredFile
    issued_at: datetime
    based_on: datetime  # the draft's updated_at when it was read
    served: dict[str, Any] | None


def prepare(
    session: Session,
    env: Env,
    user: User,
    doc: Document,
    case: Case,
    served: dict[str, Any] | None = None,
) -> Prepared:
    """Freeze, check and render a document; its files go to the store (an issue that never
    commits leaves them unreferenced, which verify reports and nothing serves)."""
    profile = case_profile(session, case)
    now = utcnow()
    preconditions.check(session, profile, case, doc)
    context = _context(session, user, doc, case, profile, now, env.settings.data_dir)
    _require_elements(doc, profile, context, env.settings.data_dir)
    _check_rules(session, doc, case, context)
    if served:
        check_method(profile, doc.type, served["method"], immediate=True)
        check_service_time(served["served_at"], now, "served.served_at")
        effective, _ = deadlines.effective_service(
            served["method"],
            served_at=served["served_at"],
            mailed_at=None,
            delivered_at=None,
            unclaimed=False,
            profile=profile,
        )
        # Served at issue means served in person, by door hanger or posting: effective at once.
        assert effective is not None
        due = deadline_of(context, effective, profile)
        how = label(served["method"]).lower()  # "personal service", "posting at the property"
        context["deadline"]["date_text"] = due_text(context["deadline"]["unit"], due, profile)
        # Each violation's own date, from its own rule (a notice may mix rules); a rule that
        # takes effect on service keeps its words ("immediately upon service").
        for v in context["violations"]:
            if v["type"] in profile.violation_types and not context["deadline"]["fixed"]:
                rule = deadlines.Rule.of(profile.violation_types[v["type"]]["deadline"])
                if rule.unit in ("immediate", "stop_work_order"):
                    continue
                own = deadlines.deadline(rule, effective, profile)
                v["deadline_text"] = f"by {due_text(rule.unit, own, profile)}"
        context["deadline"]["service_text"] = (
            f"Served by {how} on {long_datetime(effective, profile)}."
        )
    pdf, docx = rendered(env, profile, context, preview=False)
    return Prepared(
        context, env.store.put_bytes(pdf), env.store.put_bytes(docx), now, doc.updated_at, served
    )


def commit(session: Session, user: User, doc: Document, case: Case, prepared: Prepared) -> Document:
    """Record a prepared issue in the caller's (write) transaction."""
    if doc.type != "notice_of_resolution":
        _require_open(case, "issuing a notice")
    profile = case_profile(session, case)
    preconditions.check(session, profile, case, doc)  # again: the case may have changed
    now, context, served = prepared.issued_at, prepared.context, prepared.served
    context["document"]["id"] = doc.id
    pdf_file, docx_file = prepared.pdf, prepared.docx
    register_blob(session, pdf_file.sha256, pdf_file.size, PDF_TYPE)
    register_blob(session, docx_file.sha256, docx_file.size, DOCX_TYPE)
    doc.context = context
    doc.pdf_sha256, doc.docx_sha256 = pdf_file.sha256, docx_file.sha256
    doc.status, doc.issued_at, doc.issued_by_id, doc.updated_at = "issued", now, user.id, now
    if doc.supersedes_id:
        old = _supersedable(session, case, doc.supersedes_id)
        old.status, old.superseded_at = "superseded", now
        append(
            session,
            actor_of(user),
            "document.supersede",
            "document",
            old.id,
            case_id=case.id,
            fields=["status"],
            hashes={"superseded_by": str(doc.id)},
        )
    if doc.type == "stop_work_order" and context["fields"].get("involves_structure"):
        session.add(
            BuildingInspectorNotice(
                document_id=doc.id,
                inspector=context["fields"]["building_inspector"],
                notified_at=datetime.fromisoformat(
                    context["fields"]["building_inspector_notified_at"]
                ),
                method="recorded with the stop work order",
                recorded_by_id=user.id,
            )
        )
    if doc.type in STATUS_AFTER_ISSUE and case.status in ("open", "investigating", "notice_issued"):
        case.status = STATUS_AFTER_ISSUE[doc.type]
    case.updated_at = now
    append(
        session,
        actor_of(user),
        "document.issue",
        "document",
        doc.id,
        case_id=case.id,
        fields=["status", "context", *(["no_warning_reason"] if doc.no_warning_reason else [])],
        hashes={"pdf": pdf_file.sha256, "docx": docx_file.sha256},
    )
    session.flush()
    if served:
        add_service(session, user, doc, case, profile, served)
    return doc


def case_documents(session: Session, case: Case) -> list[Document]:
    """The case's documents, oldest first."""
    return list(
        session.scalars(select(Document).where(Document.case_id == case.id).order_by(Document.id))
    )
