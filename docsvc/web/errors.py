"""One error shape for the API ({"error", "code", "details"}), an HTML page for the browser.

Nothing here echoes request data back: an error message is built only from the domain error's
own sentence, so a complainant's name in a bad request never comes back in the reply or a log.
"""

from __future__ import annotations

import errno
import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RoutingException

from docsvc.audit.keys import AuditKeyError
from docsvc.errors import DocsvcError
from docsvc.logs import logged_path
from docsvc.store import IntegrityError as StoreIntegrityError
from docsvc.store import StorageError
from docsvc.validation import flatten_errors
from docsvc.web import request_id

log = logging.getLogger("docsvc")

_HTTP_CODES = {
    400: "validation_error",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "validation_error",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_error",
}
_HTTP_SENTENCES = {
    400: "the request could not be read; send well-formed JSON (Content-Type: application/json).",
    404: "nothing here: check the address.",
    405: "this address does not accept that method.",
    413: "the request is larger than the upload limit; send a smaller file.",
    415: "send JSON with Content-Type: application/json.",
}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/public/", "/healthz", "/readyz"))


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> Response | tuple[str, int]:
    if wants_json():
        resp = jsonify({"error": message, "code": code, "details": details or {}})
        resp.status_code = status
        if status == 401:
            resp.headers["WWW-Authenticate"] = 'Bearer realm="docsvc"'
        return resp
    return render_template("error.html", status=status, message=message), status


def _field_sentence(messages: Any) -> str:
    lines = flatten_errors(messages, root="request")
    return "fix these fields: " + "; ".join(lines[:12]) + ("" if len(lines) <= 12 else "; …")


def _page_above(path: str) -> str:
    """The page a form's address belongs to: the address with its last segments removed, the
    nearest one that is a page (answers GET on the page blueprint); else the start page."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    parts = path.rstrip("/").split("/")
    for end in range(len(parts) - 1, 0, -1):
        candidate = "/".join(parts[:end]) or "/"
        try:
            endpoint, _ = adapter.match(candidate, method="GET")
        except (HTTPException, RoutingException):
            continue
        if str(endpoint).startswith("ui."):
            return candidate
    return url_for("ui.signin.home")


def form_only(exc: MethodNotAllowed) -> tuple[str, int, dict[str, str]]:
    """A page form's address opened as a page (a bookmark, Reload after a refusal, a pasted
    link): said in words, with the way back to the page the form is on."""
    allow = ", ".join(sorted(exc.valid_methods or []))
    return (
        render_template(
            "error.html",
            status=405,
            heading="This address only takes a form",
            message=(
                "It is where a form on one of the pages is sent, so there is nothing here to "
                "show. Go back to that page and use the form there."
            ),
            back=_page_above(request.path),
        ),
        405,
        {"Allow": allow} if allow else {},
    )


def handle_http_exception(exc: HTTPException) -> Response | tuple[Any, ...]:
    status = exc.code or 500
    if isinstance(exc, MethodNotAllowed) and not wants_json():
        return form_only(exc)
    if isinstance(exc, MethodNotAllowed):
        # RFC 9110: a 405 names the methods the address does take.
        refused = error_response(405, _HTTP_CODES[405], _HTTP_SENTENCES[405])
        if isinstance(refused, Response):
            refused.headers["Allow"] = ", ".join(sorted(exc.valid_methods or []))
        return refused
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if messages:
        # webargs: {"json": {...}} or {"form": {...}}; drop the location level
        merged: dict[str, Any] = {}
        for value in messages.values():
            merged.update(value if isinstance(value, dict) else {"_schema": value})
        return error_response(422, "validation_error", _field_sentence(merged), {"fields": merged})
    if status == 415 and request.path.startswith("/api/"):
        return error_response(415, "unsupported_media_type", _HTTP_SENTENCES[415])
    if isinstance(exc, CSRFError):
        message = (
            "this form's security token is missing or stale (the CSRF check). Reload the page "
            "and submit the form again."
        )
    elif wants_json() and status in _HTTP_SENTENCES:
        message = _HTTP_SENTENCES[status]
    else:
        message = (exc.description or exc.name).rstrip(".") + "."
    return error_response(status, _HTTP_CODES.get(status, "validation_error"), message)


def handle_docsvc_error(exc: DocsvcError) -> Response | tuple[str, int]:
    return error_response(exc.status, exc.code, exc.message, exc.details)


def handle_unexpected(exc: Exception) -> Response | tuple[str, int]:
    # Logged by type and place only: the exception text may quote personal data.
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb else "?"
    reference = request_id.current() or "-"
    log.error(
        "unexpected %s at %s on %s %s (reference %s)",
        type(exc).__name__,
        where,
        request.method,
        logged_path(request.path),
        reference,
    )
    # The reference is the request's id: quoted by the user, it finds this line in the log.
    return error_response(
        500,
        "internal_error",
        f"something went wrong on our side; it has been logged (reference {reference}).",
        {"reference": reference},
    )


# Endpoints that take multipart uploads; every other API write takes JSON.
MULTIPART_ENDPOINTS = {
    "attachments.upload",
    "documents.return_receipt",
    "disclosure.attach_ruling_letter",
}


def check_api_body() -> Response | tuple[str, int] | None:
    """415 when the body's type is not what the endpoint reads (before any parsing)."""
    if not request.path.startswith("/api/") or request.method not in ("POST", "PUT", "PATCH"):
        return None
    if request.endpoint in MULTIPART_ENDPOINTS:
        if request.mimetype != "multipart/form-data":
            return error_response(
                415,
                "unsupported_media_type",
                "upload the file as multipart/form-data with the file in the 'file' field.",
            )
        return None
    if request.content_length and request.mimetype != "application/json":
        return error_response(415, "unsupported_media_type", _HTTP_SENTENCES[415])
    return None


AUDIT_UNAVAILABLE = (
    "This server cannot write the audit log, so it shows and changes nothing: tell the "
    "system administrator (its audit keys are missing or differ from the other servers')."
)


def handle_audit_keys(exc: AuditKeyError) -> Response | tuple[Any, ...]:
    # An operator's fix (docs/AUDIT.md, docs/DEPLOYMENT.md), never the user's: said in words,
    # the reason (a path, never a key) logged once; /readyz already takes the node out.
    log.error("the audit log cannot be written: %s, on %s %s", exc, request.method,
              logged_path(request.path))  # fmt: skip
    if wants_json():
        return error_response(503, "audit_log_unavailable", AUDIT_UNAVAILABLE)
    page = render_template(
        "error.html", status=503, heading="This server is not set up", message=AUDIT_UNAVAILABLE
    )
    return page, 503


def handle_integrity(exc: StoreIntegrityError) -> Response | tuple[str, int]:
    # Not the caller's fault and not to be served: the stored bytes failed their fixity check.
    log.error("fixity failure on %s %s", request.method, logged_path(request.path))
    return error_response(
        500,
        "integrity_error",
        "the stored file failed its integrity check and was not served; run `docsvc verify` "
        "and restore it from backup.",
    )


STORE_FULL = "The file store is full: nothing was saved. Tell the system administrator."
STORE_UNAVAILABLE = (
    "The file store did not answer: nothing was saved. Try again in a minute; if it keeps "
    "happening, tell the system administrator."
)
STORE_UNREADABLE = (
    "The file store did not answer, so the file cannot be shown now. Try again in a minute; "
    "if it keeps happening, tell the system administrator."
)
STORE_READ_ONLY = (
    "The file store is read-only or not writable: nothing was saved. Tell the system administrator."
)


def handle_os_error(exc: OSError) -> Response | tuple[Any, ...]:
    """A write the disk refused, said in words: 507 when it is full, 503 when it cannot be
    written (nothing was kept: the store writes whole files or none, and the request's rows
    are rolled back). Logged once with the errno, the path and its mount point, so the
    administrator learns which disk. Any other OSError is unexpected."""
    if not isinstance(exc, StorageError):
        # Outside the store (a temporary file while rendering), only a full or read-only disk
        # is the disk's doing; a refused permission there is a fault of ours.
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            return handle_unexpected(exc)
        exc = StorageError(exc.errno, exc.filename or "?")
    if exc.full:
        status, code, heading, message = 507, "storage_full", "The file store is full", STORE_FULL
    elif exc.read_only:
        status, code, heading = 503, "storage_read_only", "The file store cannot be written"
        message = STORE_READ_ONLY
    elif exc.unreachable:
        status, code, heading = 503, "storage_unavailable", "The file store did not answer"
        reading = request.method in ("GET", "HEAD")
        message = STORE_UNREADABLE if reading else STORE_UNAVAILABLE
    else:
        return handle_unexpected(exc)
    log.error(
        "file store %s: %s, on %s %s",
        "did not answer" if exc.unreachable else "refused a write",
        exc.where(),
        request.method,
        logged_path(request.path),
    )
    if wants_json():
        return error_response(status, code, message)
    return render_template("error.html", status=status, heading=heading, message=message), status


def register(app: Flask) -> None:
    # The request id first: the error pages quote it, and every answer carries it.
    request_id.register(app)
    app.before_request(check_api_body)
    app.register_error_handler(StoreIntegrityError, handle_integrity)
    app.register_error_handler(AuditKeyError, handle_audit_keys)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(DocsvcError, handle_docsvc_error)
    app.register_error_handler(OSError, handle_os_error)
    app.register_error_handler(Exception, handle_unexpected)
