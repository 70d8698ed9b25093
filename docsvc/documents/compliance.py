"""The date a notice's compliance clock runs to: the notice's own deadline, or the new date of
an extension granted on written request (documents/extensions.py). Read by the clocks
(followup/clocks.py); kept free of the document service so they need import nothing more."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.documents.deadlines import END_OF_DAY
from docsvc.models import Document, Extension
from docsvc.profiles.model import Profile


def granted_dates(session: Session, doc_ids: list[int]) -> dict[int, date]:
    """The latest granted new compliance date of each notice that has one."""
    out: dict[int, date] = {}
    if not doc_ids:
        return out
    for doc_id, day in session.execute(
        select(Extension.document_id, Extension.new_compliance_date).where(
            Extension.document_id.in_(doc_ids),
            Extension.decision == "granted",
            Extension.new_compliance_date.is_not(None),
        )
    ):
        if day is not None and (doc_id not in out or day > out[doc_id]):
            out[doc_id] = day
    return out


def compliance_due(doc: Document, granted: dict[int, date], profile: Profile) -> datetime | None:
    """The end of the granted day in the jurisdiction, else the notice's own deadline."""
    day = granted.get(doc.id)
    if day is None:
        return doc.deadline_at
    return datetime.combine(day, END_OF_DAY, tzinfo=profile.zone)
