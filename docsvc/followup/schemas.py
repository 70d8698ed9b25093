"""Shapes of follow-through: contact with the complainant, the due list and a case's clocks."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.followup.contact import METHODS
from docsvc.validation import Input, Instant


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
