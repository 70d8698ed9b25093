"""Generated documents, their service, and the return receipts that prove it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from docsvc.models.base import Base, JSONType, UTCDateTime

# Service that takes effect when done; the mail methods take effect later, by the profile's rule.
IMMEDIATE_METHODS = ("personal", "door_hanger", "posting")
SERVICE_METHODS = (*IMMEDIATE_METHODS, "first_class_mail", "certified_mail")
RECEIPT_STATUSES = ("delivered", "returned", "unclaimed", "refused")


class Document(Base):
    """A notice or agreement. Once issued its context (the data it was filled from) and its
    rendered files are frozen; a correction is a new document that supersedes it."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    recipient_kind: Mapped[str] = mapped_column(String(20))  # party | complainant
    recipient_party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id"))
    violation_ids: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    photo_ids: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    fields: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    context: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    pdf_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    docx_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    needs_reservice: Mapped[bool] = mapped_column(Boolean, default=False)
    # Why a notice of violation went out without a written warning first, where the profile
    # asks for one (an immediate adverse impact).
    no_warning_reason: Mapped[str | None] = mapped_column(Text)
    # The citation a generated citation document is made from.
    citation_id: Mapped[int | None] = mapped_column(ForeignKey("citations.id"))

    services: Mapped[list[ServiceRecord]] = relationship(
        back_populates="document", order_by="ServiceRecord.id"
    )


class ServiceRecord(Base):
    """One attempt to serve a document, by one method."""

    __tablename__ = "service_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    method: Mapped[str] = mapped_column(String(30))
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    article_number: Mapped[str | None] = mapped_column(String(30))
    # Served by hand (personal service, a door hanger, posting): who received it, where, and
    # who served it.
    served_to: Mapped[str | None] = mapped_column(String(300))
    served_where: Mapped[str | None] = mapped_column(String(300))
    served_by: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))  # served | mailed | delivered | returned ...
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    effective_rule: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    document: Mapped[Document] = relationship(back_populates="services")
    receipts: Mapped[list[ReturnReceipt]] = relationship(
        back_populates="service", order_by="ReturnReceipt.id"
    )


class ReturnReceipt(Base):
    __tablename__ = "return_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service_records.id"), index=True)
    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id"))
    status: Mapped[str] = mapped_column(String(20))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_by: Mapped[str | None] = mapped_column(String(300))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    service: Mapped[ServiceRecord] = relationship(back_populates="receipts")


class BuildingInspectorNotice(Base):
    """Tom Bean X.A.1.b: a stop work order involving a structure is reported to the inspector."""

    __tablename__ = "building_inspector_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    inspector: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(100))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
