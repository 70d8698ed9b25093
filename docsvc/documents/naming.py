"""How a person names one document: its jurisdiction's title and a short number
("Courtesy Notice CN-12"), so notices on a case, the due list and the timeline can be told
apart without showing a code or a bare row id."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.models import Document
from docsvc.profiles.model import Profile


def initials(title: str) -> str:
    """'Courtesy Notice' -> 'CN'; 'Notice of Violation' -> 'NOV'."""
    return "".join(w[0] for w in re.findall(r"[A-Za-z]+", title)).upper() or "DOC"


def number(title: str, doc_id: int) -> str:
    return f"{initials(title)}-{doc_id}"


def name(title: str, doc_id: int) -> str:
    """The title and number: 'Courtesy Notice CN-12'."""
    return f"{title} {number(title, doc_id)}"


def case_names(session: Session, case_id: int, profile: Profile) -> dict[tuple[str, str], str]:
    """Each document of a case, and each of its services and return receipts, by the audit
    trail's (object_type, object_id), as the notice's name: for the case's timeline."""
    out: dict[tuple[str, str], str] = {}
    for doc in session.scalars(select(Document).where(Document.case_id == case_id)):
        title = profile.document_types[doc.type]["title"]
        out[("document", str(doc.id))] = name(title, doc.id)
        for service in doc.services:
            out[("service", str(service.id))] = name(title, doc.id)
            for receipt in service.receipts:
                out[("receipt", str(receipt.id))] = name(title, doc.id)
    return out
