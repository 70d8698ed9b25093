"""What goes into a court bundle, in order: the case file's records as entries, each either
generated here (a page laid out from the records: the timeline, the complaint, the location
map where the property has a point, inspection reports, proofs of service, the ledger, photos
with their provenance) or a stored file (an issued notice or agreement, a return receipt,
correspondence) with the SHA-256 of its source.

In the redacted variant (for service on the respondent) the complainant's identity is taken out
the way the disclosure release takes it out: generated text scrubbed at the data layer, issued
documents rendered again from their frozen data without it, uploaded files with every identifier
found (text layer or OCR) burned out. What the complainant supplied says nothing of itself
there: a photo is rebuilt from its pixels and shown without its caption, location, camera or
file name; any other file is rewritten from its pages alone; neither's file name or caption
names an entry, a bookmark or a manifest row.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pikepdf
from pikepdf import Array, Name
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.attachments.photos import PRINT_EDGE, rendition
from docsvc.cases import location
from docsvc.disclosure.pages import find_boxes, rebuild
from docsvc.disclosure.renditions import (
    attachment_pdf,
    document_pdf,
    document_title,
    public_context,
)
from docsvc.documents.env import Env
from docsvc.errors import Invalid
from docsvc.identity import guard
from docsvc.identity.needles import Needle, replace_spans
from docsvc.labels import label
from docsvc.models import (
    Appeal,
    Attachment,
    Base,
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
    "Location map",
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
    # A photo shown from an image made for this bundle alone (never stored): the builder puts
    # what this gives where the layout can read it and sets values["image"] to its hash.
    image: Callable[[], bytes] | None = None
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
            values={"events": _timeline(session, case, docs, profile)},
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
    _location_map(case, add)
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
        if redaction and att.supplied_by_complainant:
            add(_complainants_photo(env, att, n, len(photos), zone, names, redaction.label))
        else:
            add(_photo(att, n, len(photos), zone, names))
    for att in attachments:
        # The complainant's own letters are already in, under the complaint: once is enough.
        if att.supplied_by_complainant or att.id in receipt_ids:
            continue
        if att.kind in ("correspondence", "other"):
            title = f"{label(att.kind)}, filed {_day(att.uploaded_at, zone)}"
            add(_stored_attachment(env, case, att, "Correspondence", title, zone, redaction))
    if redaction:
        _refuse_file_names(out, [a for a in attachments if _from_complainant(a)])
    return out


def _from_complainant(att: Attachment) -> bool:
    # As the identity guard reads it: a complaint form is the complainant's whoever filed it.
    return bool(att.supplied_by_complainant) or att.kind == "complaint_form"


def _refuse_file_names(entries: list[Entry], files: Sequence[Attachment]) -> None:
    """Fail closed if a complainant's file name reached what the index, bookmarks, manifest
    or a generated page are made of: nothing above puts it there, and nothing should."""
    names = {a.original_filename.casefold() for a in files if a.original_filename}
    names = {n for n in names if len(n) >= 5}  # "a.jpg" at least; shorter says nothing
    if not names:
        return
    for e in entries:
        seen = json.dumps([e.title, e.sources, e.values], default=str, ensure_ascii=False)
        if any(n in seen.casefold() for n in names):
            raise Invalid(
                f"the redacted bundle would show the name of a file the complainant supplied "
                f"({e.title}); nothing was stored. Take the file name out of that record (or "
                "leave the record out) and build again."
            )


def _location_map(case: Case, add: Callable[[Entry], None]) -> None:
    """The case file's map (Tom Bean VI.B), as the case page draws it: only where the
    property has a point, captioned with the property's address. `add` scrubs the address
    like every generated value in the redacted variant; the map is drawn after, from what it
    leaves, so the markup itself is never edited."""
    prop = case.property
    if prop.latitude is None or prop.longitude is None:
        return
    where = f"{prop.latitude:.6f}, {prop.longitude:.6f}"
    entry = Entry(
        "",
        "Location map",
        "Location map of the property",
        fragment="map",
        values={"address": prop.address, "point": where, "outline": bool(prop.parcel_outline)},
    )
    add(entry)
    entry.values["svg"] = location.sketch(prop, entry.values["address"])


def _complaint(
    case: Case, zone: ZoneInfo, names: dict[int, str], redaction: Redaction | None
) -> Entry:
    c = case.complaint
    values: dict[str, Any] = {"complaint": None}
    if c is not None:
        withheld = redaction.label if redaction else None
        # Read for the machine: the bundle is built by the worker; each download of an
        # unredacted volume is the view, audited by the guard.
        who = guard.complaint_of_processing(c) or guard.Complainant()
        values["complaint"] = {
            "received": _when(c.received_at, zone),
            "channel": label(c.channel),
            "description": c.description,
            "anonymous": c.anonymous,
            "name": withheld or who.name,
            "phone": withheld or who.phone,
            "email": withheld or who.email,
            "address": withheld or who.address,
            "recorded_by": names.get(c.recorded_by_id, ""),
        }
    values["origin"] = label(case.origin).lower()
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
            "method": label(s.method),
            "status": label(s.status).lower(),
            "served": _when(s.served_at, zone),
            "mailed": _when(s.mailed_at, zone),
            "article": s.article_number,
            **_effective(s, zone),
            "note": s.note,
            "by": names.get(s.recorded_by_id, ""),
            "receipts": [
                {
                    "status": label(r.status).lower(),
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
                f"Return receipt ({label(r.status).lower()})",
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
            # Every file is rewritten, boxed or not, as a release's are: its pages alone, so no
            # annotation, XMP or document title (often the file name) comes along, whoever
            # filed it. The complainant's own files also have their images rebuilt from pixels
            # (a photo's EXIF holds where it was taken).
            clean = rebuild(data, boxes, redaction.label, title)
            return _images_from_pixels(clean, title) if _from_complainant(att) else clean
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
    # The camera's time in the jurisdiction's zone, like every other time in the bundle; its
    # raw EXIF text ("2026:11:27 10:00:00") only where it could not be read as a time.
    taken = _when(att.taken_at, zone) if att.taken_at else att.taken_at_local
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


def _complainants_photo(
    env: Env,
    att: Attachment,
    n: int,
    total: int,
    zone: ZoneInfo,
    names: dict[int, str],
    label: str,
) -> Entry:
    """A photo the complainant supplied, for the redacted variant: where, with what and by
    whom it was taken say where the complainant lives (a GPS fix from their window), so only
    its pixels are shown, and its provenance says what is withheld and why. The original's
    SHA-256 stays: a hash shows nothing of the file, and lets the court match the picture to
    the record the agency holds."""
    withheld = f"withheld ({label})"
    values = {
        "image": None,  # the rebuilt image's hash, set when it is laid out
        "caption": (
            "Supplied by the complainant: caption, location and camera withheld to protect "
            f"the complainant's identity ({label}). Shown from its pixels alone."
        ),
        # The moment, in the jurisdiction's zone: not the device's own clock text or offset.
        "taken": _when(att.taken_at, zone),
        "officer": names.get(att.uploaded_by_id, ""),
        "uploaded": _when(att.uploaded_at, zone),
        "gps": withheld,
        "device": withheld,
        "sha256": att.sha256,
        "n": n,
        "total": total,
    }
    return Entry(
        "",
        "Photographs",
        f"Photograph {n} of {total} (supplied by the complainant)",
        _day(att.taken_at or att.uploaded_at, zone),
        fragment="photo",
        values=values,
        image=lambda: pixels_only(env.store.open_verified(att.sha256)),
        # The original only: the image shown is made for this bundle and kept nowhere.
        sources=[
            {
                "record": f"attachment {att.id}",
                "sha256": att.sha256,
                "media_type": att.media_type,
                "size": att.size,
            }
        ],
    )


def _images_from_pixels(data: bytes, title: str) -> bytes:
    """A rewritten PDF with every JPEG (and JPEG 2000) image encoded again from its pixels
    alone, and no image's XMP: the rewrite keeps a JPEG's comment segment, which can name who
    took the picture."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if not isinstance(obj, pikepdf.Stream) or obj.get("/Subtype") != Name.Image:
                continue
            if "/Metadata" in obj:
                del obj["/Metadata"]
            filters = obj.get("/Filter")
            chain = list(filters) if isinstance(filters, Array) else [filters]
            if not {Name.DCTDecode, Name.JPXDecode} & set(chain):
                continue  # pixels in the stream itself: nothing else rides along
            try:
                pixels = pikepdf.PdfImage(obj).as_pil_image()
            except Exception as exc:  # of any kind: a picture we cannot read is not released
                raise Invalid(
                    f"{title}: a picture in the file could not be read to rebuild it; replace "
                    "the stored file (print it to PDF again) and build again."
                ) from exc
            mode = "L" if pixels.mode in ("1", "L") else "RGB"
            clean = Image.new(mode, pixels.size)
            clean.paste(pixels.convert(mode))  # pixels only: no info dict, comment or profile
            out = io.BytesIO()
            clean.save(out, "JPEG", quality=90)
            obj.write(out.getvalue(), filter=Name.DCTDecode)
            obj.ColorSpace = Name.DeviceGray if mode == "L" else Name.DeviceRGB
            obj.BitsPerComponent = 8
            for key in ("/Decode", "/DecodeParms", "/SMaskInData"):
                if key in obj:
                    del obj[key]
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def pixels_only(data: bytes) -> bytes:
    """An image file as a new JPEG of its pixels alone: decoded, turned upright as its EXIF
    says, at most print size, with no EXIF, XMP, ICC profile, comment or text chunk."""
    with Image.open(io.BytesIO(data)) as img:
        return rendition(img, PRINT_EDGE, 90)


def _ledger(session: Session, case: Case, zone: ZoneInfo) -> Entry:
    rows = session.scalars(
        select(LedgerEntry).where(LedgerEntry.case_id == case.id).order_by(LedgerEntry.assessed_on)
    ).all()
    today = utcnow().astimezone(zone).date()
    values = {
        "rows": [
            {
                "on": r.assessed_on.isoformat(),
                "kind": label(r.kind),
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


# Events at the same minute (the chronology's precision) in the order a case lives them: a
# notice is issued before it is mailed, mailed before its receipt comes back.
LIFECYCLE = (
    "complaint", "opened", "observed", "inspection", "issued", "service", "receipt",
    "corrected", "citation", "appeal", "lien", "closed",
)  # fmt: skip


def _timeline(
    session: Session, case: Case, docs: Sequence[Document], profile: Profile
) -> list[dict[str, str]]:
    """The case's events from its records in words, oldest first (not the audit log's codes):
    by time to the minute shown, then by LIFECYCLE, then by the exact time."""
    zone = profile.zone
    ev: list[tuple[datetime, str, str]] = [
        (case.opened_at, "opened", f"Case {case.case_number} opened")
    ]
    if case.complaint:
        channel = label(case.complaint.channel).lower()
        ev.append((case.complaint.received_at, "complaint", f"Complaint received ({channel})"))
    for v in case.violations:
        what = label(v.violation_type, profile=profile)
        ev.append((v.observed_at, "observed", f"Violation observed: {what}"))
        if v.corrected_at:
            ev.append((v.corrected_at, "corrected", f"Violation corrected: {what}"))
    for i in case.inspections:
        ev.append((i.visited_at, "inspection", f"Inspection by {i.investigator}"))
    for doc in docs:
        assert doc.issued_at is not None
        title = document_title(doc)
        ev.append((doc.issued_at, "issued", f"{title} issued"))
        for s in doc.services:
            when = s.served_at or s.mailed_at or s.recorded_at
            how = f"{label(s.method).lower()} ({label(s.status).lower()})"
            ev.append((when, "service", f"{title}: {how}"))
            for r in s.receipts:
                if r.delivered_at:
                    receipt = f"return receipt ({label(r.status).lower()})"
                    ev.append((r.delivered_at, "receipt", f"{title}: {receipt}"))
    for model, kind, text in (
        (Citation, "citation", "Citation issued"),
        (Appeal, "appeal", "Appeal filed"),
        (Lien, "lien", "Lien recorded"),
    ):
        for at in session.scalars(select(model.created_at).where(model.case_id == case.id)):
            ev.append((at, kind, text))
    if case.closed_at:
        reason = label(case.closure_reason).lower() if case.closure_reason else "closed"
        ev.append((case.closed_at, "closed", f"Case closed ({reason})"))
    ev.sort(key=lambda e: (_when(e[0], zone), LIFECYCLE.index(e[1]), e[0]))
    return [{"when": _when(at, zone) or "", "what": what} for at, _, what in ev]


def _effective(s: ServiceRecord, zone: ZoneInfo) -> dict[str, str | None]:
    """When service took effect and by which rule, as the proof of service states it: a
    delivery the return receipt shows is the effective date even where the record lacks it."""
    delivered = next((r.delivered_at for r in s.receipts if r.status == "delivered"), None)
    at = s.effective_at or delivered
    rule = s.effective_rule
    if s.effective_at is None and delivered is not None:
        rule = "effective on delivery, per the return receipt"
    if at is None:
        pending = s.status in ("mailed",)
        return {
            "effective": "not yet: waiting for the return receipt"
            if pending
            else "not effective: serve again by another method",
            "rule": rule,
        }
    return {"effective": _when(at, zone), "rule": rule}


def _columns(obj: Base) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns}


def _when(at: datetime | None, zone: ZoneInfo) -> str | None:
    return at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if at else None


def _day(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).date().isoformat()
