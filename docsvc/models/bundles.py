"""Court bundles: a case file assembled for court, Bates-numbered, in volumes, with the SHA-256
manifest of its sources and the custodian's certification. A bundle is a record of its case:
retained and destroyed with it, audited, and under the case's holds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from docsvc.models.base import Base, JSONType, UTCDateTime

BUNDLE_STATUSES = ("queued", "building", "done", "failed")


class Bundle(Base):
    __tablename__ = "bundles"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    bates_prefix: Mapped[str] = mapped_column(String(40))
    bates_start: Mapped[int] = mapped_column(Integer, default=1)
    max_volume_bytes: Mapped[int] = mapped_column(BigInteger)
    court: Mapped[str] = mapped_column(String(10))  # state | federal: whose rule certifies it
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    built_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pages: Mapped[int | None] = mapped_column(Integer)
    manifest_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    # What the bundle was built from, for the certification: sections and entries with pages.
    contents: Mapped[list[Any] | None] = mapped_column(JSONType)
    error: Mapped[str | None] = mapped_column(Text)
    certification_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    certified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    certified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    volumes: Mapped[list[BundleVolume]] = relationship(
        back_populates="bundle", order_by="BundleVolume.number"
    )


class BundleVolume(Base):
    __tablename__ = "bundle_volumes"

    id: Mapped[int] = mapped_column(primary_key=True)
    bundle_id: Mapped[int] = mapped_column(ForeignKey("bundles.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(ForeignKey("blobs.sha256"))
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int] = mapped_column(Integer)
    first_bates: Mapped[str] = mapped_column(String(60))
    last_bates: Mapped[str] = mapped_column(String(60))

    bundle: Mapped[Bundle] = relationship(back_populates="volumes")
