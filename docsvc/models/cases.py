"""The case file: property, case, complaint, parties, violations, inspections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from docsvc.models.base import Base, JSONType, UTCDateTime

ORIGINS = ("complaint", "patrol", "staff_report", "permit_monitoring", "council_report")
CASE_STATUSES = (
    "open",
    "refused",
    "investigating",
    "notice_issued",
    "in_compliance_agreement",
    "escalated",
    "closed",
)
CHANNELS = ("web", "phone", "walk_in", "email", "mail", "staff", "council")
DISCLOSURE_PREFERENCES = ("nondisclosure", "disclosure", "unspecified")
REFUSAL_REASONS = ("no_standing", "frivolous", "retaliatory", "unfounded", "no_jurisdiction")
CLOSURE_REASONS = (
    "no_violation",
    "voluntary_compliance",
    "convicted_and_corrected",
    "deferred_to_agency",
    "unresolvable",
)
# The ten written elements of an inspection report (Tom Bean VII.D.3), in the order the form
# asks for them: searched as the report's text, typed on the page.
INSPECTION_TEXT = (
    "investigator",
    "place",
    "violations_observed",
    "conditions_observed",
    "witnesses",
    "evidence",
    "discussions",
    "action_needed",
    "recommended_action",
    "referrals",
)
PARTY_ROLES = (
    "owner",
    "occupant",
    "tenant",
    "agent",
    "contractor",
    "lien_holder",
    "contract_purchaser",
    "lessee",
    "responsible",
)


class Property(Base):
    __tablename__ = "properties"
    __table_args__ = (UniqueConstraint("jurisdiction_code", "address_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    address: Mapped[str] = mapped_column(String(300))
    address_key: Mapped[str] = mapped_column(String(300))
    parcel: Mapped[str | None] = mapped_column(String(60))
    zoning: Mapped[str | None] = mapped_column(String(60))
    assessor_owner: Mapped[str | None] = mapped_column(String(300))
    # Where it is (WGS 84) and the parcel's outline as [lat, lon] pairs, when the city's data
    # gives them: the case file's location map is drawn from these, with no tile server.
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    parcel_outline: Mapped[list[Any] | None] = mapped_column(JSONType)
    patrol_area_id: Mapped[int | None] = mapped_column(ForeignKey("patrol_areas.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("properties.id"), index=True)
    origin: Mapped[str] = mapped_column(String(30))
    origin_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refusal_reason: Mapped[str | None] = mapped_column(String(30))
    refusal_note: Mapped[str | None] = mapped_column(Text)
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_reason: Mapped[str | None] = mapped_column(String(30))
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Codes from the profile's aggravating circumstances (Tom Bean III.E): they move a
    # non-priority case to priority status.
    aggravating: Mapped[list[str]] = mapped_column(JSONType, default=list)
    # Closed with extenuating circumstances: a follow-up inspection falls due after closure
    # (Tom Bean XIII.D).
    follow_up_after_closure: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    property: Mapped[Property] = relationship()
    complaint: Mapped[Complaint | None] = relationship(back_populates="case", uselist=False)
    parties: Mapped[list[Party]] = relationship(back_populates="case", order_by="Party.id")
    violations: Mapped[list[Violation]] = relationship(
        back_populates="case", order_by="Violation.id"
    )
    inspections: Mapped[list[Inspection]] = relationship(
        back_populates="case", order_by="Inspection.visited_at"
    )


class Complaint(Base):
    """The complaint, and the complainant: an access-controlled party kept apart from `parties`."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), unique=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    anonymous: Mapped[bool] = mapped_column(Boolean)
    discretion_approved_by: Mapped[str | None] = mapped_column(String(200))
    # The discretion's weighing, by the profile's factor codes: {code: finding}.
    anonymous_factors: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    complaint_type: Mapped[str | None] = mapped_column(String(80))
    complainant_name: Mapped[str | None] = mapped_column(String(300))
    complainant_phone: Mapped[str | None] = mapped_column(String(60))
    complainant_email: Mapped[str | None] = mapped_column(String(300))
    complainant_address: Mapped[str | None] = mapped_column(String(300))
    complainant_name_key: Mapped[str | None] = mapped_column(String(300), index=True)
    complainant_address_key: Mapped[str | None] = mapped_column(String(300), index=True)
    disclosure_preference: Mapped[str] = mapped_column(String(20))
    # RCW 42.56.240(2): the wish stated when the complaint is filed governs, so keep when.
    disclosure_preference_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Los Gatos III.b.i: every complainant contacted within two business days.
    complainant_contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How, by whom and a note (the officer's words; shown masked like every typed text).
    complainant_contact_method: Mapped[str | None] = mapped_column(String(20))
    complainant_contacted_by: Mapped[str | None] = mapped_column(String(200))
    complainant_contact_note: Mapped[str | None] = mapped_column(Text)
    complainant_contact_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="complaint")


class Party(Base):
    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    mailing_address: Mapped[str] = mapped_column(String(300))
    address_key: Mapped[str] = mapped_column(String(300), index=True)
    phone: Mapped[str | None] = mapped_column(String(60))
    email: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="parties")


class Violation(Base):
    __tablename__ = "violations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    violation_type: Mapped[str] = mapped_column(String(80))
    description: Mapped[str] = mapped_column(Text)
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    correction_method: Mapped[str | None] = mapped_column(Text)
    # An imminent threat to health, safety or the environment, as the officer flagged it.
    imminent_threat: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    imminent_threat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    imminent_threat_note: Mapped[str | None] = mapped_column(Text)
    # A repeat of a similar violation on the same property accrues to the first report.
    repeat_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("violations.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="violations")


class Inspection(Base):
    """The field investigation report: the ten elements of Tom Bean VII.D.3 plus measurements."""

    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    investigator: Mapped[str] = mapped_column(String(200))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(Text)
    violations_observed: Mapped[str] = mapped_column(Text)
    conditions_observed: Mapped[str] = mapped_column(Text)
    witnesses: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)
    discussions: Mapped[str] = mapped_column(Text)
    action_needed: Mapped[str] = mapped_column(Text)
    recommended_action: Mapped[str] = mapped_column(Text)
    referrals: Mapped[str] = mapped_column(Text)
    measurements: Mapped[list[Any]] = mapped_column(JSONType, default=list)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="inspections")


Index("ix_cases_opened_at", Case.opened_at)
