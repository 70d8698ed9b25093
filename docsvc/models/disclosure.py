"""Public-records requests: what was asked, what is responsive, how each complainant's identity
is treated, the redactions reviewed, the scanner's findings and the releases made."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from docsvc.models.base import Base, JSONType, UTCDateTime

REQUEST_STATUSES = ("preparing", "review", "released", "closed")
ITEM_SOURCES = ("document", "attachment")
IDENTIFIER_KINDS = ("name", "phone", "email", "address", "unit", "other")
REDACTION_STATUSES = ("proposed", "confirmed")
# redact: the exemption applies; disclose: it does not (a Washington complainant who asked for
# disclosure); counsel: the profile names no exemption, counsel must decide; none: the case has
# no identified complainant.
DECISIONS = ("redact", "disclose", "counsel", "none")


class DisclosureRequest(Base):
    __tablename__ = "disclosure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    requester_name: Mapped[str] = mapped_column(String(300))
    requester_email: Mapped[str | None] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text)
    case_numbers: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    query: Mapped[str | None] = mapped_column(String(500))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Texas: an Attorney General decision must be requested before anything is withheld.
    ruling_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ruling_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The ruling itself: when it was issued, its number, what it decided (RULING_OUTCOMES) and
    # its letter (a stored file), recorded by a clerk.
    ruling_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ruling_reference: Mapped[str | None] = mapped_column(String(100))
    ruling_outcome: Mapped[str | None] = mapped_column(String(20))
    ruling_letter_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    ruling_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ruling_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisclosureCase(Base):
    """How one responsive case's complainant identity is treated, and why."""

    __tablename__ = "disclosure_cases"
    __table_args__ = (UniqueConstraint("request_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("disclosure_requests.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    decision: Mapped[str] = mapped_column(String(20))
    statute: Mapped[str | None] = mapped_column(String(300))
    label: Mapped[str | None] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class DisclosureItem(Base):
    """One responsive record, released as one PDF of the package."""

    __tablename__ = "disclosure_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("disclosure_requests.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    source: Mapped[str] = mapped_column(String(20))  # document | attachment
    source_id: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    # The review copy: the PDF the clerk reviews and boxes are drawn on (stored, hashed).
    review_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    page_count: Mapped[int | None] = mapped_column(Integer)
    # Page sizes in PDF points, [[w, h], ...], so boxes can be checked against their page.
    page_sizes: Mapped[list[Any] | None] = mapped_column(JSONType)


# An identifier the record may make public anyway, proposed by the machine and decided by a
# clerk: until confirmed it is withheld and scanned for like any other.
EXCEPTION_KINDS = ("name", "address")
EXCEPTION_STATUSES = ("proposed", "confirmed", "rejected")


class DisclosureException(Base):
    """ "Not withheld: public in the record": the complainant is a party (name) or lives at the
    property (address). The reason names the record, never the value."""

    __tablename__ = "disclosure_exceptions"
    __table_args__ = (UniqueConstraint("request_id", "case_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("disclosure_requests.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(String(20))  # name | address
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Redaction(Base):
    __tablename__ = "redactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("disclosure_requests.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("disclosure_items.id"))
    page: Mapped[int] = mapped_column(Integer)  # 1-based
    x0: Mapped[float] = mapped_column(Float)
    y0: Mapped[float] = mapped_column(Float)
    x1: Mapped[float] = mapped_column(Float)
    y1: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    origin: Mapped[str] = mapped_column(String(20))  # found | clerk


class ScanFinding(Base):
    """What the leak scanner found in a release attempt; a finding that is not complainant-
    identifying in this record may be dismissed with a reason, which carries to later attempts
    of the same request by its key."""

    __tablename__ = "scan_findings"
    __table_args__ = (UniqueConstraint("request_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("disclosure_requests.id"), index=True)
    key: Mapped[str] = mapped_column(String(600))
    file: Mapped[str] = mapped_column(String(300))
    location: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dismissed_reason: Mapped[str | None] = mapped_column(Text)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Release(Base):
    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("disclosure_requests.id"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    package_sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    exemption_log: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    released_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime)
    files: Mapped[int] = mapped_column(Integer)
    scan_seconds: Mapped[float] = mapped_column(Float)
    # A link stops working when it expires or is revoked (410 to whoever follows it).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(String(300))
