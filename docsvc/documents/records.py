"""What a type made from a record is filled from (`made_from` in records/document-types.yaml):
a notice of extension from its granted request, a Uniform Citation and Complaint from its
citation. The values land in the context's `record`, checked as elements and frozen at issue."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.documents import naming
from docsvc.documents.context import ROLE_LABELS, long_date
from docsvc.labels import money
from docsvc.models import Citation, Document, Extension, Party
from docsvc.profiles.catalog import catalog
from docsvc.profiles.model import Profile


def _day(value: date | None, profile: Profile) -> str:
    return long_date(value, profile) if value else ""


def extension_record(session: Session, doc: Document, profile: Profile) -> dict[str, Any]:
    ext = session.scalar(select(Extension).where(Extension.notice_document_id == doc.id))
    if ext is None or ext.decision != "granted":
        return {}
    notice = session.get(Document, ext.document_id)
    assert notice is not None
    title = profile.document_types[notice.type]["title"]
    previous = notice.deadline_at.astimezone(profile.zone).date() if notice.deadline_at else None
    return {
        "extension_id": ext.id,
        "extended_notice": f"{naming.name(title, notice.id)} of "
        f"{long_date(notice.issued_at, profile)}",
        "requested_on": _day(ext.requested_on, profile),
        "requested_until": _day(ext.requested_until, profile),
        "decided_by": ext.decided_by or "",
        "decided_on": _day(ext.decided_on, profile),
        "decision_note": ext.decision_note or "",
        "new_compliance_date": _day(ext.new_compliance_date, profile),
        "previous_compliance_date": _day(previous, profile),
    }


def citation_record(session: Session, doc: Document, profile: Profile) -> dict[str, Any]:
    citation = session.get(Citation, doc.citation_id) if doc.citation_id else None
    if citation is None:
        return {}
    party = session.get(Party, citation.party_id)
    assert party is not None
    infraction = profile.violation_types.get(citation.infraction, {})
    return {
        "citation_id": citation.id,
        "citation_number": citation.number,
        "defendant": party.name,
        "defendant_role": ROLE_LABELS.get(party.role, party.role),
        "defendant_address": party.mailing_address,
        "issued_on": _day(citation.issued_on, profile),
        "infraction": infraction.get("title") or "",
        "fine": money(citation.fine),
        "court": citation.court or "",
        "hearing_date": _day(citation.hearing_on, profile),
    }


def record_for(session: Session, doc: Document, profile: Profile) -> dict[str, Any]:
    made_from = catalog()[doc.type].get("made_from")
    if made_from == "extension":
        return extension_record(session, doc, profile)
    if made_from == "citation":
        return citation_record(session, doc, profile)
    return {}
