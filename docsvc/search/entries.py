"""What each record contributes to the index, written in the record's own transaction.

A session hook (after each flush) rewrites the "meta" entry of every indexed record that was
added, changed or deleted in that flush, and queues text extraction for files, so the index
commits or rolls back with the record and cannot drift from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, event, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from docsvc.documents.naming import name
from docsvc.identity.guard import bears_identity, complaint_of_processing
from docsvc.identity.mask import masker_of, names_complainant
from docsvc.jobs.queue import enqueue
from docsvc.labels import label
from docsvc.models import (
    Attachment,
    Case,
    Complaint,
    Document,
    Inspection,
    Jurisdiction,
    Party,
    Property,
    ReturnReceipt,
    SearchEntry,
    ServiceRecord,
    Violation,
)
from docsvc.models.base import dialect_insert
from docsvc.models.cases import INSPECTION_TEXT
from docsvc.profiles.model import Profile
from docsvc.timeutil import utcnow

EXTRACT_JOB = "extract_text"
TITLE_MAX = 400


@dataclass
class Entry:
    kind: str
    ref_id: int
    case_id: int
    title: str
    body: str
    occurred_on: date | None = None
    document_id: int | None = None
    doc_type: str | None = None
    restricted: bool = False


def _join(*parts: Any) -> str:
    return "\n".join(str(p) for p in parts if p not in (None, ""))


def _day(value: Any) -> date | None:
    return value.date() if value is not None else None


def case_entries(c: Case, prop: Property) -> list[Entry]:
    return [
        Entry(
            "case",
            c.id,
            c.id,
            f"{c.case_number} · {prop.address}",
            _join(
                c.case_number,
                prop.address,
                prop.parcel,
                prop.zoning,
                prop.assessor_owner,
                c.origin.replace("_", " "),
                c.origin_note,
                c.resolution,
                c.refusal_note,
            ),
            _day(c.opened_at),
        )
    ]


def complaint_entries(x: Complaint) -> list[Entry]:
    who = complaint_of_processing(x)  # indexed restricted: found only through the guard
    out = [Entry("complaint", x.id, x.case_id, "Complaint", x.description, _day(x.received_at))]
    if who is not None:
        out.append(
            Entry(
                "complainant",
                x.id,
                x.case_id,
                "Complainant",
                _join(who.name, who.phone, who.email, who.address),
                _day(x.received_at),
                restricted=True,
            )
        )
    return out


def party_entries(p: Party) -> list[Entry]:
    return [
        Entry(
            "party",
            p.id,
            p.case_id,
            f"{p.role.replace('_', ' ').title()}: {p.name}",
            _join(p.name, p.mailing_address, p.phone, p.email),
            _day(p.created_at),
        )
    ]


def violation_entries(v: Violation) -> list[Entry]:
    return [
        Entry(
            "violation",
            v.id,
            v.case_id,
            f"Violation: {v.violation_type}",
            _join(v.violation_type.replace("-", " "), v.description, v.correction_method),
            _day(v.observed_at),
        )
    ]


def inspection_entries(i: Inspection) -> list[Entry]:
    return [
        Entry(
            "inspection",
            i.id,
            i.case_id,
            f"Inspection report by {i.investigator}",
            _join(*(getattr(i, f, None) for f in INSPECTION_TEXT)),
            _day(i.visited_at),
        )
    ]


def attachment_entries(a: Attachment) -> list[Entry]:
    # A file that may name the complainant: its caption and file name are theirs to protect,
    # so the entry is restricted and its title (shown in every hit) is neutral.
    bears = bears_identity(a)
    plain = f"{a.kind.replace('_', ' ').title()} ({a.media_type})"
    return [
        Entry(
            "attachment",
            a.id,
            a.case_id,
            plain if bears else a.caption or plain,
            _join(a.kind.replace("_", " "), a.caption, a.original_filename, a.device, a.note),
            _day(a.taken_at or a.uploaded_at),
            restricted=bears,
        )
    ]


def _profile(conn: Connection, case_id: int) -> Profile | None:
    data = conn.scalar(
        select(Jurisdiction.profile)
        .join(Case, Case.jurisdiction_code == Jurisdiction.code)
        .where(Case.id == case_id)
    )
    return Profile(data) if data else None


def _doc_name(conn: Connection, case_id: int, doc_type: str, doc_id: int) -> str:
    """The notice as its jurisdiction calls it, with its number ('Courtesy Notice CN-12')."""
    return name(label(doc_type, profile=_profile(conn, case_id)), doc_id)


def document_entries(d: Document, conn: Connection) -> list[Entry]:
    recipient = None
    if d.recipient_party_id is not None:
        recipient = conn.scalar(select(Party.name).where(Party.id == d.recipient_party_id))
    title = _doc_name(conn, d.case_id, d.type, d.id)
    return [
        Entry(
            "document",
            d.id,
            d.case_id,
            f"{title} ({label(d.status).lower()})" + (f" to {recipient}" if recipient else ""),
            _join(title, recipient, *(str(v) for v in (d.fields or {}).values())),
            _day(d.issued_at or d.created_at),
            document_id=d.id,
            doc_type=d.type,
            restricted=bears_identity(d),
        )
    ]


def receipt_entries(r: ReturnReceipt, conn: Connection) -> list[Entry]:
    row = conn.execute(
        select(Document.id, Document.case_id, Document.type)
        .join(ServiceRecord, ServiceRecord.document_id == Document.id)
        .where(ServiceRecord.id == r.service_id)
    ).first()
    if row is None:
        return []
    return [
        Entry(
            "receipt",
            r.id,
            row.case_id,
            f"Return receipt for {_doc_name(conn, row.case_id, row.type, row.id)} "
            f"({label(r.status).lower()})",
            _join("return receipt", r.status, r.signed_by),
            _day(r.delivered_at or r.recorded_at),
            document_id=row.id,
            doc_type=row.type,
        )
    ]


def _case(session: Session, c: Case) -> list[Entry]:
    prop = session.get(Property, c.property_id)
    return case_entries(c, prop) if prop is not None else []


# Each indexed model: the entry kinds it owns, and how its entries are built.
INDEXED: dict[type[Any], tuple[tuple[str, ...], Any]] = {
    Case: (("case",), _case),
    Complaint: (("complaint", "complainant"), lambda _s, x: complaint_entries(x)),
    Party: (("party",), lambda _s, x: party_entries(x)),
    Violation: (("violation",), lambda _s, x: violation_entries(x)),
    Inspection: (("inspection",), lambda _s, x: inspection_entries(x)),
    Attachment: (("attachment",), lambda _s, x: attachment_entries(x)),
    Document: (("document",), lambda s, x: document_entries(x, s.connection())),
    ReturnReceipt: (("receipt",), lambda s, x: receipt_entries(x, s.connection())),
}


def entries_of(session: Session, obj: Any) -> list[Entry]:
    """The record's meta entries; any that quotes the case's complainant (an inspection's
    witness list, a caption, a complaint's description) is restricted, found only through the
    identity guard. A party's entry stays open: a party's name is public in the record."""
    rows = INDEXED[type(obj)][1](session, obj)
    open_rows = [e for e in rows if not e.restricted and e.kind not in ("party", "complainant")]
    if open_rows:
        quotes = quotes_complainant(session.connection(), rows[0].case_id)
        for e in open_rows:
            e.restricted = quotes(f"{e.title}\n{e.body}")
    return rows


def quotes_complainant(conn: Connection, case_id: int) -> Callable[[str], bool]:
    """Whether a text of the case names its complainant: what masking would change (so the
    property's own street address, the case's subject, does not count)."""
    masked = masker_of(conn, case_id)
    return lambda text: names_complainant(masked, text)


def write(session: Session, obj: Any, *, deleted: bool = False) -> None:
    """Replace the record's meta entries (or remove every entry of a deleted record)."""
    conn = session.connection()
    kinds = INDEXED[type(obj)][0]
    if deleted:
        conn.execute(
            delete(SearchEntry).where(SearchEntry.kind.in_(kinds), SearchEntry.ref_id == obj.id)
        )
        return
    rows = entries_of(session, obj)
    # Entries the record no longer has (a complaint whose complainant was removed) go; the
    # rest are upserted, so a request and the worker writing the same record never collide.
    conn.execute(
        delete(SearchEntry).where(
            SearchEntry.kind.in_([k for k in kinds if k not in {e.kind for e in rows}]),
            SearchEntry.ref_id == obj.id,
            SearchEntry.part == "meta",
        )
    )
    if not rows:
        return
    jurisdiction = conn.scalar(
        select(Case.jurisdiction_code).where(Case.id == rows[0].case_id)
    ) or str(getattr(obj, "jurisdiction_code", ""))
    for e in rows:
        key = {"kind": e.kind, "ref_id": e.ref_id, "part": "meta", "restricted": e.restricted}
        _upsert(conn, {**key, **_shared(e, jurisdiction), "body": e.body, "source": "record"})
    # The file's text entry (if extracted) shows the record's current title, date and case;
    # its part, text, source and restriction stay its own.
    first = rows[0]
    conn.execute(
        update(SearchEntry)
        .where(
            SearchEntry.kind == first.kind,
            SearchEntry.ref_id == first.ref_id,
            SearchEntry.part == "text",
        )
        .values(_shared(first, jurisdiction))
    )


def _upsert(conn: Connection, row: dict[str, Any]) -> None:
    """Insert the entry, or overwrite the one already there (whoever wrote it first)."""
    stmt = dialect_insert(conn)(SearchEntry).values(row)
    key = ("kind", "ref_id", "part")
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=list(key),
            set_={k: getattr(stmt.excluded, k) for k in row if k not in key},
        )
    )


def _shared(e: Entry, jurisdiction: str) -> dict[str, Any]:
    """What a record's entries show of it, beside their text: never the key or restriction."""
    return {
        "case_id": e.case_id,
        "jurisdiction_code": jurisdiction,
        "document_id": e.document_id,
        "doc_type": e.doc_type,
        "occurred_on": e.occurred_on,
        "title": e.title[:TITLE_MAX],
        "updated_at": utcnow(),
    }


def write_text(session: Session, obj: Any, text: str, source: str) -> bool:
    """Store a file's extracted text beside its record's meta entry. False when the record
    has no meta entry (it was deleted while the text was being read)."""
    conn = session.connection()
    kind = INDEXED[type(obj)][0][0]
    meta = conn.execute(
        select(SearchEntry).where(
            SearchEntry.kind == kind, SearchEntry.ref_id == obj.id, SearchEntry.part == "meta"
        )
    ).first()
    if meta is None:
        return False
    _upsert(
        conn,
        {
            "kind": kind,
            "ref_id": obj.id,
            "part": "text",
            "case_id": meta.case_id,
            "jurisdiction_code": meta.jurisdiction_code,
            "document_id": meta.document_id,
            "doc_type": meta.doc_type,
            "occurred_on": meta.occurred_on,
            "title": meta.title,
            "body": text,
            "restricted": text_restricted(session, obj, text, meta.case_id),
            "source": source,
            "updated_at": utcnow(),
        },
    )
    return True


def needs_text(obj: Any) -> bool:
    """Files whose text the worker extracts: attachments other than photos (a scene has no
    text worth OCR; its caption and EXIF are indexed), and issued documents' PDFs."""
    if isinstance(obj, Attachment):
        return obj.kind != "photo"
    return isinstance(obj, Document) and obj.status == "issued" and obj.pdf_sha256 is not None


def text_restricted(session: Session, obj: Any, text: str, case_id: int) -> bool:
    """A file whose text may carry the complainant's identity: what they supplied, the
    complaint form, a letter addressed to them, or any other file whose text names them (a
    reply that quotes their phone number): shown only through the identity guard."""
    return bears_identity(obj) or quotes_complainant(session.connection(), case_id)(text)


def job_kind(kind: str) -> str:
    return f"{EXTRACT_JOB}:{kind}"


def install() -> None:
    """Hook the index into every session (idempotent): each write updates its entries in the
    same transaction."""
    if not event.contains(Session, "after_flush", _index_flush):
        event.listen(Session, "after_flush", _index_flush)


def _index_flush(session: Session, _context: Any) -> None:
    conn = session.connection()
    cases_touched: set[int] = set()
    written: set[tuple[type, int]] = set()
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, Property):
            cases_touched.update(
                conn.scalars(select(Case.id).where(Case.property_id == obj.id)).all()
            )
        if type(obj) not in INDEXED:
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        write(session, obj)
        written.add((type(obj), obj.id))
        fresh = obj in session.new or isinstance(obj, Document)
        if needs_text(obj) and fresh and not _text_done(conn, obj):
            enqueue(conn, job_kind(INDEXED[type(obj)][0][0]), obj.id)
    for obj in session.deleted:
        if type(obj) in INDEXED:
            write(session, obj, deleted=True)
    for case_id in cases_touched - {i for t, i in written if t is Case}:
        case = session.get(Case, case_id)
        if case is not None:
            write(session, case)


def _text_done(conn: Connection, obj: Any) -> bool:
    return (
        conn.scalar(
            select(SearchEntry.id).where(
                SearchEntry.kind == INDEXED[type(obj)][0][0],
                SearchEntry.ref_id == obj.id,
                SearchEntry.part == "text",
            )
        )
        is not None
    )
