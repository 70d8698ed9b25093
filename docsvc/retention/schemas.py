"""Shapes of retention: holds, the retention queue, disposition proposals and runs."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.retention.evaluate import VERDICTS
from docsvc.validation import Id, Input

TEXT = validate.Length(min=1, max=2000)


class HoldIn(Input):
    matter = fields.String(required=True, validate=validate.Length(min=1, max=300))
    reason = fields.String(required=True, validate=TEXT)
    case_numbers = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)
    property_ids = fields.List(Id(), load_default=list)
    party_ids = fields.List(Id(), load_default=list)


class HoldReleaseIn(Input):
    reason = fields.String(load_default=None, validate=TEXT)


class HoldOut(Schema):
    id = fields.Integer()
    matter = fields.String()
    reason = fields.String()
    placed_at = fields.DateTime()
    released_at = fields.DateTime(allow_none=True)
    scope = fields.List(fields.Dict())
    case_numbers = fields.List(fields.String())


class RetentionQuery(Input):
    as_of = fields.Date(load_default=None)
    verdict = fields.String(load_default=None, validate=validate.OneOf(VERDICTS))
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=100_000))


class RetentionOut(Schema):
    as_of = fields.Date()
    counts = fields.Dict()
    items = fields.List(fields.Dict())


# Proposing and executing act on the day given, never on an empty body: a script's bare POST
# must not queue or destroy records on whatever day the server thinks it is.
AS_OF = {"description": "The day the schedules are judged on (usually today)."}


class ProposeIn(Input):
    as_of = fields.Date(required=True, metadata=AS_OF)


class ApproveIn(Input):
    ids = fields.List(Id(), required=True, validate=validate.Length(min=1, max=10_000))


class ExecuteIn(Input):
    as_of = fields.Date(required=True, metadata=AS_OF)


class ProposalOut(Schema):
    added = fields.Integer()
    cancelled = fields.Integer()
    queued = fields.Integer()


class DispositionItemOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    jurisdiction = fields.String()
    series = fields.String()
    trigger_on = fields.String()
    eligible_on = fields.String()
    status = fields.String()
    required_roles = fields.List(fields.String())
    approvals = fields.List(fields.Dict())
    authority = fields.Dict()
    stub = fields.Dict(allow_none=True)
    note = fields.String(allow_none=True)


class RetentionJobOut(Schema):
    id = fields.Integer()
    status = fields.String()
    progress = fields.Dict(allow_none=True)
    run = fields.Dict(allow_none=True)
