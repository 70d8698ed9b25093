"""What the clerk's review reads, for the API and the pages alike: a request's boxes, the
exemption each record is withheld under, and a page of a record's review copy."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.identity import guard
from docsvc.models import (
    Attachment,
    Case,
    DisclosureCase,
    DisclosureItem,
    DisclosureRequest,
    Document,
    Redaction,
)


def request_boxes(session: Session, req: DisclosureRequest) -> list[Redaction]:
    """Every box of the request (proposed or reviewed), by record, page and id."""
    return list(
        session.scalars(
            select(Redaction)
            .where(Redaction.request_id == req.id)
            .order_by(Redaction.item_id, Redaction.page, Redaction.id)
        )
    )


def exemption_labels(session: Session, req: DisclosureRequest) -> dict[int, str | None]:
    """{item id: the statute its case's identity is withheld under (None: none named)}."""
    rows = session.execute(
        select(DisclosureItem.id, DisclosureCase.statute)
        .join(
            DisclosureCase,
            (DisclosureCase.request_id == DisclosureItem.request_id)
            & (DisclosureCase.case_id == DisclosureItem.case_id),
        )
        .where(DisclosureItem.request_id == req.id)
    )
    return {i: statute for i, statute in rows}


@dataclass(frozen=True)
class ReviewPage:
    """A page of a record's review copy, and whether showing it shows the complainant's
    identity (a box on it, or a record that bears it): a view to audit each time."""

    item: DisclosureItem
    review_sha256: str
    case: Case
    shows_identity: bool


def review_page(
    session: Session, req: DisclosureRequest, item_id: int, page: int
) -> ReviewPage | None:
    """Page `page` of record `item_id` of `req`, or None when the request has no such record
    with a review copy, or the copy no such page."""
    item = session.get(DisclosureItem, item_id)
    if item is None or item.request_id != req.id or item.review_sha256 is None:
        return None
    if not 1 <= page <= (item.page_count or 0):
        return None
    case = session.get_one(Case, item.case_id)
    source = (
        session.get(Document, item.source_id)
        if item.source == "document"
        else session.get(Attachment, item.source_id)
    )
    boxed = session.scalar(
        select(Redaction.id).where(Redaction.item_id == item.id, Redaction.page == page)
    )
    shows = boxed is not None or (source is not None and guard.bears_identity(source, session))
    return ReviewPage(item, item.review_sha256, case, shows)
