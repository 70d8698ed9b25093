"""The full-text index's rows and the background job queue that fills in extracted text.

`search_entries` is an ordinary table in both databases; the engine-specific index over it
(SQLite FTS5 with triggers, PostgreSQL tsvector with GIN) is made by migration 0008 and
ignored by the model comparison (docsvc.search.schema.include_object).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from docsvc.models.base import Base, JSONType, UTCDateTime

# meta: written with the record, in its transaction; text: extracted by the worker.
ENTRY_PARTS = ("meta", "text")
ENTRY_SOURCES = ("record", "text", "ocr")
JOB_STATUSES = ("queued", "running", "done", "failed")


class SearchEntry(Base):
    __tablename__ = "search_entries"
    __table_args__ = (UniqueConstraint("kind", "ref_id", "part"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    ref_id: Mapped[int] = mapped_column(Integer)
    part: Mapped[str] = mapped_column(String(10))
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(String(60), index=True)
    document_id: Mapped[int | None] = mapped_column(Integer)
    doc_type: Mapped[str | None] = mapped_column(String(40))
    occurred_on: Mapped[date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    # Complainant identity: found only by roles that may see it, and each hit shown audited.
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Job(Base):
    """Work off the request path. Claimed with a lease; a worker that dies mid-job leaves it to
    be claimed again when the lease runs out."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    ref_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # What the job was asked (who asked, options) and how far it has got: {"stage", "done",
    # "total"} while it runs, {"message"} when it stopped for a reason the asker must read.
    params: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
