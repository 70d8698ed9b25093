"""Shapes of a case and what is recorded in it: what intake and the case file accept (checked
before any use case runs, for the API and the pages alike) and what they answer. The OpenAPI
document is generated from these."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from docsvc.attachments.schemas import AttachmentOut
from docsvc.cases.location import MAX_OUTLINE_POINTS
from docsvc.models.cases import (
    CASE_STATUSES,
    CHANNELS,
    CLOSURE_REASONS,
    DISCLOSURE_PREFERENCES,
    ORIGINS,
    PARTY_ROLES,
    REFUSAL_REASONS,
)
from docsvc.validation import Input, Instant, Text

PHONE = validate.Regexp(r"^[0-9+()\-.\s xXext]{7,40}$", error="is not a telephone number.")


def _outline_points(value: list[list[float]]) -> None:
    for n, point in enumerate(value, 1):
        if len(point) != 2:
            raise ValidationError(
                f"point {n} has {len(point)} numbers: give each point as [latitude, longitude]."
            )
        lat, lon = point
        if not -90 <= lat <= 90 or not -180 <= lon <= 180:
            raise ValidationError(
                f"point {n} is off the globe: a latitude is between -90 and 90, a longitude "
                "between -180 and 180, in that order."
            )


class LocationIn(Input):
    """Where the property is (WGS 84 degrees) and the parcel's outline, for the location map."""

    latitude = fields.Float(
        allow_none=True,
        validate=validate.Range(-90, 90, error="a latitude is between -90 and 90 degrees."),
    )
    longitude = fields.Float(
        allow_none=True,
        validate=validate.Range(-180, 180, error="a longitude is between -180 and 180 degrees."),
    )
    parcel_outline = fields.List(
        fields.List(fields.Float()),
        allow_none=True,
        validate=[
            validate.Length(
                min=3,
                max=MAX_OUTLINE_POINTS,
                error=f"an outline has 3 to {MAX_OUTLINE_POINTS} points.",
            ),
            _outline_points,
        ],
        metadata={"description": "The parcel's corners in order, each [latitude, longitude]."},
    )


class PropertyIn(LocationIn):
    address = Text(required=True, max_length=300)
    parcel = Text(max_length=60)
    zoning = Text(max_length=60)
    assessor_owner = Text(max_length=300)


class ComplainantIn(Input):
    name = Text(required=True, max_length=300)
    phone = Text(max_length=40, validate=PHONE)
    email = fields.Email()
    address = Text(max_length=300)


class ComplaintIn(Input):
    received_at = Instant(required=True)
    channel = fields.String(validate=validate.OneOf(CHANNELS), load_default="web")
    description = Text(required=True)
    anonymous = fields.Boolean(required=True)
    complainant = fields.Nested(ComplainantIn)
    disclosure_preference = fields.String(
        required=True, validate=validate.OneOf(DISCLOSURE_PREFERENCES)
    )
    discretion_approved_by = Text(max_length=200)
    anonymous_factors = fields.Dict(
        keys=fields.String(validate=validate.Length(max=80)),
        values=Text(max_length=2000, allow_empty=True),
        metadata={
            "description": "The finding on each factor the discretion weighed, by the "
            "profile's factor code (Tom Bean V.A.2)."
        },
    )
    complaint_type = fields.String(
        validate=validate.Length(max=80),
        metadata={"description": "A code from the profile's complaint types."},
    )


class CaseIn(Input):
    jurisdiction = fields.String(required=True)
    origin = fields.String(validate=validate.OneOf(ORIGINS), load_default="complaint")
    origin_note = Text(max_length=2000)
    property = fields.Nested(PropertyIn, required=True)
    complaint = fields.Nested(ComplaintIn)


class CaseQuery(Input):
    status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    jurisdiction = fields.String()
    address = Text(max_length=300)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class RefuseIn(Input):
    reason = fields.String(required=True, validate=validate.OneOf(REFUSAL_REASONS))
    note = Text(max_length=5000)


class CloseIn(Input):
    reason = fields.String(required=True, validate=validate.OneOf(CLOSURE_REASONS))
    resolution = Text(required=True, max_length=5000)
    follow_up = fields.Boolean(
        load_default=False,
        metadata={"description": "Extenuating circumstances: inspect again after closure."},
    )


class AggravatingIn(Input):
    circumstances = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Codes from the profile's aggravating circumstances."},
    )


class PartyIn(Input):
    role = fields.String(required=True, validate=validate.OneOf(PARTY_ROLES))
    name = Text(required=True, max_length=300)
    mailing_address = Text(required=True, max_length=300)
    phone = Text(max_length=40, validate=PHONE)
    email = fields.Email()


class ViolationIn(Input):
    violation_type = fields.String(required=True)
    description = Text(required=True)
    observed_at = Instant(required=True)


class CorrectIn(Input):
    corrected_at = Instant(required=True)
    method = Text(required=True, max_length=2000)


class MeasurementIn(Input):
    what = Text(required=True, max_length=300)
    value = fields.Decimal(required=True, as_string=True)
    unit = Text(required=True, max_length=40)
    where = Text(required=True, max_length=500)


class InspectionIn(Input):
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


class PropertyOut(Schema):
    id = fields.Integer()
    address = fields.String()
    parcel = fields.String(allow_none=True)
    zoning = fields.String(allow_none=True)
    assessor_owner = fields.String(allow_none=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    parcel_outline = fields.List(fields.List(fields.Float()), allow_none=True)


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
    anonymous_factors = fields.List(
        fields.Dict(), metadata={"description": "code, factor, finding"}
    )
    complaint_type = fields.String(allow_none=True)
    complaint_type_title = fields.String(allow_none=True)
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
    repeat_of = fields.Dict(
        allow_none=True,
        metadata={
            "description": "The first report this repeat accrues to: violation_id, "
            "case_number (Los Gatos III.b.v)."
        },
    )


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


class NextActionOut(Schema):
    label = fields.String(metadata={"description": "The step in words: 'Re-inspect by Dec 14'."})
    action = fields.String(
        metadata={"description": "What the step does: add_owner, record_violation, inspect, "
                  "reinspect, contact_complainant, refer, record_permit_application, issue, "
                  "issue_notice, record_service, record_receipt, close; build_bundle (records, "
                  "attorneys) once the case is referred to the attorney."}
    )  # fmt: skip
    href = fields.String(metadata={"description": "The case page's form that does it."})


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
    other_complaints = fields.List(
        fields.String(),
        metadata={
            "description": "Cases whose complaints, from other people, were about this "
            "property while both were open (Tom Bean III.A.6)."
        },
    )
    next_actions = fields.List(
        fields.Nested(NextActionOut),
        metadata={"description": "The one or two steps the case needs next, for the caller's "
                  "role (none for a closed or refused case)."},
    )  # fmt: skip


class CreatedOut(Schema):
    id = fields.Integer()
