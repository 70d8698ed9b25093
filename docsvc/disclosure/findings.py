"""The leak scanner's findings as a clerk reads them on the request's page: the record named as
its review card names it, where in it in words ("in the scanned image of page 1"), and which of
the complainant's identifiers. The scanner's own terms (a file name in the package, "page 1 OCR
(mode 11)", "strings and streams (pypdf)") stay in the audit trail and the API."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.disclosure.release import file_names
from docsvc.disclosure.renditions import describe
from docsvc.models import Case, DisclosureItem, DisclosureRequest, ScanFinding

IDENTIFIERS = {
    "name": "the complainant's name",
    "phone": "the complainant's phone number",
    "email": "the complainant's e-mail address",
    "address": "the complainant's address",
    "unit": "the complainant's unit number",
}
# The package's own files, beside the records.
PACKAGE_FILES = {
    "index.pdf": "the package's index",
    "index.json": "the package's index (its data file)",
    "exemption-log.pdf": "the exemption log",
    "exemption-log.json": "the exemption log (its data file)",
    "(zip)": "the package",
}
_PAGE = re.compile(r"page (\d+) (text|OCR)\b")
_EMBEDDED = re.compile(r"embedded image (\d+) ")


@dataclass(frozen=True)
class Shown:
    """One finding as the page says it."""

    id: int
    what: str  # "the complainant's name"
    where: str  # "in the scanned image of page 1"
    record: str  # "JC-2026-000001 · Other (PDF), filed 2026-11-20", as its review card
    item_id: int | None  # the record's review card, to link to; None for the package's files

    @property
    def sentence(self) -> str:
        """'the complainant's name in the scanned image of page 1 of <record>'."""
        return f"{self.what} {self.where} of {self.record}"


def where_in_words(location: str) -> str:
    """The scanner's place in a file, as a clerk would look for it. (The scanner records no
    position on the page, so none is said.)"""
    if page := _PAGE.match(location):
        n, how = page.groups()
        return f"in the {'text' if how == 'text' else 'scanned image'} of page {n}"
    if location.startswith("OCR"):
        return "in the picture itself (as read from its pixels)"
    if location.startswith("text"):
        return "in the text"
    if location == "file name":
        return "in the file's name"
    if location in ("archive comment", "entry comment"):
        return "in a comment stored in the package"
    if embedded := _EMBEDDED.match(location):
        return f"in the details stored with picture {embedded.group(1)} in the file"
    if location in ("bytes", "metadata"):
        return "in the details stored with the picture (its metadata)"
    # A PDF's strings and streams, its decompressed bytes: not on any page.
    return "in data stored inside the file (not shown on a page)"


def present(
    session: Session, req: DisclosureRequest, findings: Iterable[ScanFinding]
) -> list[Shown]:
    """Each finding with its record named as the review card names it."""
    items = session.scalars(
        select(DisclosureItem)
        .where(DisclosureItem.request_id == req.id)
        .order_by(DisclosureItem.seq)
    ).all()
    by_name = dict(zip(file_names(session, items), items, strict=True))
    titles: dict[int, str] = {}
    out = []
    for f in findings:
        # A record's file ("JC-2026-000001-002.pdf"), or a part inside one ("x.docx/word/...").
        item = by_name.get(f.file) or by_name.get(f.file.split("/", 1)[0])
        if item is not None:
            if item.id not in titles:
                case = session.get(Case, item.case_id)
                number = case.case_number if case else ""
                titles[item.id] = f"{number} · {describe(session, item)}"
            record = titles[item.id]
        else:
            record = PACKAGE_FILES.get(f.file, f"the file {f.file}")
        out.append(
            Shown(
                id=f.id,
                what=IDENTIFIERS.get(f.kind, "one of the complainant's identifiers"),
                where=where_in_words(f.location),
                record=record,
                item_id=item.id if item is not None else None,
            )
        )
    return out


def open_findings(session: Session, req: DisclosureRequest) -> list[ScanFinding]:
    """The leak scanner's findings on `req` not dismissed, oldest first."""
    return list(
        session.scalars(
            select(ScanFinding)
            .where(ScanFinding.request_id == req.id, ScanFinding.dismissed_at.is_(None))
            .order_by(ScanFinding.id)
        )
    )


def request_finding(
    session: Session, req: DisclosureRequest, finding_id: int
) -> ScanFinding | None:
    """Finding `finding_id` if it is one of `req`'s."""
    row = session.get(ScanFinding, finding_id)
    return row if row is not None and row.request_id == req.id else None
