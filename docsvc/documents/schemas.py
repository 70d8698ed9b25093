"""Shapes of documents and their service: what a draft, an edit, service and a return receipt
accept, and what they answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from docsvc.attachments.schemas import AttachmentFile
from docsvc.models.documents import IMMEDIATE_METHODS, RECEIPT_STATUSES, SERVICE_METHODS
from docsvc.profiles.schema import ALL_DOCUMENT_TYPES
from docsvc.validation import Id, Input, Instant, Text


class ServedIn(Input):
    method = fields.String(required=True, validate=validate.OneOf(IMMEDIATE_METHODS))
    served_at = Instant(required=True)


class DocumentIn(Input):
    type = fields.String(required=True, validate=validate.OneOf(ALL_DOCUMENT_TYPES))
    recipient_party_id = Id()
    recipient = fields.String(validate=validate.OneOf(("complainant",)))
    violation_ids = fields.List(Id(), load_default=list)
    photo_ids = fields.List(Id(), load_default=list)
    fields_ = fields.Dict(data_key="fields", attribute="fields", load_default=dict)
    draft = fields.Boolean(load_default=False)
    supersedes = Id()
    no_warning_reason = Text(
        max_length=2000,
        metadata={
            "description": "Why a notice of violation goes out without a written warning "
            "first, where the profile asks for one (an immediate adverse impact)."
        },
    )
    citation_id = Id(metadata={"description": "The citation a Uniform Citation is made from."})
    served = fields.Nested(
        ServedIn,
        metadata={
            "description": "Served in person, by door hanger or posting at issue: the compliance "
            "date is then printed on the notice."
        },
    )


class DocumentPatch(Input):
    recipient_party_id = Id()
    recipient = fields.String(validate=validate.OneOf(("complainant",)))
    violation_ids = fields.List(Id())
    photo_ids = fields.List(Id())
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    no_warning_reason = Text(max_length=2000, allow_none=True)


class ServiceIn(Input):
    method = fields.String(required=True, validate=validate.OneOf(SERVICE_METHODS))
    served_at = Instant()
    mailed_at = Instant()
    article_number = fields.String(validate=validate.Length(max=40))
    note = Text(max_length=2000)
    # Served by hand: who received it, where, who served it (optional).
    served_to = Text(max_length=300)
    served_where = Text(max_length=300)
    served_by = Text(max_length=200)


class ReturnReceiptForm(Schema):
    class Meta:
        unknown = "exclude"

    status = fields.String(required=True, validate=validate.OneOf(RECEIPT_STATUSES))
    delivered_at = Instant()
    signed_by = Text(max_length=300)


class ReturnReceiptUpload(ReturnReceiptForm, AttachmentFile):
    """The whole multipart body, for the document only (see AttachmentUpload)."""


class ServiceOut(Schema):
    id = fields.Integer()
    method = fields.String()
    served_at = fields.DateTime(allow_none=True)
    mailed_at = fields.DateTime(allow_none=True)
    article_number = fields.String(allow_none=True)
    served_to = fields.String(allow_none=True)
    served_where = fields.String(allow_none=True)
    served_by = fields.String(allow_none=True)
    status = fields.String()
    effective_at = fields.DateTime(allow_none=True)
    effective_rule = fields.String()
    receipts = fields.List(fields.Dict())


class DocumentOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    type = fields.String()
    title = fields.String()
    status = fields.String()
    recipient = fields.Dict()
    violation_ids = fields.List(fields.Integer())
    photo_ids = fields.List(fields.Integer())
    fields_ = fields.Dict(data_key="fields", attribute="fields")
    deadline = fields.DateTime(allow_none=True)
    # Whether a request for more time granted moved it from the notice's own date.
    deadline_extended = fields.Boolean()
    deadline_rule = fields.String(allow_none=True)
    sample = fields.Boolean()
    issued_at = fields.DateTime(allow_none=True)
    supersedes = fields.Integer(allow_none=True)
    no_warning_reason = fields.String(allow_none=True)
    citation_id = fields.Integer(allow_none=True)
    superseded_by = fields.Integer(allow_none=True)
    needs_reservice = fields.Boolean()
    pdf_url = fields.String()
    docx_url = fields.String()
    pdf_sha256 = fields.String(allow_none=True)
    docx_sha256 = fields.String(allow_none=True)
    services = fields.List(fields.Nested(ServiceOut))


class ExtensionIn(Input):
    document_id = Id(required=True, metadata={"description": "The issued notice to extend."})
    requested_on = fields.Date(required=True)
    letter_attachment_id = Id(
        required=True,
        metadata={"description": "The written request, uploaded to the case as an attachment."},
    )
    reason = Text(required=True, max_length=4000)
    requested_until = fields.Date(
        required=True, metadata={"description": "The date the violator says it will be corrected."}
    )


class ExtensionDecisionIn(Input):
    decision = fields.String(required=True, validate=validate.OneOf(("granted", "refused")))
    decided_by = Text(
        max_length=200,
        metadata={"description": "Name and title of who decided; you, by default."},
    )
    decided_on = fields.Date()
    decision_note = Text(max_length=4000)
    new_compliance_date = fields.Date(
        metadata={
            "description": "Granted: the new compliance date (the date asked for, by default)."
        }
    )


class ExtensionOut(Schema):
    id = fields.Integer()
    case_number = fields.String()
    document_id = fields.Integer()
    requested_on = fields.Date()
    letter_attachment_id = fields.Integer(allow_none=True)
    reason = fields.String()
    requested_until = fields.Date(allow_none=True)
    decision = fields.String()
    decision_label = fields.String()
    decided_by = fields.String(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    decision_note = fields.String(allow_none=True)
    new_compliance_date = fields.Date(allow_none=True)
    notice_document_id = fields.Integer(allow_none=True)


class CoverSheetQuery(Input):
    """A certified-mail cover sheet: the article number, before the mailing is recorded."""

    article = fields.String(
        validate=validate.Length(max=60),
        metadata={
            "description": "The USPS article number from the PS Form 3800 label (20 or 22 "
            "digits, spaces allowed); needed until the certified mailing is recorded, and then "
            "the recorded one is printed."
        },
    )


class MailingLabelsIn(Input):
    """A sheet of mailing labels for a batch of issued documents."""

    documents = fields.List(Id(), required=True, validate=validate.Length(min=1, max=300))
    articles = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^\d{1,10}$")),
        values=fields.String(validate=validate.Length(max=60)),
        load_default=dict,
        metadata={
            "description": "Article numbers by document id, for documents whose certified "
            "mailing is not recorded yet (a recorded one is printed regardless)."
        },
    )
