"""Files in and out over HTTP, shared by the API and the pages: a stored file sent verified
under a name we made, documents, bundle volumes, release packages and reports, each after the
identity guard where it may name the complainant."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, BinaryIO, cast

from flask import Response, request
from werkzeug.datastructures import FileStorage

from docsvc.attachments.service import Upload, add_attachment
from docsvc.attachments.sniff import PDF
from docsvc.bundles.build import file_name
from docsvc.documents import service as documents
from docsvc.errors import Invalid, NotFound
from docsvc.identity import guard
from docsvc.models import (
    Attachment,
    Bundle,
    Case,
    DisclosureRequest,
    DispositionRun,
    Document,
    Release,
    User,
)
from docsvc.reports import catalog, render
from docsvc.reports.catalog import visible_profile
from docsvc.store.filestore import CHUNK
from docsvc.timeutil import utcnow
from docsvc.web.context import database, db, env, file_store, settings


def store_upload(user: Any, case: Case, f: FileStorage, form: dict[str, Any]) -> Attachment:
    """One uploaded file into the case, with the fields of AttachmentForm (API and UI alike)."""
    return add_attachment(
        db(),
        file_store(),
        settings(),
        user,
        case,
        # FileStorage types its stream IO[bytes]; it is the binary file Upload reads.
        Upload(cast(BinaryIO, f.stream), f.filename, f.mimetype),
        kind=form["kind"],
        caption=form.get("caption"),
        supplied_by_complainant=form["supplied_by_complainant"],
    )


# Files larger than this are streamed from the store rather than read whole first: a bundle
# volume of hundreds of megabytes costs a download a chunk of memory, not the volume.
STREAM_ABOVE = 8 * 1024 * 1024


def stored_body(sha256: str) -> tuple[bytes | Iterator[bytes], int]:
    """A stored file's bytes for a response, and their length. A small file is read and
    verified before anything is sent (a changed one is refused in words); a large one is
    streamed and verified as it goes: if its last chunk finds the hash wrong, the response
    is cut short of its Content-Length, so no client mistakes it for the whole file."""
    store = file_store()
    size = store.size_of(sha256)
    if size is None or size <= STREAM_ABOVE:
        data = store.open_verified(sha256)  # a missing file raises here, in words
        return data, len(data)

    def chunks() -> Iterator[bytes]:
        with store.open_stream(sha256) as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    return chunks(), size


def send_stored(
    sha256: str, media_type: str, download_name: str, disposition: str = "inline"
) -> Response:
    """A stored file, verified against its hash as it is read, under a name we made."""
    body, size = stored_body(sha256)
    resp = Response(body, mimetype=media_type)
    resp.content_length = size
    # The served name is neutral; the uploaded name is data, never echoed into a header.
    resp.headers["Content-Disposition"] = f'{disposition}; filename="{download_name}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, max-age=3600"
    resp.headers["ETag"] = sha256
    return resp


def serve_variant(user: Any, att: Attachment, case: Case, variant: str, via: str) -> Response:
    """A file's bytes, after the identity guard (a file that may name the complainant is a
    view of their identity, audited)."""
    from docsvc.attachments.sniff import JPEG, LABELS

    sha: str | None
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


def send_volume(user: User, bundle: Bundle, case: Case, number: int, via: str) -> Response:
    """A volume (PDF). The unredacted bundle shows the complainant: each download is audited."""
    match = next((v for v in bundle.volumes if v.number == number), None)
    if match is None:
        raise NotFound(f"bundle {bundle.id} has no volume {number}.")
    if not bundle.redacted:
        guard.view_identity_now(database(), user, case, f"{via}.bundle.{bundle.id}")
    return uncached_if(
        not bundle.redacted,
        send_stored(
            match.sha256, PDF, file_name(case.case_number, bundle.id, number), "attachment"
        ),
    )


def send_manifest(user: User, bundle: Bundle, case: Case, via: str) -> Response:
    """The manifest: of an unredacted bundle it lists the complainant's files by caption, so
    each download is a view, as a volume's is."""
    if bundle.manifest_sha256 is None:
        raise NotFound(f"bundle {bundle.id} is not built yet.")
    if not bundle.redacted:
        guard.view_identity_now(database(), user, case, f"{via}.bundle.{bundle.id}.manifest")
    return uncached_if(
        not bundle.redacted,
        send_stored(
            bundle.manifest_sha256,
            "application/json",
            f"{case.case_number}-bundle-{bundle.id}-manifest.json",
            "attachment",
        ),
    )


def send_certification(bundle: Bundle, case: Case) -> Response:
    if bundle.certification_sha256 is None:
        raise NotFound(f"bundle {bundle.id} is not certified yet.")
    return send_stored(
        bundle.certification_sha256,
        PDF,
        f"{case.case_number}-bundle-{bundle.id}-certification.pdf",
        "attachment",
    )


ZIP = "application/zip"


def send_ruling_letter(req: DisclosureRequest) -> Response:
    if req.ruling_letter_sha256 is None:
        raise NotFound(f"no ruling letter is recorded for request {req.id}.")
    resp = send_stored(
        req.ruling_letter_sha256, "application/pdf", f"ruling-{req.id}.pdf", "attachment"
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def send_package(rel: Release) -> Response:
    """The released ZIP as sent to staff (API and pages) and to whoever holds the link."""
    body, size = stored_body(rel.package_sha256)
    resp = Response(body, mimetype=ZIP)
    resp.content_length = size
    resp.headers["Content-Disposition"] = f'attachment; filename="release-{rel.request_id}.zip"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


def file_response(session: Any, user: Any, doc: Document, case: Case, fmt: str) -> Response:
    """The issued file (stored bytes, the same every time) or, for a draft, a fresh preview."""
    media = documents.PDF_TYPE if fmt == "pdf" else documents.DOCX_TYPE
    name = f"{case.case_number}-{doc.type.replace('_', '-')}-{doc.id}.{fmt}"
    bears = guard.view_file_now(database(), user, case, doc, f"document.{doc.id}.{fmt}")
    if doc.status == "draft":
        pdf, docx = documents.preview(session, env(), user, doc, case)
        resp = Response(pdf if fmt == "pdf" else docx, mimetype=media)
        resp.headers["Content-Disposition"] = f'inline; filename="preview-{name}"'
        resp.headers["Cache-Control"] = "no-store"
        return resp
    sha = doc.pdf_sha256 if fmt == "pdf" else doc.docx_sha256
    assert sha is not None  # issuing stores the PDF and the DOCX together
    return uncached_if(bears, send_stored(sha, media, name))


def report_response(
    user: Any, name: str, code: str, year: int, fmt: str
) -> dict[str, Any] | Response:
    profile = visible_profile(db(), user, code)
    if year > utcnow().astimezone(profile.zone).year:
        raise Invalid(f"{year} has not begun yet; choose this year or an earlier one.")
    report = catalog.build(name, db(), profile, year, utcnow())
    if fmt == "json":
        return render.to_json(report)
    filename = f"{code}-{name}-{year}.{fmt}"
    if fmt == "csv":
        body, media = render.to_csv(report), "text/csv"  # werkzeug adds charset=utf-8
    else:
        body = render.to_pdf(report, code, settings().data_dir, file_store())
        media = "application/pdf"
    resp = Response(body, mimetype=media)
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


def send_certificate(run: DispositionRun) -> Response:
    """A disposition run's certificate of destruction (a retained record)."""
    assert run.certificate_sha256 is not None  # certified_run() returns certified runs only
    return send_stored(
        run.certificate_sha256, PDF, f"certificate-of-destruction-{run.id}.pdf", "attachment"
    )
