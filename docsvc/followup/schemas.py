"""Shapes of follow-through: contact with the complainant, the due list and a case's clocks,
referrals to the attorney, permits and actions on them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.followup.contact import METHODS
from docsvc.models.enforcement import PERMIT_ACTIONS, REFERRAL_KINDS
from docsvc.validation import Id, Input, Instant, Text


class ContactIn(Input):
    contacted_at = Instant(required=True)
    # Optional, so an existing caller sending only contacted_at still works.
    method = fields.String(validate=validate.OneOf(METHODS))
    contacted_by = fields.String(validate=validate.Length(max=200))
    note = fields.String(validate=validate.Length(max=4000))


class DueQuery(Input):
    jurisdiction = fields.String()


class ClocksOut(Schema):
    case_number = fields.String()
    priority = fields.Integer()
    aggravating = fields.List(fields.String())
    clocks = fields.List(fields.Dict())


class DueOut(Schema):
    as_of = fields.DateTime()
    items = fields.List(fields.Dict())


class ImminentThreatIn(Input):
    imminent_threat = fields.Boolean(required=True)
    # When the officer found it so; now when left out.
    at = Instant()
    note = Text(max_length=4000, allow_empty=True)


class ViolationThreatOut(Schema):
    id = fields.Integer()
    imminent_threat = fields.Boolean()
    imminent_threat_at = fields.DateTime(allow_none=True)
    imminent_threat_note = fields.String(allow_none=True)


class ReferralIn(Input):
    kind = fields.String(required=True, validate=validate.OneOf(REFERRAL_KINDS))
    referred_on = fields.Date(required=True)
    referred_to = Text(max_length=200, allow_empty=True)
    # Which infraction, for repeat citations on a case cited for more than one.
    infraction = fields.String(validate=validate.Length(max=80))
    note = Text(max_length=4000, allow_empty=True)


class ReferralOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    referred_on = fields.Date()
    referred_to = fields.String()
    basis = fields.Dict()
    note = fields.String(allow_none=True)


class PermitIn(Input):
    violation_id = Id(required=True)
    description = Text(required=True, max_length=300)
    apply_by = fields.Date(required=True)
    obtain_by = fields.Date(required=True)
    applied_on = fields.Date()
    obtained_on = fields.Date()
    permit_number = Text(max_length=100, allow_empty=True)


class PermitUpdateIn(Input):
    apply_by = fields.Date()
    obtain_by = fields.Date()
    applied_on = fields.Date(allow_none=True)
    obtained_on = fields.Date(allow_none=True)
    permit_number = Text(max_length=100, allow_empty=True)


class PermitOut(Schema):
    id = fields.Integer()
    violation_id = fields.Integer()
    description = fields.String()
    apply_by = fields.Date()
    obtain_by = fields.Date()
    applied_on = fields.Date(allow_none=True)
    obtained_on = fields.Date(allow_none=True)
    permit_number = fields.String(allow_none=True)


class PermitActionIn(Input):
    action = fields.String(required=True, validate=validate.OneOf(PERMIT_ACTIONS))
    permit_description = Text(required=True, max_length=300)
    # The ordinance or code section the action is taken under.
    authority = Text(required=True, max_length=300)
    taken_on = fields.Date(required=True)
    permit_id = Id()
    note = Text(max_length=4000, allow_empty=True)


class PermitActionOut(Schema):
    id = fields.Integer()
    action = fields.String()
    permit_id = fields.Integer(allow_none=True)
    permit_description = fields.String()
    authority = fields.String()
    taken_on = fields.Date()
    note = fields.String(allow_none=True)
    policy = fields.String(allow_none=True)
