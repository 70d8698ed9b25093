"""Jurisdictions (loaded profiles) and the per-prefix, per-year case counters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from docsvc.models.base import Base, JSONType, UTCDateTime


class Jurisdiction(Base):
    __tablename__ = "jurisdictions"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    case_prefix: Mapped[str] = mapped_column(String(12))
    profile: Mapped[dict[str, Any]] = mapped_column(JSONType)
    profile_sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseCounter(Base):
    """One row per (prefix, year): the row lock is what serialises case numbering."""

    __tablename__ = "case_counters"

    prefix: Mapped[str] = mapped_column(String(12), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)
