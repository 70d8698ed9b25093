"""A case's money: penalties, costs, payments and cancellations; vouchers; liens.

Amounts are exact: stored as whole cents (SQLite has no decimal type), read back as Decimal.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, String, Text, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column

from docsvc.models.base import Base, JSONType, UTCDateTime

# penalty: one-time; daily_penalty: rate x days from assessed_on to ends_on (inclusive);
# abatement_cost / compliance_cost: never waivable; payment: money received, applied to
# penalties or costs; cancellation: part of a penalty cancelled (a settlement), never of costs.
LEDGER_KINDS = (
    "penalty",
    "daily_penalty",
    "abatement_cost",
    "compliance_cost",
    "payment",
    "cancellation",
)
APPLIES_TO = ("penalties", "costs")
CENT = Decimal("0.01")


class Money(TypeDecorator):
    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Any) -> int | None:
        if value is None:
            return None
        cents = Decimal(value) * 100
        if cents != cents.to_integral_value():
            raise ValueError("amounts are whole cents")
        return int(cents)

    def process_result_value(self, value: int | None, dialect: Any) -> Decimal | None:
        return None if value is None else (Decimal(value) / 100).quantize(CENT)


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    amount: Mapped[Decimal] = mapped_column(Money())  # for daily penalties: the daily rate
    assessed_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)  # daily penalties: last day accrued
    applies_to: Mapped[str | None] = mapped_column(String(20))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Voucher(Base):
    """Jefferson County Rule 7: money toward compliance, limited per household and per year."""

    __tablename__ = "vouchers"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("properties.id"), index=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"))
    amount: Mapped[Decimal] = mapped_column(Money())
    issued_on: Mapped[date] = mapped_column(Date, index=True)
    approved_by: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Lien(Base):
    """A lien recorded against the property; until released it stays on the property and
    blocks the case's disposition."""

    __tablename__ = "liens"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    property_id: Mapped[int] = mapped_column(ForeignKey("properties.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    status: Mapped[str] = mapped_column(String(20))
    recorded_on: Mapped[date] = mapped_column(Date)
    recording_number: Mapped[str] = mapped_column(String(100))
    satisfied_on: Mapped[date | None] = mapped_column(Date)
    released_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Citation(Base):
    """A citation for an infraction, issued to a party after a verified field investigation."""

    __tablename__ = "citations"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    violation_id: Mapped[int] = mapped_column(ForeignKey("violations.id"))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    number: Mapped[str] = mapped_column(String(60))
    infraction: Mapped[str] = mapped_column(String(80))
    fine: Mapped[Decimal] = mapped_column(Money())
    issued_on: Mapped[date] = mapped_column(Date)
    court: Mapped[str | None] = mapped_column(String(200))
    hearing_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(String(20))
    outcome_on: Mapped[date | None] = mapped_column(Date)
    fine_imposed: Mapped[Decimal | None] = mapped_column(Money())
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


CITATION_OUTCOMES = ("pending", "paid", "convicted", "dismissed", "reduced", "deferred")
# Outcomes that impose a fine (the amount the court or hearing officer set).
FINE_OUTCOMES = ("paid", "convicted", "reduced")

APPEAL_DECISIONS = ("upheld", "overturned", "modified", "withdrawn")


class Appeal(Base):
    """An appeal of a notice or citation, its hearing and decision. The date appeals are
    exhausted is a retention trigger."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    citation_id: Mapped[int | None] = mapped_column(ForeignKey("citations.id"))
    appellant_party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"))
    filed_on: Mapped[date] = mapped_column(Date)
    grounds: Mapped[str] = mapped_column(Text)
    hearing_on: Mapped[date | None] = mapped_column(Date)
    hearing_body: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_on: Mapped[date | None] = mapped_column(Date)
    appeals_exhausted_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


SETTLEMENT_STATUSES = ("active", "completed", "breached")


class Settlement(Base):
    """A settlement of a case's penalties (JCC 19.30.025; Jefferson County Rule 5): what is paid,
    what is deferred (up to three years) and what is cancelled once compliance has been
    sustained. Costs are never settled (Rule 5(b)). The three parts add up to the penalties
    due on the day it was entered."""

    __tablename__ = "settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    entered_on: Mapped[date] = mapped_column(Date, index=True)
    approved_by: Mapped[str] = mapped_column(String(200))
    penalties_at_entry: Mapped[Decimal] = mapped_column(Money())
    pay_amount: Mapped[Decimal] = mapped_column(Money())
    pay_by: Mapped[date | None] = mapped_column(Date)
    deferred_amount: Mapped[Decimal] = mapped_column(Money())
    deferred_until: Mapped[date | None] = mapped_column(Date)
    cancel_amount: Mapped[Decimal] = mapped_column(Money())
    compliance_through: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    # Compliance sustained: the cancellation posted. Breached: what was held falls due.
    completed_on: Mapped[date | None] = mapped_column(Date)
    breached_on: Mapped[date | None] = mapped_column(Date)
    cancellation_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    # The factors weighed before settling, by the profile's factor codes: {code: finding}.
    factors: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


OUTREACH_KINDS = ("education", "business_license_check")
LICENSE_STATUSES = ("current", "lapsed", "none")


class OutreachActivity(Base):
    """Work outside case files that annual reports count (Lee's Summit II.C, II.D, IV):
    education given to the community, and business licence checks."""

    __tablename__ = "outreach_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(Text)
    audience: Mapped[str | None] = mapped_column(String(200))
    attendees: Mapped[int | None] = mapped_column()
    business_name: Mapped[str | None] = mapped_column(String(300))
    license_status: Mapped[str | None] = mapped_column(String(20))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


FUND_KINDS = ("deposit", "voucher", "abatement", "adjustment")


class FundEntry(Base):
    """The jurisdiction's enforcement fund (Jefferson County Rule 6): money in (penalties
    collected, appropriations) and out (vouchers, abatement), each paid item approved. Not
    part of any case file (a case number, no key): destroying a case leaves the balance."""

    __tablename__ = "fund_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction_code: Mapped[str] = mapped_column(ForeignKey("jurisdictions.code"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money())
    entry_on: Mapped[date] = mapped_column(Date, index=True)
    case_number: Mapped[str | None] = mapped_column(String(40))
    voucher_id: Mapped[int | None] = mapped_column()
    description: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
