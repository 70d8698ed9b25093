"""What goes into a court bundle, in order: the case file's records as entries, each either
generated here (a page laid out from the records: the timeline, the complaint, inspection
reports, proofs of service, the ledger, photos with their provenance) or a stored file (an
issued notice or agreement, a return receipt, correspondence) with the SHA-256 of its source.

In the redacted variant (for service on the respondent) the complainant's identity is taken out
the way the disclosure release takes it out: generated text scrubbed at the data layer, issued
documents rendered again from their frozen data without it, uploaded files with every identifier
found (text layer or OCR) burned out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.disclosure.identity import Needle, replace_spans
from docsvc.disclosure.pages import find_boxes, rebuild
from docsvc.disclosure.renditions import (
    attachment_pdf,
    document_pdf,
    document_title,
    public_context,
)
from docsvc.documents.service import Env
from docsvc.models import (
    Appeal,
    Attachment,
    Case,
    Citation,
    Document,
    LedgerEntry,
    Lien,
    ReturnReceipt,
    ServiceRecord,
    User,
)
from docsvc.money.ledger import case_balances
from docsvc.profiles.model import Profile
from docsvc.timeutil import utcnow

AGREEMENTS = ("voluntary_compliance_agreement", "settlement_agreement")
SECTIONS = (
    "Timeline",
    "Complaint",
    "Inspection reports",
    "Notices and proof of service",
    "Agreements",
    "Ledger",
    "Photographs",
    "Correspondence",
)


@dataclass
class Entry:
    """One record in the bundle. Generated entries carry a fragment to lay out; stored ones a
    function that gives their PDF when the bundle is assembled (read one at a time)."""

    key: str
    section: str
    title: str
    on: str | None = None
    level: int = 1  # 2: belongs to the record before it (a proof of service, a receipt)
    fragment: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    pdf: Callable[[], bytes] | None = None
    sources: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0


@dataclass
class Redaction:
    needles: list[Needle]
    label: str

    def text(self, value: str | None) -> str | None:
        return replace_spans(value, self.needles, self.label)[0] if value else value

    def values(self, values: dict[str, Any]) -> dict[str, Any]:
        return public_context(values, self.needles, self.label)


def gather(
    session: Session, env: Env, case: Case, profile: Profile, redaction: Redaction | None
) -> list[Entry]:
    zone = profile.zone
    names = {u.id: u.display_name or u.username for u in session.scalars(select(User))}
    out: list[Entry] = []

    def add(entry: Entry) -> None:
        entry.key = f"e{len(out) + 1}"
        if redaction and entry.fragment:
            entry.values = redaction.values(entry.values)
            entry.title = redaction.text(entry.title) or entry.title
        out.append(entry)

    docs = session.scalars(
        select(Document)
        .where(Document.case_id == case.id, Document.issued_at.is_not(None))
        .order_by(Document.issued_at, Document.id)
    ).all()
    add(
        Entry(
            "",
            "Timeline",
            "Chronology of the case",
            fragment="timeline",
            values={"events": _timeline(session, case, docs, zone)},
        )
    )
    add(_complaint(case, zone, names, redaction))
    attachments = session.scalars(
        select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.uploaded_at)
    ).all()
    receipt_ids = set(
        session.scalars(
            select(ReturnReceipt.attachment_id)
            .join(ServiceRecord, ServiceRecord.id == ReturnReceipt.service_id)
            .join(Document, Document.id == ServiceRecord.document_id)
            .where(Document.case_id == case.id)
        )
    )
    for att in attachments:
        if att.kind == "complaint_form" or (att.supplied_by_complainant and att.kind != "photo"):
            add(
                _stored_attachment(
                    env, case, att, "Complaint", "Complaint as received", zone, redaction
                )
            )
    for insp in case.inspections:
        add(
            Entry(
                "",
                "Inspection reports",
                f"Inspection report, {_day(insp.visited_at, zone)}",
                _day(insp.visited_at, zone),
                fragment="inspection",
                values={"i": _columns(insp), "visited": _when(insp.visited_at, zone)},
            )
        )
    for doc in (d for d in docs if d.type not in AGREEMENTS):
        _notice(session, env, case, profile, doc, zone, names, redaction, add)
    for doc in (d for d in docs if d.type in AGREEMENTS):
        add(_stored_document(env, profile, doc, "Agreements", zone, redaction))
    add(_ledger(session, case, zone))
    photos = [a for a in attachments if a.kind == "photo"]
    for n, att in enumerate(photos, 1):
        add(_photo(att, n, len(photos), zone, names))
    for att in attachments:
        if att.kind in ("correspondence", "other") and att.id not in receipt_ids:
            title = f"{att.kind.capitalize()}, filed {_day(att.uploaded_at, zone)}"
            add(_stored_attachment(env, case, att, "Correspondence", title, zone, redaction))
    return out


def _complaint(
    case: Case, zone: ZoneInfo, names: dict[int, str], redaction: Redaction | None
) -> Entry:
    c = case.complaint
    values: dict[str, Any] = {"complaint": None}
    if c is not None:
        withheld = redaction.label if redaction else None
        values["complaint"] = {
            "received": _when(c.received_at, zone),
            "channel": c.channel,
            "description": c.description,
            "anonymous": c.anonymous,
            "name": withheld or c.complainant_name,
            "phone": withheld or c.complainant_phone,
            "email": withheld or c.complainant_email,
            "address": withheld or c.complainant_address,
            "recorded_by": names.get(c.recorded_by_id, ""),
        }
    values["origin"] = case.origin
    on = _day(c.received_at, zone) if c else _day(case.opened_at, zone)
    return Entry(
        "", "Complaint", "Complaint and intake record", on, fragment="complaint", values=values
    )


def _notice(
    session: Session,
    env: Env,
    case: Case,
    profile: Profile,
    doc: Document,
    zone: ZoneInfo,
    names: dict[int, str],
    redaction: Redaction | None,
    add: Callable[[Entry], None],
) -> None:
    add(_stored_document(env, profile, doc, "Notices and proof of service", zone, redaction))
    services = doc.services
    if not services:
        return
    rows = [
        {
            "method": s.method.replace("_", " "),
            "status": s.status,
            "served": _when(s.served_at, zone),
            "mailed": _when(s.mailed_at, zone),
            "article": s.article_number,
            "effective": _when(s.effective_at, zone),
            "rule": s.effective_rule,
            "note": s.note,
            "by": names.get(s.recorded_by_id, ""),
            "receipts": [
                {
                    "status": r.status,
                    "delivered": _when(r.delivered_at, zone),
                    "signed_by": r.signed_by,
                }
                for r in s.receipts
            ],
        }
        for s in services
    ]
    add(
        Entry(
            "",
            "Notices and proof of service",
            "Proof of service",
            level=2,
            fragment="service",
            values={"document": document_title(doc), "services": rows},
        )
    )
    for s in services:
        for r in s.receipts:
            att = session.get(Attachment, r.attachment_id)
            assert att is not None
            entry = _stored_attachment(
                env,
                case,
                att,
                "Notices and proof of service",
                f"Return receipt ({r.status})",
                zone,
                redaction,
            )
            entry.level = 2
            add(entry)


def _stored_document(
    env: Env,
    profile: Profile,
    doc: Document,
    section: str,
    zone: ZoneInfo,
    redaction: Redaction | None,
) -> Entry:
    assert doc.pdf_sha256 is not None and doc.issued_at is not None
    title = document_title(doc) + (" (superseded)" if doc.superseded_at else "")

    def pdf() -> bytes:
        if redaction:
            return document_pdf(env, profile, doc, redaction.needles, redaction.label)
        return env.store.open_verified(doc.pdf_sha256 or "")

    return Entry(
        "",
        section,
        f"{title}, issued {_day(doc.issued_at, zone)}",
        _day(doc.issued_at, zone),
        pdf=pdf,
        sources=[
            {
                "record": f"document {doc.id}",
                "sha256": doc.pdf_sha256,
                "media_type": "application/pdf",
            }
        ],
    )


def _stored_attachment(
    env: Env,
    case: Case,
    att: Attachment,
    section: str,
    title: str,
    zone: ZoneInfo,
    redaction: Redaction | None,
) -> Entry:
    def pdf() -> bytes:
        data = attachment_pdf(env, case, att)
        if redaction:
            boxes, _ = find_boxes(data, redaction.needles)
            if boxes:
                return rebuild(data, boxes, redaction.label, title)
        return data

    return Entry(
        "",
        section,
        title,
        _day(att.uploaded_at, zone),
        pdf=pdf,
        sources=[
            {
                "record": f"attachment {att.id}",
                "sha256": att.sha256,
                "media_type": att.media_type,
                "size": att.size,
            }
        ],
    )


def _photo(att: Attachment, n: int, total: int, zone: ZoneInfo, names: dict[int, str]) -> Entry:
    taken = att.taken_at_local or (_when(att.taken_at, zone) if att.taken_at else None)
    values = {
        "image": att.print_sha256 or att.sha256,
        "caption": att.caption,
        "taken": taken,
        "officer": names.get(att.uploaded_by_id, ""),
        "uploaded": _when(att.uploaded_at, zone),
        "gps": f"{att.gps_lat:.6f}, {att.gps_lon:.6f}" if att.gps_lat is not None else None,
        "device": att.device,
        "sha256": att.sha256,
        "n": n,
        "total": total,
    }
    sources = [
        {
            "record": f"attachment {att.id}",
            "sha256": att.sha256,
            "media_type": att.media_type,
            "size": att.size,
        }
    ]
    if att.print_sha256:
        sources.append(
            {
                "record": f"attachment {att.id} (print rendition shown)",
                "sha256": att.print_sha256,
                "media_type": "image/jpeg",
            }
        )
    return Entry(
        "",
        "Photographs",
        f"Photograph {n} of {total}" + (f": {att.caption}" if att.caption else ""),
        _day(att.taken_at or att.uploaded_at, zone),
        fragment="photo",
        values=values,
        sources=sources,
    )


def _ledger(session: Session, case: Case, zone: ZoneInfo) -> Entry:
    rows = session.scalars(
        select(LedgerEntry).where(LedgerEntry.case_id == case.id).order_by(LedgerEntry.assessed_on)
    ).all()
    today = utcnow().astimezone(zone).date()
    values = {
        "rows": [
            {
                "on": r.assessed_on.isoformat(),
                "kind": r.kind.replace("_", " "),
                "amount": str(r.amount),
                "ends": r.ends_on.isoformat() if r.ends_on else None,
                "note": r.note,
            }
            for r in rows
        ],
        "balances": case_balances(session, case, today).as_dict(),
        "as_of": today.isoformat(),
    }
    return Entry(
        "",
        "Ledger",
        "Ledger of penalties, costs and payments",
        today.isoformat(),
        fragment="ledger",
        values=values,
    )


def _timeline(
    session: Session, case: Case, docs: Sequence[Document], zone: ZoneInfo
) -> list[dict[str, str]]:
    """The case's events from its records, oldest first (not the audit log's codes)."""
    ev: list[tuple[datetime, str]] = [(case.opened_at, f"Case {case.case_number} opened")]
    if case.complaint:
        ev.append((case.complaint.received_at, f"Complaint received ({case.complaint.channel})"))
    for v in case.violations:
        ev.append((v.observed_at, f"Violation observed: {v.violation_type}"))
        if v.corrected_at:
            ev.append((v.corrected_at, f"Violation corrected: {v.violation_type}"))
    for i in case.inspections:
        ev.append((i.visited_at, f"Inspection by {i.investigator}"))
    for doc in docs:
        assert doc.issued_at is not None
        title = document_title(doc)
        ev.append((doc.issued_at, f"{title} issued"))
        for s in doc.services:
            when = s.served_at or s.mailed_at or s.recorded_at
            ev.append((when, f"{title}: {s.method.replace('_', ' ')} ({s.status})"))
            for r in s.receipts:
                if r.delivered_at:
                    ev.append((r.delivered_at, f"{title}: return receipt ({r.status})"))
    for model, label in (
        (Citation, "Citation issued"),
        (Appeal, "Appeal filed"),
        (Lien, "Lien recorded"),
    ):
        for at in session.scalars(select(model.created_at).where(model.case_id == case.id)):
            ev.append((at, label))
    if case.closed_at:
        ev.append((case.closed_at, f"Case closed ({case.closure_reason or 'closed'})"))
    ev.sort(key=lambda e: e[0])
    return [{"when": _when(at, zone) or "", "what": what} for at, what in ev]


def _columns(obj: object) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}  # type: ignore[attr-defined]


def _when(at: datetime | None, zone: ZoneInfo) -> str | None:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if at else None


def _day(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).date().isoformat()
