"""Shapes of the money a case carries: ledger, vouchers, liens, citations, settlements,
outreach and appeals."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from docsvc.models.money import (
    APPEAL_DECISIONS,
    APPLIES_TO,
    CITATION_OUTCOMES,
    LEDGER_KINDS,
    LICENSE_STATUSES,
    OUTREACH_KINDS,
)
from docsvc.validation import Id, Input, Money, Text


class LedgerEntryIn(Input):
    kind = fields.String(required=True, validate=validate.OneOf(LEDGER_KINDS))
    amount = Money(required=True, minimum=Decimal("0.01"), maximum=10_000_000)
    assessed_on = fields.Date(required=True)
    ends_on = fields.Date()
    applies_to = fields.String(validate=validate.OneOf(APPLIES_TO))
    document_id = Id()
    note = Text(max_length=2000)


class LedgerQuery(Input):
    as_of = fields.Date()


class VoucherIn(Input):
    amount = Money(required=True, minimum=Decimal("0.01"), maximum=10_000_000)
    issued_on = fields.Date(required=True)
    approved_by = Text(required=True, max_length=200)
    purpose = Text(required=True, max_length=2000)


class LienIn(Input):
    recorded_on = fields.Date(required=True)
    recording_number = Text(required=True, max_length=100)


class LienSatisfyIn(Input):
    satisfied_on = fields.Date(required=True)


class LienReleaseIn(Input):
    released_on = fields.Date(required=True)


class LedgerEntryOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    amount = fields.String()
    accrued = fields.String()
    assessed_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    applies_to = fields.String(allow_none=True)
    note = fields.String(allow_none=True)


class VoucherOut(Schema):
    id = fields.Integer()
    amount = fields.String()
    issued_on = fields.Date()
    approved_by = fields.String()
    purpose = fields.String()


class LienOut(Schema):
    id = fields.Integer()
    amount = fields.String()
    status = fields.String()
    recorded_on = fields.Date()
    recording_number = fields.String()
    satisfied_on = fields.Date(allow_none=True)
    released_on = fields.Date(allow_none=True)


class LedgerOut(Schema):
    case_number = fields.String()
    as_of = fields.Date()
    entries = fields.List(fields.Nested(LedgerEntryOut))
    balances = fields.Dict()
    lien_due = fields.Dict()
    liens = fields.List(fields.Nested(LienOut))
    vouchers = fields.List(fields.Nested(VoucherOut))
    settlements = fields.List(fields.Nested(lambda: SettlementOut()))
    settlement_factors = fields.List(fields.Dict())
    settlement_factors_citation = fields.String(allow_none=True)


class CitationIn(Input):
    violation_id = Id(required=True)
    party_id = Id(required=True)
    number = Text(required=True, max_length=60)
    fine = Money(
        maximum=1_000_000,
        metadata={"description": "Omit to take the profile's fine schedule."},
    )
    issued_on = fields.Date(required=True)
    court = Text(max_length=200)
    hearing_on = fields.Date()


class CitationOut(Schema):
    id = fields.Integer()
    number = fields.String()
    infraction = fields.String()
    fine = fields.String()
    issued_on = fields.Date()
    court = fields.String(allow_none=True)
    hearing_on = fields.Date(allow_none=True)
    outcome = fields.String()
    outcome_on = fields.Date(allow_none=True)
    fine_imposed = fields.String(allow_none=True)
    party_id = fields.Integer()
    referral = fields.Dict()


class CitationOutcomeIn(Input):
    outcome = fields.String(
        required=True, validate=validate.OneOf([o for o in CITATION_OUTCOMES if o != "pending"])
    )
    outcome_on = fields.Date(required=True)
    fine_imposed = Money(maximum=1_000_000)


class SettlementIn(Input):
    entered_on = fields.Date(required=True)
    approved_by = Text(required=True, max_length=200)
    document_id = Id()
    pay_amount = Money(maximum=10_000_000)
    pay_by = fields.Date()
    deferred_amount = Money(maximum=10_000_000)
    deferred_until = fields.Date()
    cancel_amount = Money(maximum=10_000_000)
    compliance_through = fields.Date()
    note = Text(max_length=2000)
    factors = fields.Dict(
        keys=fields.String(validate=validate.Length(min=1, max=40)),
        values=Text(max_length=2000),
        metadata={
            "description": "A finding on each factor the profile lists, by its code "
            "(Jefferson County: A to E, Rule 5(a)(iii))."
        },
    )


class SettlementStepIn(Input):
    on = fields.Date(required=True)


class SettlementOut(Schema):
    id = fields.Integer()
    document_id = fields.Integer(allow_none=True)
    entered_on = fields.Date()
    approved_by = fields.String()
    penalties_at_entry = fields.String()
    pay_amount = fields.String()
    pay_by = fields.Date(allow_none=True)
    deferred_amount = fields.String()
    deferred_until = fields.Date(allow_none=True)
    cancel_amount = fields.String()
    compliance_through = fields.Date(allow_none=True)
    status = fields.String()
    completed_on = fields.Date(allow_none=True)
    breached_on = fields.Date(allow_none=True)
    cancellation_entry_id = fields.Integer(allow_none=True)
    note = fields.String(allow_none=True)
    factors = fields.Dict(allow_none=True)


class OutreachIn(Input):
    jurisdiction = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(OUTREACH_KINDS))
    occurred_on = fields.Date(required=True)
    description = Text(required=True, max_length=2000)
    audience = Text(max_length=200)
    attendees = fields.Integer(validate=validate.Range(min=0, max=1_000_000))
    business_name = Text(max_length=300)
    license_status = fields.String(validate=validate.OneOf(LICENSE_STATUSES))

    @validates_schema
    def _kind_fields(self, data: dict, **_: object) -> None:
        if data["kind"] == "business_license_check":
            for name in ("business_name", "license_status"):
                if not data.get(name):
                    raise ValidationError("a business licence check needs it.", name)
        elif data.get("license_status") or data.get("business_name"):
            raise ValidationError(
                "only a business licence check has a business and licence status.",
                "license_status",
            )


class OutreachQuery(Input):
    jurisdiction = fields.String()
    year = fields.Integer(validate=validate.Range(min=1900, max=9999))


class OutreachOut(Schema):
    id = fields.Integer()
    jurisdiction = fields.String(attribute="jurisdiction_code")
    kind = fields.String()
    occurred_on = fields.Date()
    description = fields.String()
    audience = fields.String(allow_none=True)
    attendees = fields.Integer(allow_none=True)
    business_name = fields.String(allow_none=True)
    license_status = fields.String(allow_none=True)


class AppealIn(Input):
    document_id = Id()
    citation_id = Id()
    appellant_party_id = Id(required=True)
    filed_on = fields.Date(required=True)
    grounds = Text(required=True, max_length=5000)


class HearingIn(Input):
    hearing_on = fields.Date(required=True)
    hearing_body = Text(required=True, max_length=200)


class DecisionIn(Input):
    decision = fields.String(required=True, validate=validate.OneOf(APPEAL_DECISIONS))
    decided_on = fields.Date(required=True)
    final = fields.Boolean(load_default=True)


class AppealOut(Schema):
    id = fields.Integer()
    document_id = fields.Integer(allow_none=True)
    citation_id = fields.Integer(allow_none=True)
    appellant_party_id = fields.Integer()
    filed_on = fields.Date()
    grounds = fields.String()
    hearing_on = fields.Date(allow_none=True)
    hearing_body = fields.String(allow_none=True)
    decision = fields.String(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    appeals_exhausted_on = fields.Date(allow_none=True)


FUND_RECORDED_KINDS = ("deposit", "abatement", "adjustment")  # a voucher's entry is automatic


class FundEntryIn(Input):
    kind = fields.String(required=True, validate=validate.OneOf(FUND_RECORDED_KINDS))
    amount = Money(
        required=True,
        minimum=-10_000_000,
        maximum=10_000_000,
        metadata={"description": "Dollars; only an adjustment may be negative."},
    )
    entry_on = fields.Date(required=True)
    description = Text(required=True, max_length=2000)
    approved_by = Text(
        max_length=200,
        metadata={"description": "The director or designee who approved a use of the fund."},
    )
    case_number = Text(max_length=40)


class FundQuery(Input):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class FundEntryOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    amount = fields.String()
    entry_on = fields.Date()
    case_number = fields.String(allow_none=True)
    voucher_id = fields.Integer(allow_none=True)
    description = fields.String()
    approved_by = fields.String(allow_none=True)


class FundOut(Schema):
    jurisdiction = fields.String()
    name = fields.String()
    approval = fields.String()
    citation = fields.String()
    from_ = fields.Date(data_key="from", attribute="from", allow_none=True)
    to = fields.Date()
    opening = fields.String()
    money_in = fields.String()
    money_out = fields.String()
    closing = fields.String()
    entries = fields.List(fields.Nested(FundEntryOut))
