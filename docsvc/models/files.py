"""Stored files (one row per distinct content) and the attachments that refer to them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from docsvc.models.base import Base, UTCDateTime

ATTACHMENT_KINDS = ("photo", "complaint_form", "correspondence", "other")


class Blob(Base):
    """A file in the content-addressed store. Referenced by attachments and renditions;
    the reference count is derived from those rows, never kept as a separate counter."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Attachment(Base):
    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    media_type: Mapped[str] = mapped_column(String(120))
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    # Kept as data for the record; never used to build a path or a served file name.
    original_filename: Mapped[str | None] = mapped_column(String(255))
    caption: Mapped[str | None] = mapped_column(Text)
    supplied_by_complainant: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    page_count: Mapped[int | None] = mapped_column(Integer)
    # Photo provenance, read from EXIF at upload.
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    taken_at_local: Mapped[str | None] = mapped_column(String(40))  # EXIF's own wall-clock text
    gps_lat: Mapped[float | None] = mapped_column(Float)
    gps_lon: Mapped[float | None] = mapped_column(Float)
    device: Mapped[str | None] = mapped_column(String(200))
    orientation: Mapped[int | None] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    print_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    thumb_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    note: Mapped[str | None] = mapped_column(Text)

    blob: Mapped[Blob] = relationship(foreign_keys=[sha256])
