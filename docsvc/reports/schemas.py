"""Shapes of the reports (which report, for what period, and the list of them) and of the
patrol plan whose coverage the workload report counts."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.cases import patrol
from docsvc.cases.schemas import PropertyIn
from docsvc.reports import catalog
from docsvc.validation import Input, Text


class ReportQuery(Input):
    jurisdiction = fields.String(required=True)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    format = fields.String(load_default="json", validate=validate.OneOf(catalog.FORMATS))


class ReportListOut(Schema):
    name = fields.String()
    title = fields.String()


class PatrolAreaIn(Input):
    jurisdiction = fields.String(required=True)
    name = Text(required=True, max_length=200)
    description = Text(max_length=2000)


class PatrolAreaQuery(Input):
    jurisdiction = fields.String()
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class PatrolAssignIn(Input):
    properties = fields.List(
        fields.Nested(PropertyIn),
        required=True,
        validate=validate.Length(min=1, max=500, error="give between 1 and 500 properties."),
    )


class PatrolReviewIn(Input):
    address = Text(required=True, max_length=300)
    reviewed_on = fields.Date(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(patrol.REVIEW_OUTCOMES))
    note = Text(max_length=2000)


class PatrolAreaOut(Schema):
    """An area of the patrol plan with its coverage in `year`."""

    id = fields.Integer()
    jurisdiction = fields.String()
    name = fields.String()
    description = fields.String(allow_none=True)
    year = fields.Integer()
    properties = fields.Integer()
    reviewed = fields.Integer()
    percent = fields.Float(allow_none=True)
    not_reviewed = fields.List(fields.String())


class PatrolReviewOut(Schema):
    id = fields.Integer()
    property_id = fields.Integer()
    reviewed_on = fields.Date()
    outcome = fields.String()
    note = fields.String(allow_none=True)
