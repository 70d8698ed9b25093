"""Shapes of an uploaded file: the form fields beside it, the file part, and the answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.models.files import ATTACHMENT_KINDS
from docsvc.validation import Text


class AttachmentForm(Schema):
    class Meta:
        # A mangled multipart part (say, a file name with a newline) arrives as a form field;
        # ignore it here so the error names the missing file instead.
        unknown = "exclude"

    kind = fields.String(required=True, validate=validate.OneOf(ATTACHMENT_KINDS))
    caption = Text(max_length=2000)
    supplied_by_complainant = fields.Boolean(load_default=False)


class AttachmentFile(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class AttachmentUpload(AttachmentForm, AttachmentFile):
    """The whole multipart body, for the document only: flask-smorest documents just one of
    an operation's form and files arguments, so a client would not learn of `kind`."""


class AttachmentOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    kind = fields.String()
    media_type = fields.String()
    sha256 = fields.String()
    size = fields.Integer()
    original_filename = fields.String(allow_none=True)
    caption = fields.String(allow_none=True)
    # True when the file may name the complainant and the caller was not shown them: its
    # file name, caption, position and device are then null (a flag, no identity in it).
    withheld_until_shown = fields.Boolean()
    supplied_by_complainant = fields.Boolean()
    uploaded_at = fields.DateTime()
    page_count = fields.Integer(allow_none=True)
    taken_at = fields.DateTime(allow_none=True)
    gps = fields.Dict(allow_none=True)
    device = fields.String(allow_none=True)
    orientation = fields.Integer(allow_none=True)
    width = fields.Integer(allow_none=True)
    height = fields.Integer(allow_none=True)
    file_url = fields.String()
    print_url = fields.String(allow_none=True)
    thumbnail_url = fields.String(allow_none=True)
