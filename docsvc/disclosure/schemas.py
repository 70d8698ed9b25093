"""Shapes of public-records requests: the request, counsel's decisions, boxes, exceptions,
findings, the ruling and the release."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.models.disclosure import IDENTIFIER_KINDS
from docsvc.profiles.schema import RULING_OUTCOMES
from docsvc.validation import Input, Instant, Text


class RequesterIn(Schema):
    name = Text(required=True, max_length=300)
    email = fields.Email(load_default=None)


class DisclosureIn(Input):
    jurisdiction = fields.String(required=True)
    requester = fields.Nested(RequesterIn, required=True)
    received_at = Instant(required=True)
    description = Text(required=True, max_length=5000)
    case_numbers = fields.List(
        fields.String(), load_default=list, validate=validate.Length(max=200)
    )
    query = Text(load_default=None, max_length=500)
    notes = Text(load_default=None, max_length=5000)


class DisclosurePatch(Input):
    ruling_requested_at = Instant()
    notes = Text(max_length=5000, allow_empty=True)
    status = fields.String(validate=validate.OneOf(["closed"]))


class CounselDecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["redact", "disclose"]))
    statute = Text(load_default=None, max_length=300)
    label = Text(load_default=None, max_length=200)
    explanation = Text(required=True, max_length=2000)


class BoxIn(Schema):
    class Meta:
        unknown = "exclude"  # the proposals' own fields (id, exemption) may be sent back

    document_id = fields.Integer(required=True)
    page = fields.Integer(required=True, validate=validate.Range(min=1))
    box = fields.List(fields.Float(), required=True, validate=validate.Length(equal=4))
    kind = fields.String(load_default="other", validate=validate.OneOf(IDENTIFIER_KINDS))


class ReleaseIn(Schema):
    accept_proposed_redactions = fields.Boolean(load_default=False)


class ExceptionDecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["confirm", "reject"]))


class DismissIn(Schema):
    reason = Text(required=True, max_length=2000)


class RulingIn(Input):
    issued_at = Instant(required=True)
    reference = Text(required=True, max_length=100)
    outcome = fields.String(required=True, validate=validate.OneOf(RULING_OUTCOMES))
