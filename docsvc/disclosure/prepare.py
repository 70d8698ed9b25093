"""Preparing a request for review, in the background: each responsive record's review copy
(the PDF the clerk sees and boxes are drawn on) and the boxes proposed over every identifier
found in it, by its text layer or by OCR.

Each record is rendered and read with no transaction open and recorded in a short one, so a
request of forty records never holds the database, and a worker that dies part-way resumes
with the records not yet done.
"""

from __future__ import annotations

from dataclasses import replace

import pypdfium2 as pdfium
from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.attachments.service import register_blob
from docsvc.cases.normalize import address_key, name_key
from docsvc.cases.service import case_profile
from docsvc.disclosure.decisions import identity_of
from docsvc.disclosure.identity import Needle
from docsvc.disclosure.pages import find_boxes
from docsvc.disclosure.renditions import source_pdf
from docsvc.documents.service import Env
from docsvc.models import (
    Case,
    Complaint,
    DisclosureCase,
    DisclosureItem,
    DisclosureRequest,
    Job,
    Party,
    Property,
    Redaction,
)
from docsvc.timeutil import utcnow

PREPARE_JOB = "disclosure_prepare"
WITHHOLDING = ("redact", "counsel")  # counsel undecided: review as if withheld, the safe side


def needles_for(session: Session, decision: DisclosureCase) -> list[Needle]:
    """The identifiers to look for in a case's records: none where they are disclosed."""
    if decision.decision not in WITHHOLDING:
        return []
    case = session.get(Case, decision.case_id)
    assert case is not None
    return case_needles(session, case)


def case_needles(session: Session, case: Case) -> list[Needle]:
    """The complainant's identifiers to find in a case's records, less what is public in them
    anyway; none for an anonymous complaint."""
    complaint = session.scalar(select(Complaint).where(Complaint.case_id == case.id))
    who = identity_of(complaint)
    if who is None:
        return []
    prop = session.get(Property, case.property_id)
    # What is public in this record anyway is not withheld: the property's own address (the
    # complainant lives there) and a name that is a party's (the complainant is the owner).
    if (
        who.address
        and prop
        and address_key(who.address).split()[:2] == prop.address_key.split()[:2]
    ):
        who = replace(who, address=None)
    parties = session.scalars(select(Party.name).where(Party.case_id == case.id)).all()
    if who.name and name_key(who.name) in {name_key(p) for p in parties}:
        who = replace(who, name=None)
    return who.needles()


def label_of(decision: DisclosureCase) -> str:
    return decision.label or decision.statute or "Withheld"


def run(session: Session, env: Env, job: Job) -> None:
    """The job: prepare every item of the request not yet prepared."""
    request_id = job.ref_id
    items = session.scalars(
        select(DisclosureItem.id).where(
            DisclosureItem.request_id == request_id, DisclosureItem.review_sha256.is_(None)
        )
    ).all()
    session.rollback()
    for item_id in items:
        prepare_item(session, env, item_id)
    req = session.get(DisclosureRequest, request_id)
    if req is not None and req.status == "preparing":
        req.status, req.updated_at = "review", utcnow()


def prepare_item(session: Session, env: Env, item_id: int) -> None:
    item = session.get(DisclosureItem, item_id)
    assert item is not None
    case = session.get(Case, item.case_id)
    assert case is not None
    decision = session.scalar(
        select(DisclosureCase).where(
            DisclosureCase.request_id == item.request_id, DisclosureCase.case_id == case.id
        )
    )
    assert decision is not None
    profile = case_profile(session, case)
    needles = needles_for(session, decision)
    label = label_of(decision)
    data = source_pdf(session, env, profile, case, item, needles, label)
    session.rollback()  # render and read with nothing held
    boxes, sizes = find_boxes(data, needles) if needles else ([], _sizes(data))
    stored = env.store.put_bytes(data)
    item = session.get(DisclosureItem, item_id)
    assert item is not None
    register_blob(session, stored.sha256, stored.size, "application/pdf")
    item.review_sha256 = stored.sha256
    item.page_count, item.page_sizes = len(sizes), [list(s) for s in sizes]
    for b in boxes:
        session.add(
            Redaction(
                request_id=item.request_id,
                item_id=item.id,
                page=b.page,
                x0=round(b.x0, 2),
                y0=round(b.y0, 2),
                x1=round(b.x1, 2),
                y1=round(b.y1, 2),
                kind=b.kind,
                status="proposed",
                origin="found",
            )
        )
    session.commit()


def _sizes(data: bytes) -> list[tuple[float, float]]:
    pdf = pdfium.PdfDocument(data)
    try:
        sizes = []
        for i in range(len(pdf)):
            page = pdf[i]
            sizes.append(page.get_size())
            page.close()
        return sizes
    finally:
        pdf.close()
