"""Mailing issued documents: the certified-mail cover sheet and mailing labels (docs/API.md,
Documents and service). Both are reads that render a PDF: neither records service."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_smorest import Blueprint

from docsvc.documents import mailing, service
from docsvc.documents.schemas import CoverSheetQuery, MailingLabelsIn
from docsvc.web.context import api_user, database, db, env, require

blp = Blueprint("mailing", __name__, description="Certified-mail cover sheets and labels (staff)")
SECURITY: list[dict[str, list[str]]] = [{"bearerAuth": []}]
PDF = {"200": {"description": "The PDF", "content": {"application/pdf": {}}}}


def _pdf(body: bytes, filename: str) -> Response:
    resp = Response(body, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # It may bear the complainant's identity (a document addressed to them): each showing is
    # fetched and audited, never cached.
    resp.headers["Cache-Control"] = "no-store"
    return resp


@blp.route("/api/documents/<int:document_id>/certified-mail-cover.pdf", methods=["GET"])
@blp.arguments(CoverSheetQuery, location="query")
@blp.doc(security=SECURITY, responses=PDF)
def cover_sheet(query: dict[str, Any], document_id: int) -> Response:
    """The certified-mail cover sheet of an issued document: the recipient's address for a
    #10 window envelope, and the article number (the recorded mailing's, else `article`) in
    groups and as a Code 128 barcode. Records nothing."""
    user = require(api_user(), "cases.write")
    session = db()
    doc, case = service.get_document(session, user, document_id)
    body = mailing.cover_sheet(database(), session, env(), user, doc, case, query.get("article"))
    return _pdf(body, f"{case.case_number}-certified-mail-cover-{doc.id}.pdf")


@blp.route("/api/mailing-labels", methods=["POST"])
@blp.arguments(MailingLabelsIn)
@blp.doc(security=SECURITY, responses=PDF)
def labels(data: dict[str, Any]) -> Response:
    """Avery 5160 / 8160 sheets of mailing labels for issued documents, in the order given,
    with the article number under each address when known. Records nothing."""
    user = require(api_user(), "cases.write")
    ids = list(dict.fromkeys(data["documents"]))  # each document once, in the order given
    typed = {int(k): v for k, v in data["articles"].items()}
    # A read, though posted (the list may be long): a read-only session, so the audited views
    # of a complainant's identity commit in their own short transactions beside it.
    with database().read_session() as session:
        wanted = [service.get_document(session, user, i) for i in ids]
        body = mailing.mailing_labels(database(), session, env(), user, wanted, typed)
    return _pdf(body, "mailing-labels.pdf")
