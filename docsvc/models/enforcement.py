"""Steps of enforcement beyond notices: referrals to the city attorney, extensions granted on
written request, permits a violation needs and actions on permits, and the patrol plan."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from docsvc.models.base import Base, JSONType, UTCDateTime

REFERRAL_KINDS = ("repeat_citations", "imminent_threat")
EXTENSION_DECISIONS = ("pending", "granted", "refused")
PERMIT_ACTIONS = ("withheld", "suspended", "revoked")
REVIEW_OUTCOMES = ("no_violation", "violation_found", "no_access")


class Referral(Base):
    """A case referred to the city attorney, and on what basis (the citations or the flagged
    violations): meets the referral clock."""

    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    referred_on: Mapped[date] = mapped_column(Date)
    referred_to: Mapped[str] = mapped_column(String(200))
    basis: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Extension(Base):
    """A written request for more time to correct a minor violation, its letter, and who
    granted or refused it; a grant moves the notice's compliance date."""

    __tablename__ = "extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    requested_on: Mapped[date] = mapped_column(Date)
    letter_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("attachments.id"))
    reason: Mapped[str] = mapped_column(Text)
    requested_until: Mapped[date | None] = mapped_column(Date)
    decision: Mapped[str] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str | None] = mapped_column(Text)
    new_compliance_date: Mapped[date | None] = mapped_column(Date)
    notice_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Permit(Base):
    """A permit a violation needs to be corrected: the time to apply and to obtain it."""

    __tablename__ = "permits"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"))
    description: Mapped[str] = mapped_column(String(300))
    apply_by: Mapped[date] = mapped_column(Date)
    obtain_by: Mapped[date] = mapped_column(Date)
    applied_on: Mapped[date | None] = mapped_column(Date)
    obtained_on: Mapped[date | None] = mapped_column(Date)
    permit_number: Mapped[str | None] = mapped_column(String(100))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PermitAction(Base):
    """A permit withheld, suspended or revoked because of the violation, with the authority."""

    __tablename__ = "permit_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    permit_id: Mapped[int | None] = mapped_column(ForeignKey("permits.id"))
    action: Mapped[str] = mapped_column(String(20))
    permit_description: Mapped[str] = mapped_column(String(300))
    authority: Mapped[str] = mapped_column(String(300))
    taken_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PatrolArea(Base):
    """An area of the jurisdiction in the patrol plan: every property in it is to be reviewed
    once each calendar year (Lee's Summit II.B.1)."""

    __tablename__ = "patrol_areas"
    __table_args__ = (UniqueConstraint("jurisdiction_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PropertyReview(Base):
    """A property looked at on patrol, case or no case. Not part of any case file."""

    __tablename__ = "property_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("properties.id"), index=True)
    reviewed_on: Mapped[date] = mapped_column(Date, index=True)
    outcome: Mapped[str] = mapped_column(String(30))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
