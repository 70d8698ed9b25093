"""Shapes of public-records requests: the request, counsel's decisions, boxes, exceptions,
findings, the ruling and the release."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.models.disclosure import IDENTIFIER_KINDS
from docsvc.profiles.schema import RULING_OUTCOMES
from docsvc.validation import Id, Input, Instant, Text


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
    # Closing revokes the release's public link unless this says to keep it working.
    keep_release_link = fields.Boolean()


class CounselDecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["redact", "disclose"]))
    statute = Text(load_default=None, max_length=300)
    label = Text(load_default=None, max_length=200)
    explanation = Text(required=True, max_length=2000)


class BoxIn(Schema):
    class Meta:
        unknown = "exclude"  # the proposals' own fields (id, exemption) may be sent back

    document_id = Id(required=True)
    page = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000))
    box = fields.List(fields.Float(), required=True, validate=validate.Length(equal=4))
    kind = fields.String(load_default="other", validate=validate.OneOf(IDENTIFIER_KINDS))


class ReleaseIn(Schema):
    accept_proposed_redactions = fields.Boolean(load_default=False)
    expires_at = Instant(load_default=None)


class ReleaseLinkPatch(Input):
    """When the public link stops working; null: it does not expire."""

    expires_at = Instant(required=True, allow_none=True)


class RevokeIn(Input):
    reason = Text(required=True, max_length=300)


class ExceptionDecisionIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["confirm", "reject"]))


class DismissIn(Schema):
    reason = Text(required=True, max_length=2000)


class RulingIn(Input):
    issued_at = Instant(required=True)
    reference = Text(required=True, max_length=100)
    outcome = fields.String(required=True, validate=validate.OneOf(RULING_OUTCOMES))


# What GET /api/disclosures/<id> (and the calls that change a request) answer: the request as
# docsvc/web/present.py's request_dict makes it. Its times are already text with the
# jurisdiction's offset, so they are strings here. tests/test_presenters.py keeps the two in step.


class RequesterOut(Schema):
    name = fields.String()
    email = fields.String(allow_none=True)


class RulingOut(Schema):
    issued_at = fields.String(allow_none=True)
    reference = fields.String()
    outcome = fields.String()
    effect = fields.String(allow_none=True)
    has_letter = fields.Boolean()
    recorded_at = fields.String(allow_none=True)


class DisclosureCaseOut(Schema):
    case_number = fields.String()
    decision = fields.String(allow_none=True)
    statute = fields.String(allow_none=True)
    explanation = fields.String(allow_none=True)
    decided_at = fields.String(allow_none=True)


class DisclosureItemOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    record = fields.String(metadata={"description": "What the record is, naming nobody."})
    pages = fields.Integer(allow_none=True)
    page_sizes = fields.List(fields.List(fields.Float()), allow_none=True)


class ExceptionOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    kind = fields.String()
    reason = fields.String()
    status = fields.String()
    decided_at = fields.String(allow_none=True)


class ReleaseOut(Schema):
    package_url = fields.String()
    public_url = fields.String()
    released_at = fields.String()
    files = fields.Integer()
    link = fields.String(
        metadata={"description": "live, revoked or expired: whether the public link works."}
    )
    expires_at = fields.String(allow_none=True)
    revoked_at = fields.String(allow_none=True)
    revoked_by = fields.String(allow_none=True)
    revoke_reason = fields.String(allow_none=True)


class DisclosureOut(Schema):
    id = fields.Integer()
    jurisdiction = fields.String()
    requester = fields.Nested(RequesterOut)
    received_at = fields.String()
    description = fields.String()
    case_numbers = fields.List(fields.String())
    query = fields.String(allow_none=True)
    due_at = fields.String()
    ruling_due_at = fields.String(allow_none=True)
    ruling_requested_at = fields.String(allow_none=True)
    ruling = fields.Nested(RulingOut, allow_none=True)
    status = fields.String()
    notes = fields.String(allow_none=True)
    reviewed_at = fields.String(allow_none=True)
    prepared = fields.Integer(metadata={"description": "Records prepared for review."})
    cases = fields.List(fields.Nested(DisclosureCaseOut))
    items = fields.List(fields.Nested(DisclosureItemOut))
    redactions = fields.Integer(metadata={"description": "Redactions proposed."})
    exceptions = fields.List(fields.Nested(ExceptionOut))
    release = fields.Nested(ReleaseOut, allow_none=True)
