"""Preparing a request for review, in the background: each responsive record's review copy
(the PDF the clerk sees and boxes are drawn on) and the boxes proposed over every identifier
found in it, by its text layer or by OCR.

Each record is rendered and read with no transaction open and recorded in a short one, so a
request of forty records never holds the database, and a worker that dies part-way resumes
with the records not yet done.
"""

from __future__ import annotations

import pypdfium2 as pdfium
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from docsvc.attachments.service import register_blob
from docsvc.cases.service import case_profile
from docsvc.disclosure.exceptions import waived
from docsvc.disclosure.pages import find_boxes
from docsvc.disclosure.renditions import source_pdf
from docsvc.documents.env import Env
from docsvc.errors import Conflict
from docsvc.identity.guard import for_processing, others_about_the_property
from docsvc.identity.needles import Identity, Needle, needles_of
from docsvc.jobs.queue import enqueue
from docsvc.labels import label
from docsvc.models import (
    Case,
    DisclosureCase,
    DisclosureItem,
    DisclosureRequest,
    Job,
    Property,
    Redaction,
)
from docsvc.pdflock import serialized
from docsvc.timeutil import utcnow

PREPARE_JOB = "disclosure_prepare"
WITHHOLDING = ("redact", "counsel")  # counsel undecided: review as if withheld, the safe side


def needles_for(session: Session, decision: DisclosureCase) -> list[Needle]:
    """The identifiers to look for in a case's records: all of its complainant's unless they
    are disclosed, less what a clerk confirmed is public in the record; and always those of
    the other complainants about the property, whose identity no decision of this case
    discloses."""
    if decision.decision not in WITHHOLDING:
        return others_needles(session, decision.case_id)
    kept = waived(session, decision.request_id).get(decision.case_id, set())
    return case_needles(session, decision.case_id, kept)


def case_needles(session: Session, case_id: int, kept: set[str] | None = None) -> list[Needle]:
    """Every identifier of the case's complainant from the stored record, less the kinds in
    `kept` (a clerk's confirmed exceptions); none for an anonymous complaint. A complainant who
    lives at the property keeps their unit withheld: only the street address is public. Then
    the other complainants about the property (others_needles)."""
    needles: list[Needle] = []
    who = for_processing(session, case_id)
    if who is not None:
        kept = kept or set()
        needles = Identity(
            None if "name" in kept else who.name,
            who.phone,
            who.email,
            who.address,
        ).needles()
        if "address" in kept:
            needles = [n for n in needles if n.kind != "address"]
    return needles + others_needles(session, case_id)


def others_needles(session: Session, case_id: int) -> list[Needle]:
    """Every identifier of the complainants of the other complaints about the case's property:
    its records can quote them ("she heard Mr. X already called"), and no exception of this
    case reaches them."""
    others = others_about_the_property(session, case_id)
    if not others:
        return []
    at = session.scalar(
        select(Property.address)
        .join(Case, Case.property_id == Property.id)
        .where(Case.id == case_id)
    )
    return needles_of(others, at or "")


def prepare_again(session: Session, req: DisclosureRequest, case_id: int) -> None:
    """The case's records back to 'not prepared', their found boxes dropped, and the request
    queued for preparation (a clerk took back an exception: its boxes must be found again)."""
    ids = select(DisclosureItem.id).where(
        DisclosureItem.request_id == req.id, DisclosureItem.case_id == case_id
    )
    session.execute(
        delete(Redaction).where(Redaction.item_id.in_(ids), Redaction.origin == "found")
    )
    for item in session.scalars(select(DisclosureItem).where(DisclosureItem.id.in_(ids))):
        item.review_sha256, item.page_count, item.page_sizes = None, None, None
    req.status, req.updated_at = "preparing", utcnow()
    session.flush()
    enqueue(session.connection(), PREPARE_JOB, req.id)


def prepare_once_more(session: Session, req: DisclosureRequest) -> None:
    """A clerk asks again after the preparation failed: the records not yet prepared are
    queued (those done stay done)."""
    if req.status != "preparing":
        raise Conflict(
            f"the request is {label(req.status, 'request').lower()}; its records are "
            "prepared already."
        )
    if not enqueue(session.connection(), PREPARE_JOB, req.id):
        raise Conflict("the records are being prepared already; wait for the outcome.")
    req.updated_at = utcnow()


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


@serialized
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
