"""Shapes of search: the query and its hits."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.models.cases import CASE_STATUSES
from docsvc.profiles.schema import DOCUMENT_TYPES
from docsvc.search.query import MAX_QUERY
from docsvc.validation import Input, Text


class SearchQuery(Input):
    # Longer than the limit still loads, so the search can say exactly what to shorten.
    q = Text(required=True, max_length=MAX_QUERY * 40)
    jurisdiction = fields.String()
    case_status = fields.String(validate=validate.OneOf(CASE_STATUSES))
    doc_type = fields.String(validate=validate.OneOf(DOCUMENT_TYPES))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))


class HitOut(Schema):
    case_number = fields.String()
    document_id = fields.Integer(allow_none=True)
    kind = fields.String()
    title = fields.String()
    snippet = fields.String()
    score = fields.Float()
    source = fields.String()


class SearchOut(Schema):
    total = fields.Integer()
    cases = fields.Integer()
    page = fields.Integer()
    results = fields.List(fields.Nested(HitOut))
