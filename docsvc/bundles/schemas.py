"""Shapes of court bundles: what a bundle is built from, its certification, and the answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.validation import Input


class BundleIn(Input):
    bates_prefix = fields.String(load_default=None, validate=validate.Length(min=1, max=30))
    bates_start = fields.Integer(load_default=None, validate=validate.Range(min=1, max=99_999_999))
    redacted = fields.Boolean(load_default=False)
    max_volume_mb = fields.Float(load_default=None)
    court = fields.String(load_default=None, validate=validate.OneOf(("state", "federal")))


class CertifyIn(Input):
    title = fields.String(load_default=None, validate=validate.Length(min=1, max=200))


class BundleOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    status = fields.String()
    progress = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
    redacted = fields.Boolean()
    bates_prefix = fields.String()
    pages = fields.Integer(allow_none=True)
    volumes = fields.List(fields.Dict())
    manifest_url = fields.String(allow_none=True)
    certification_url = fields.String(allow_none=True)
    requested_at = fields.DateTime()
