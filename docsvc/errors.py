"""Domain errors. Each carries its HTTP status, error code (docs/API.md, Errors) and a sentence
saying what to fix.

Messages must never contain a complainant identifier: they are shown to whoever asked.
"""

from __future__ import annotations

from typing import Any


class DocsvcError(Exception):
    status = 400
    code = "validation_error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class Unauthorized(DocsvcError):
    status = 401
    code = "unauthorized"


class Forbidden(DocsvcError):
    status = 403
    code = "forbidden"


class NotFound(DocsvcError):
    status = 404
    code = "not_found"


class Conflict(DocsvcError):
    status = 409
    code = "conflict"


class TooLarge(DocsvcError):
    status = 413
    code = "too_large"


class UnsupportedMediaType(DocsvcError):
    status = 415
    code = "unsupported_media_type"


class OnHold(DocsvcError):
    status = 409
    code = "on_hold"


class Invalid(DocsvcError):
    status = 422
    code = "validation_error"


class ComplaintRefused(DocsvcError):
    status = 422
    code = "complaint_refused"
