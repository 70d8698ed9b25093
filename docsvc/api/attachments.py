"""Attachments: upload into a case, read back (staff only)."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from werkzeug.datastructures import FileStorage

from docsvc.api.present import attachment_dict
from docsvc.attachments.schemas import AttachmentFile, AttachmentForm, AttachmentOut
from docsvc.attachments.service import Upload, add_attachment
from docsvc.cases import service
from docsvc.errors import Invalid, NotFound
from docsvc.identity import guard
from docsvc.models import Attachment, Case
from docsvc.web.context import api_user, database, db, file_store, require, settings

blp = Blueprint("attachments", __name__, description="Photos and documents in a case file (staff)")
SECURITY = [{"bearerAuth": []}]
VARIANTS = ("original", "print", "thumb")


@blp.route("/api/cases/<case_number>/attachments", methods=["POST"])
@blp.arguments(AttachmentForm, location="form")
@blp.arguments(AttachmentFile, location="files")
@blp.response(201, AttachmentOut)
@blp.doc(security=SECURITY)
def upload(form: dict[str, Any], files: dict[str, Any], case_number: str):  # type: ignore[no-untyped-def]
    """Accepted: JPEG, PNG, HEIC, TIFF, PDF, DOCX, EML, judged from the content."""
    user = require(api_user(), "cases.write")
    session = db()
    case = service.get_case(session, user, case_number, for_update=True)
    att = store_upload(user, case, files["file"], form)
    out = attachment_dict(att, case.case_number, service.case_profile(session, case).zone)
    session.commit()
    return out


def store_upload(user: Any, case: Case, f: FileStorage, form: dict[str, Any]) -> Attachment:
    """One uploaded file into the case, with the fields of AttachmentForm (API and UI alike)."""
    return add_attachment(
        db(),
        file_store(),
        settings(),
        user,
        case,
        Upload(f.stream, f.filename, f.mimetype),
        kind=form["kind"],
        caption=form.get("caption"),
        supplied_by_complainant=form["supplied_by_complainant"],
    )


def load_attachment(attachment_id: int, user: Any) -> tuple[Attachment, Case]:
    session = db()
    att = session.get(Attachment, attachment_id)
    case = session.get(Case, att.case_id) if att else None
    if att is None or case is None or not user.may_see_jurisdiction(case.jurisdiction_code):
        raise NotFound(f"no attachment {attachment_id} that you can see.")
    return att, case


def send_stored(
    sha256: str, media_type: str, download_name: str, disposition: str = "inline"
) -> Response:
    """A stored file, verified against its hash as it is read, under a name we made."""
    data = file_store().open_verified(sha256)
    resp = Response(data, mimetype=media_type)
    # The served name is neutral; the uploaded name is data, never echoed into a header.
    resp.headers["Content-Disposition"] = f'{disposition}; filename="{download_name}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, max-age=3600"
    resp.headers["ETag"] = sha256
    return resp


@blp.route("/api/attachments/<int:attachment_id>/<variant>", methods=["GET"])
@blp.doc(security=SECURITY, responses={"200": {"description": "The file's bytes"}})
def attachment_file(attachment_id: int, variant: str):  # type: ignore[no-untyped-def]
    """The original file, or a photo's print-size rendition or thumbnail."""
    user = require(api_user(), "cases.read")
    if variant not in VARIANTS:
        raise Invalid(f"variant must be one of: {', '.join(VARIANTS)}.")
    att, case = load_attachment(attachment_id, user)
    return serve_variant(user, att, case, variant, "api")


def serve_variant(user: Any, att: Attachment, case: Case, variant: str, via: str) -> Response:
    """A file's bytes, after the identity guard (a file that may name the complainant is a
    view of their identity, audited)."""
    from docsvc.attachments.sniff import JPEG, LABELS

    if variant == "original":
        sha, media = att.sha256, att.media_type
        name = f"{case.case_number}-attachment-{att.id}.{LABELS[att.media_type].lower()}"
    else:
        sha = att.print_sha256 if variant == "print" else att.thumb_sha256
        media, name = JPEG, f"{case.case_number}-attachment-{att.id}-{variant}.jpg"
        if sha is None:
            raise NotFound(f"attachment {att.id} is not a photo and has no {variant} rendition.")
    # Checked and recorded only once there is something to send.
    bears = guard.view_file_now(database(), user, case, att, f"{via}.attachment.{att.id}.{variant}")
    if request.headers.get("If-None-Match") == sha and not bears:
        return Response(status=304)
    return uncached_if(bears, send_stored(sha, media, name))


def uncached_if(bears: bool, resp: Response) -> Response:
    """A file that may name the complainant is fetched (and audited) each time it is shown."""
    if bears:
        resp.headers["Cache-Control"] = "no-store"
        del resp.headers["ETag"]
    return resp
