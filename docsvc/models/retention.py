"""Legal holds, and the disposition of case files under the retention schedules: what was
proposed, who approved, what was destroyed, and the stub and certificate that outlive it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from docsvc.models.base import Base, JSONType, UTCDateTime

HOLD_SCOPES = ("case", "property", "party")
# proposed: eligible and queued for approval; approved: every required role has approved;
# destroyed: rows erased, stub kept (files_pending lists store files still to erase);
# cancelled: no longer eligible when re-checked (a hold, a reopened case).
DISPOSITION_STATUSES = ("proposed", "approved", "destroyed", "cancelled")
RUN_STATUSES = ("running", "done", "failed")


class Hold(Base):
    """A legal hold: while unreleased, nothing in its scope may be changed or destroyed."""

    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    matter: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    placed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    release_reason: Mapped[str | None] = mapped_column(Text)
    # A hold on a person reaches the cases naming them in these jurisdictions: the placer's
    # when it was placed (None: every one), not whatever the placer's account says later.
    jurisdictions: Mapped[list[Any] | None] = mapped_column(JSONType)


class HoldScope(Base):
    """One thing a hold covers: a case, a property (every case on it), or a party (every case
    naming that person)."""

    __tablename__ = "hold_scopes"
    __table_args__ = (Index("ix_hold_scopes_kind_ref", "kind", "ref_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hold_id: Mapped[int] = mapped_column(ForeignKey("holds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    # Not a foreign key: the hold outlives nothing it covers (a held case is never destroyed),
    # and one column serves three kinds.
    ref_id: Mapped[int] = mapped_column(Integer)


class DispositionItem(Base):
    """A case file in the disposition queue, and after destruction its metadata stub: series,
    dates, counts, file hashes and the authority. Never a name, an address or a description."""

    __tablename__ = "disposition_items"
    __table_args__ = (Index("ix_disposition_items_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Plain integers: the case row is gone once the item is destroyed; the stub remains.
    case_id: Mapped[int] = mapped_column(Integer, index=True)
    case_number: Mapped[str] = mapped_column(String(40))
    jurisdiction_code: Mapped[str] = mapped_column(String(64))
    series_code: Mapped[str] = mapped_column(String(40))
    trigger_on: Mapped[date] = mapped_column(Date)
    eligible_on: Mapped[date] = mapped_column(Date)
    authority: Mapped[dict[str, Any]] = mapped_column(JSONType)
    required_roles: Mapped[list[Any]] = mapped_column(JSONType)
    approvals: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(12))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("disposition_runs.id"))
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stub: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    files_pending: Mapped[list[Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)


class DispositionRun(Base):
    """One execution: the approved items it destroyed and its certificate of destruction."""

    __tablename__ = "disposition_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    destroyed: Mapped[int] = mapped_column(Integer, default=0)
    certificate_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
