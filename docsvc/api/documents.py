"""Documents and their service (docs/API.md, Documents and service)."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from docsvc.api.base import multipart
from docsvc.attachments.schemas import AttachmentFile
from docsvc.attachments.service import Upload
from docsvc.cases import service as cases
from docsvc.documents import extensions, service, serving
from docsvc.documents.schemas import (
    DocumentIn,
    DocumentOut,
    DocumentPatch,
    ExtensionDecisionIn,
    ExtensionIn,
    ExtensionOut,
    ReturnReceiptForm,
    ReturnReceiptUpload,
    ServiceIn,
    ServiceOut,
)
from docsvc.identity import guard
from docsvc.identity.mask import masker, names_complainant
from docsvc.models import Case, Document
from docsvc.web.context import api_user, database, db, env, require
from docsvc.web.files import file_response
from docsvc.web.present import document_dict

blp = Blueprint("documents", __name__, description="Notices, agreements and their service (staff)")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]


@blp.route("/api/cases/<case_number>/documents", methods=["POST"])
@blp.arguments(DocumentIn)
@blp.response(201, DocumentOut)
@blp.doc(security=SECURITY)
def create_document(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """Create a document; issued (frozen, rendered, stored) at once unless `draft` is true."""
    user = require(api_user(), "cases.write")
    doc_id = service.create_document(database(), env(), user, case_number, data)
    doc, case = service.get_document(db(), user, doc_id)
    return document_dict(doc, case)


@blp.route("/api/cases/<case_number>/documents", methods=["GET"])
@blp.response(200, DocumentOut(many=True))
@blp.doc(security=SECURITY)
def list_documents(case_number: str) -> list[dict[str, Any]]:
    user = require(api_user(), "cases.read")
    session = db()
    case = cases.get_case(session, user, case_number)
    docs = service.case_documents(session, case)
    _view_fields(user, case, docs)
    return [document_dict(d, case) for d in docs]


@blp.route("/api/documents/<int:document_id>", methods=["GET"])
@blp.response(200, DocumentOut)
@blp.doc(security=SECURITY)
def get_document(document_id: int) -> dict[str, Any]:
    user = require(api_user(), "cases.read")
    doc, case = service.get_document(db(), user, document_id)
    _view_fields(user, case, [doc])
    return document_dict(doc, case)


def _view_fields(user: Any, case: Case, docs: list[Document]) -> None:
    """The fields are returned as the officer typed them (a draft is edited from them): where
    they name the complainant, that is a view of their identity, through the guard."""
    masked = masker(db(), case)
    typed = [{**(d.fields or {}), "no_warning_reason": d.no_warning_reason or ""} for d in docs]
    if any(names_complainant(masked, t) for t in typed):
        guard.view_identity_now(database(), user, case, "api.documents.fields")


@blp.route("/api/documents/<int:document_id>", methods=["PATCH"])
@blp.arguments(DocumentPatch)
@blp.response(200, DocumentOut)
@blp.doc(security=SECURITY)
def patch_document(data: dict[str, Any], document_id: int) -> dict[str, Any]:
    """Edit a draft (409 once issued: issue a correction that supersedes it instead)."""
    user = require(api_user(), "cases.write")
    session = db()
    doc, case = service.get_document(session, user, document_id, for_update=True)
    service.update_draft(session, user, doc, case, data)
    out = document_dict(doc, case)
    session.commit()
    return out


@blp.route("/api/documents/<int:document_id>/issue", methods=["POST"])
@blp.response(200, DocumentOut)
@blp.doc(security=SECURITY)
def issue_document(document_id: int) -> dict[str, Any]:
    user = require(api_user(), "cases.write")
    service.issue_draft(database(), env(), user, document_id)
    doc, case = service.get_document(db(), user, document_id)
    return document_dict(doc, case)


def _file(document_id: int, fmt: str) -> Response:
    user = require(api_user(), "cases.read")
    doc, case = service.get_document(db(), user, document_id)
    return file_response(db(), user, doc, case, fmt)


@blp.route("/api/documents/<int:document_id>/pdf", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": {"description": "The PDF/A-2b"}})
def document_pdf(document_id: int) -> Response:
    """The issued PDF/A-2b (the same bytes every time), or a preview of a draft."""
    return _file(document_id, "pdf")


@blp.route("/api/documents/<int:document_id>/docx", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": {"description": "The DOCX"}})
def document_docx(document_id: int) -> Response:
    return _file(document_id, "docx")


@blp.route("/api/documents/<int:document_id>/service", methods=["POST"])
@blp.arguments(ServiceIn)
@blp.response(201, ServiceOut)
@blp.doc(security=SECURITY)
def record_service(data: dict[str, Any], document_id: int) -> dict[str, Any]:
    user = require(api_user(), "cases.write")
    session = db()
    doc, case = service.get_document(session, user, document_id, for_update=True)
    record = serving.record_service(session, user, doc, case, data)
    out = next(s for s in document_dict(doc, case)["services"] if s["id"] == record.id)
    session.commit()
    return out


@blp.route("/api/documents/<int:document_id>/return-receipt", methods=["POST"])
@blp.arguments(ReturnReceiptForm, location="form")
@blp.arguments(AttachmentFile, location="files")
@blp.response(201, DocumentOut)
@blp.doc(security=SECURITY, requestBody=multipart(ReturnReceiptUpload))
def return_receipt(form: dict[str, Any], files: dict[str, Any], document_id: int) -> dict[str, Any]:
    """A PS Form 3811 scan or an electronic return receipt, with what it says."""
    user = require(api_user(), "cases.write")
    session = db()
    doc, case = service.get_document(session, user, document_id, for_update=True)
    f = files["file"]
    serving.record_return_receipt(
        session, env(), user, doc, case, Upload(f.stream, f.filename, f.mimetype), form
    )
    out = document_dict(doc, case)
    session.commit()
    return out


@blp.route("/api/cases/<case_number>/extensions", methods=["POST"])
@blp.arguments(ExtensionIn)
@blp.response(201, ExtensionOut)
@blp.doc(security=SECURITY)
def request_extension(data: dict[str, Any], case_number: str) -> dict[str, Any]:
    """A written request for more time to correct a minor violation (where the profile grants
    extensions): pending until decided."""
    user = require(api_user(), "cases.write")
    session = db()
    case = cases.get_case(session, user, case_number, for_update=True)
    ext = extensions.request_extension(session, user, case, data)
    out = extensions.extension_view(session, ext, case)
    session.commit()
    return out


@blp.route("/api/cases/<case_number>/extensions", methods=["GET"])
@blp.response(200, ExtensionOut(many=True))
@blp.doc(security=SECURITY)
def list_extensions(case_number: str) -> list[dict[str, Any]]:
    user = require(api_user(), "cases.read")
    session = db()
    case = cases.get_case(session, user, case_number)
    return [
        extensions.extension_view(session, e, case)
        for e in extensions.case_extensions(session, case)
    ]


@blp.route("/api/extensions/<int:extension_id>/decision", methods=["POST"])
@blp.arguments(ExtensionDecisionIn)
@blp.response(200, ExtensionOut)
@blp.doc(security=SECURITY)
def decide_extension(data: dict[str, Any], extension_id: int) -> dict[str, Any]:
    """Grant (a new compliance date, and a notice of extension prepared as a draft) or refuse."""
    user = require(api_user(), "cases.write")
    session = db()
    ext, case = extensions.get_extension(session, user, extension_id, for_update=True)
    extensions.decide(session, user, ext, case, data)
    out = extensions.extension_view(session, ext, case)
    session.commit()
    return out
