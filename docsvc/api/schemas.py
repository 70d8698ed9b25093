"""Request and response shapes of the HTTP API. The OpenAPI document is generated from these."""

from __future__ import annotations

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from docsvc.api.fields import Instant, Text
from docsvc.models.cases import (
    CASE_STATUSES,
    CHANNELS,
    CLOSURE_REASONS,
    DISCLOSURE_PREFERENCES,
    ORIGINS,
    PARTY_ROLES,
    REFUSAL_REASONS,
)
from docsvc.models.documents import IMMEDIATE_METHODS, RECEIPT_STATUSES, SERVICE_METHODS
from docsvc.models.files import ATTACHMENT_KINDS
from docsvc.models.money import (
    APPEAL_DECISIONS,
    APPLIES_TO,
    CITATION_OUTCOMES,
    LEDGER_KINDS,
    LICENSE_STATUSES,
    OUTREACH_KINDS,
)
from docsvc.profiles.schema import DOCUMENT_TYPES

PHONE = validate.Regexp(r"^[0-9+()\-.\s xXext]{7,40}$", error="is not a telephone number.")


class _In(Schema):
    class Meta:
        unknown = "raise"  # a misspelt field is an error, not silently dropped


class PropertyIn(_In):
    address = Text(required=True, max_length=300)
    parcel = Text(max_length=60)
    zoning = Text(max_length=60)
    assessor_owner = Text(max_length=300)


class ComplainantIn(_In):
    name = Text(required=True, max_length=300)
    phone = Text(max_length=40, validate=PHONE)
    email = fields.Email()
    address = Text(max_length=300)


class ComplaintIn(_In):
    received_at = Instant(required=True)
    channel = fields.String(validate=validate.OneOf(CHANNELS), load_default="web")
    description = Text(required=True)
    anonymous = fields.Boolean(required=True)
    complainant = fields.Nested(ComplainantIn)
    disclosure_preference = fields.String(
        required=True, validate=validate.OneOf(DISCLOSURE_PREFERENCES)
    )
    discretion_approved_by = Text(max_length=200)


class CaseIn(_In):
    jurisdiction = fields.String(required=True)
    origin = fields.String(validate=validate.OneOf(ORIGINS), load_default="complaint")
    origin_note = Text(max_length=2000)
    property = fields.Nested(PropertyIn, required=True)
    complaint = fields.Nested(ComplaintIn)


class CaseQuery(_In):
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    jurisdiction = fields.String()
    address = Text(max_length=300)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class RefuseIn(_In):
    reason = fields.String(required=True, validate=validate.OneOf(REFUSAL_REASONS))
    note = Text(max_length=5000)


class CloseIn(_In):
    reason = fields.String(required=True, validate=validate.OneOf(CLOSURE_REASONS))
    resolution = Text(required=True, max_length=5000)
    follow_up = fields.Boolean(
        load_default=False,
        metadata={"description": "Extenuating circumstances: inspect again after closure."},
    )


class AggravatingIn(_In):
    circumstances = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Codes from the profile's aggravating circumstances."},
    )


class PartyIn(_In):
    role = fields.String(required=True, validate=validate.OneOf(PARTY_ROLES))
    name = Text(required=True, max_length=300)
    mailing_address = Text(required=True, max_length=300)
    phone = Text(max_length=40, validate=PHONE)
    email = fields.Email()


class ViolationIn(_In):
    violation_type = fields.String(required=True)
    description = Text(required=True)
    observed_at = Instant(required=True)


class CorrectIn(_In):
    corrected_at = Instant(required=True)
    method = Text(required=True, max_length=2000)


class MeasurementIn(_In):
    what = Text(required=True, max_length=300)
    value = fields.Decimal(required=True, as_string=True)
    unit = Text(required=True, max_length=40)
    where = Text(required=True, max_length=500)


class InspectionIn(_In):
    """Tom Bean VII.D.3 / Los Gatos VI.d.iv: the ten elements of a field investigation report."""

    investigator = Text(required=True, max_length=200)
    visited_at = Instant(required=True)
    place = Text(required=True, max_length=2000)
    violations_observed = Text(required=True, allow_empty=True)
    conditions_observed = Text(required=True, allow_empty=True)
    witnesses = Text(required=True, allow_empty=True)
    evidence = Text(required=True, allow_empty=True)
    discussions = Text(required=True, allow_empty=True)
    action_needed = Text(required=True, allow_empty=True)
    recommended_action = Text(required=True)
    referrals = Text(required=True, allow_empty=True)
    measurements = fields.List(fields.Nested(MeasurementIn), load_default=list)

    @validates_schema
    def _observed_something(self, data: dict, **_: object) -> None:
        if not data.get("violations_observed") and not data.get("conditions_observed"):
            raise ValidationError(
                "describe the violations observed or, if none, the conditions observed.",
                "conditions_observed",
            )


class AttachmentForm(Schema):
    class Meta:
        # A mangled multipart part (say, a file name with a newline) arrives as a form field;
        # ignore it here so the error names the missing file instead.
        unknown = "exclude"

    kind = fields.String(required=True, validate=validate.OneOf(ATTACHMENT_KINDS))
    caption = Text(max_length=2000)
    supplied_by_complainant = fields.Boolean(load_default=False)


class AttachmentFile(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


# ---- responses ---------------------------------------------------------------------------


class ErrorOut(Schema):
    error = fields.String(required=True)
    code = fields.String(required=True)
    details = fields.Dict()


class HealthOut(Schema):
    status = fields.String()


class DeadlineOut(Schema):
    unit = fields.String()
    amount = fields.Integer(allow_none=True)


class ViolationTypeOut(Schema):
    code = fields.String()
    title = fields.String()
    category = fields.String(allow_none=True)
    citation = fields.String()
    deadline = fields.Nested(DeadlineOut)
    deadline_source = fields.String()
    text = fields.String()
    text_status = fields.String()
    involves_structure = fields.Boolean()
    priority_rank = fields.Integer(allow_none=True)


class DocFieldOut(Schema):
    name = fields.String()
    type = fields.String()
    required = fields.Boolean()
    description = fields.String()


class DocumentTypeOut(Schema):
    type = fields.String()
    title = fields.String()
    service_methods = fields.List(fields.String())
    citation = fields.String(allow_none=True)
    elements = fields.List(fields.String())
    field_list = fields.List(fields.Nested(DocFieldOut), attribute="fields", data_key="fields")
    recipient = fields.String()


class JurisdictionOut(Schema):
    code = fields.String()
    name = fields.String()
    state = fields.String()
    timezone = fields.String()
    case_number_prefix = fields.String()
    complaint_rules = fields.Dict()
    public_records = fields.Dict()
    sources = fields.List(fields.String())


class PropertyOut(Schema):
    id = fields.Integer()
    address = fields.String()
    parcel = fields.String(allow_none=True)
    zoning = fields.String(allow_none=True)
    assessor_owner = fields.String(allow_none=True)


class ComplainantOut(Schema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    address = fields.String(allow_none=True)


class ComplaintOut(Schema):
    received_at = fields.DateTime()
    channel = fields.String()
    description = fields.String()
    anonymous = fields.Boolean()
    discretion_approved_by = fields.String(allow_none=True)
    disclosure_preference = fields.String()
    disclosure_preference_at = fields.DateTime()
    complainant = fields.Nested(ComplainantOut, allow_none=True)


class PartyOut(Schema):
    id = fields.Integer()
    role = fields.String()
    name = fields.String()
    mailing_address = fields.String()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    prior_cases = fields.List(fields.Dict())


class ViolationOut(Schema):
    id = fields.Integer()
    violation_type = fields.String()
    title = fields.String()
    citation = fields.String()
    description = fields.String()
    observed_at = fields.DateTime()
    corrected_at = fields.DateTime(allow_none=True)
    correction_method = fields.String(allow_none=True)


class MeasurementOut(Schema):
    what = fields.String()
    value = fields.String()
    unit = fields.String()
    where = fields.String()


class InspectionOut(Schema):
    id = fields.Integer()
    investigator = fields.String()
    visited_at = fields.DateTime()
    place = fields.String()
    violations_observed = fields.String()
    conditions_observed = fields.String()
    witnesses = fields.String()
    evidence = fields.String()
    discussions = fields.String()
    action_needed = fields.String()
    recommended_action = fields.String()
    referrals = fields.String()
    measurements = fields.List(fields.Nested(MeasurementOut))


class AttachmentOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    kind = fields.String()
    media_type = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    original_filename = fields.String(allow_none=True)
    caption = fields.String(allow_none=True)
    supplied_by_complainant = fields.Boolean()
    uploaded_at = fields.DateTime()
    page_count = fields.Integer(allow_none=True)
    taken_at = fields.DateTime(allow_none=True)
    gps = fields.Dict(allow_none=True)
    device = fields.String(allow_none=True)
    orientation = fields.Integer(allow_none=True)
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    file_url = fields.String()
    print_url = fields.String(allow_none=True)
    thumbnail_url = fields.String(allow_none=True)


class CaseSummaryOut(Schema):
    case_number = fields.String()
    jurisdiction = fields.String()
    status = fields.String()
    origin = fields.String()
    opened_at = fields.DateTime()
    updated_at = fields.DateTime()
    address = fields.String()


class CaseListOut(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()
    results = fields.List(fields.Nested(CaseSummaryOut))


class CaseOut(CaseSummaryOut):
    origin_note = fields.String(allow_none=True)
    property = fields.Nested(PropertyOut)
    complaint = fields.Nested(ComplaintOut, allow_none=True)
    parties = fields.List(fields.Nested(PartyOut))
    violations = fields.List(fields.Nested(ViolationOut))
    inspections = fields.List(fields.Nested(InspectionOut))
    attachments = fields.List(fields.Nested(AttachmentOut))
    refusal = fields.Dict(allow_none=True)
    closure = fields.Dict(allow_none=True)
    history = fields.Dict()


class CreatedOut(Schema):
    id = fields.Integer()


# ---- documents ---------------------------------------------------------------------------


class ServedIn(_In):
    method = fields.String(required=True, validate=validate.OneOf(IMMEDIATE_METHODS))
    served_at = Instant(required=True)


class DocumentIn(_In):
    type = fields.String(required=True, validate=validate.OneOf(DOCUMENT_TYPES))
    recipient_party_id = fields.Integer()
    recipient = fields.String(validate=validate.OneOf(("complainant",)))
    violation_ids = fields.List(fields.Integer(), load_default=list)
    photo_ids = fields.List(fields.Integer(), load_default=list)
    fields_ = fields.Dict(data_key="fields", attribute="fields", load_default=dict)
    draft = fields.Boolean(load_default=False)
    supersedes = fields.Integer()
    served = fields.Nested(
        ServedIn,
        metadata={
            "description": "Served in person, by door hanger or posting at issue: the compliance "
            "date is then printed on the notice."
        },
    )


class DocumentPatch(_In):
    recipient_party_id = fields.Integer()
    recipient = fields.String(validate=validate.OneOf(("complainant",)))
    violation_ids = fields.List(fields.Integer())
    photo_ids = fields.List(fields.Integer())
    fields_ = fields.Dict(data_key="fields", attribute="fields")


class ServiceIn(_In):
    method = fields.String(required=True, validate=validate.OneOf(SERVICE_METHODS))
    served_at = Instant()
    mailed_at = Instant()
    article_number = fields.String(validate=validate.Length(max=40))
    note = Text(max_length=2000)
    # Served by hand: who received it, where, who served it (optional).
    served_to = Text(max_length=300)
    served_where = Text(max_length=300)
    served_by = Text(max_length=200)


class ReturnReceiptForm(Schema):
    class Meta:
        unknown = "exclude"

    status = fields.String(required=True, validate=validate.OneOf(RECEIPT_STATUSES))
    delivered_at = Instant()
    signed_by = Text(max_length=300)


class ServiceOut(Schema):
    id = fields.Integer()
    method = fields.String()
    served_at = fields.DateTime(allow_none=True)
    mailed_at = fields.DateTime(allow_none=True)
    article_number = fields.String(allow_none=True)
    served_to = fields.String(allow_none=True)
    served_where = fields.String(allow_none=True)
    served_by = fields.String(allow_none=True)
    status = fields.String()
    effective_at = fields.DateTime(allow_none=True)
    effective_rule = fields.String()
    receipts = fields.List(fields.Dict())


class DocumentOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    type = fields.String()
    title = fields.String()
    status = fields.String()
    recipient = fields.Dict()
    violation_ids = fields.List(fields.Integer())
    photo_ids = fields.List(fields.Integer())
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    deadline = fields.DateTime(allow_none=True)
    deadline_rule = fields.String(allow_none=True)
    sample = fields.Boolean()
    issued_at = fields.DateTime(allow_none=True)
    supersedes = fields.Integer(allow_none=True)
    superseded_by = fields.Integer(allow_none=True)
    needs_reservice = fields.Boolean()
    pdf_url = fields.String()
    docx_url = fields.String()
    pdf_sha256 = fields.String(allow_none=True)
    docx_sha256 = fields.String(allow_none=True)
    services = fields.List(fields.Nested(ServiceOut))


# ---- money ---------------------------------------------------------------------------------

AMOUNT = {"as_string": True, "places": 2, "allow_nan": False}


class LedgerEntryIn(_In):
    kind = fields.String(required=True, validate=validate.OneOf(LEDGER_KINDS))
    amount = fields.Decimal(
        required=True, validate=validate.Range(min=Decimal("0.01"), max=10_000_000), **AMOUNT
    )
    assessed_on = fields.Date(required=True)
    ends_on = fields.Date()
    applies_to = fields.String(validate=validate.OneOf(APPLIES_TO))
    document_id = fields.Integer()
    note = Text(max_length=2000)


class LedgerQuery(_In):
    as_of = fields.Date()


class VoucherIn(_In):
    amount = fields.Decimal(required=True, **AMOUNT)
    issued_on = fields.Date(required=True)
    approved_by = Text(required=True, max_length=200)
    purpose = Text(required=True, max_length=2000)


class LienIn(_In):
    recorded_on = fields.Date(required=True)
    recording_number = Text(required=True, max_length=100)


class LienSatisfyIn(_In):
    satisfied_on = fields.Date(required=True)


class LienReleaseIn(_In):
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


class CitationIn(_In):
    violation_id = fields.Integer(required=True)
    party_id = fields.Integer(required=True)
    number = Text(required=True, max_length=60)
    fine = fields.Decimal(
        validate=validate.Range(min=0, max=1_000_000),
        metadata={"description": "Omit to take the profile's fine schedule."},
        **AMOUNT,
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


class CitationOutcomeIn(_In):
    outcome = fields.String(
        required=True, validate=validate.OneOf([o for o in CITATION_OUTCOMES if o != "pending"])
    )
    outcome_on = fields.Date(required=True)
    fine_imposed = fields.Decimal(validate=validate.Range(min=0, max=1_000_000), **AMOUNT)


SETTLED = {"validate": validate.Range(min=0, max=10_000_000), **AMOUNT}


class SettlementIn(_In):
    entered_on = fields.Date(required=True)
    approved_by = Text(required=True, max_length=200)
    document_id = fields.Integer()
    pay_amount = fields.Decimal(**SETTLED)
    pay_by = fields.Date()
    deferred_amount = fields.Decimal(**SETTLED)
    deferred_until = fields.Date()
    cancel_amount = fields.Decimal(**SETTLED)
    compliance_through = fields.Date()
    note = Text(max_length=2000)


class SettlementStepIn(_In):
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


class OutreachIn(_In):
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


class OutreachQuery(_In):
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


class AppealIn(_In):
    document_id = fields.Integer()
    citation_id = fields.Integer()
    appellant_party_id = fields.Integer(required=True)
    filed_on = fields.Date(required=True)
    grounds = Text(required=True, max_length=5000)


class HearingIn(_In):
    hearing_on = fields.Date(required=True)
    hearing_body = Text(required=True, max_length=200)


class DecisionIn(_In):
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
