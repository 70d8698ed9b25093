"""Shapes of search: the query and its hits."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.models.cases import CASE_STATUSES
from docsvc.profiles.schema import DOCUMENT_TYPES
from docsvc.search.query import MAX_QUERY
from docsvc.validation import Input, Text


class SearchQuery(Input):
    # The limit the document declares is the one enforced: a longer query never reaches the
    # index (nor, declared longer, a URL past what a server in front accepts).
    q = Text(
        required=True,
        max_length=MAX_QUERY,
        too_long="is {length} characters long; shorten it to {max} or fewer.",
    )
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
