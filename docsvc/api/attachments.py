"""Attachments: upload into a case, read back (staff only)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from docsvc.api.base import multipart
from docsvc.attachments.schemas import (
    AttachmentFile,
    AttachmentForm,
    AttachmentOut,
    AttachmentUpload,
)
from docsvc.attachments.service import load_attachment
from docsvc.cases import service
from docsvc.errors import Invalid
from docsvc.web.context import api_user, db, require
from docsvc.web.files import serve_variant, store_upload
from docsvc.web.present import attachment_dict

blp = Blueprint("attachments", __name__, description="Photos and documents in a case file (staff)")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
VARIANTS = ("original", "print", "thumb")


@blp.route("/api/cases/<case_number>/attachments", methods=["POST"])
@blp.arguments(AttachmentForm, location="form")
@blp.arguments(AttachmentFile, location="files")
@blp.response(201, AttachmentOut)
@blp.doc(security=SECURITY, requestBody=multipart(AttachmentUpload))
def upload(form: dict[str, Any], files: dict[str, Any], case_number: str) -> dict[str, Any]:
    """Accepted: JPEG, PNG, HEIC, TIFF, PDF, DOCX, EML, judged from the content."""
    user = require(api_user(), "cases.write")
    session = db()
    case = service.get_case(session, user, case_number, for_update=True)
    att = store_upload(user, case, files["file"], form)
    out = attachment_dict(att, case.case_number, service.case_profile(session, case).zone)
    session.commit()
    return out


@blp.route("/api/attachments/<int:attachment_id>/<variant>", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": {"description": "The file's bytes"}})
def attachment_file(attachment_id: int, variant: str) -> Response:
    """The original file, or a photo's print-size rendition or thumbnail."""
    user = require(api_user(), "cases.read")
    if variant not in VARIANTS:
        raise Invalid(f"variant must be one of: {', '.join(VARIANTS)}.")
    att, case = load_attachment(db(), user, attachment_id)
    return serve_variant(user, att, case, variant, "api")
