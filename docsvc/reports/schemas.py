"""Shapes of the reports: which report, for what period, and the list of them."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.reports import catalog
from docsvc.validation import Input


class ReportQuery(Input):
    jurisdiction = fields.String(required=True)
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    format = fields.String(load_default="json", validate=validate.OneOf(catalog.FORMATS))


class ReportListOut(Schema):
    name = fields.String()
    title = fields.String()
