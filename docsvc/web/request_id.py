"""Every request gets an id: the caller's `X-Request-Id` when it is a plain token (a load
balancer's or nginx's `$request_id`), else a fresh one. It is answered in the response's
`X-Request-Id`, carried by every log line written during the request (`docsvc/logs.py`), and
quoted on the 500 page, so a user's "reference ..." finds the lines of their request.

A WSGI wrapper, not a Flask hook: the id is set before anything of the app runs (routing's 404,
the body's 413) and is on every answer, an error handler's too.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from typing import Any

from flask import Flask

from docsvc import logs

HEADER = "X-Request-Id"
# Only what a log line can carry as-is: no spaces, quotes or line breaks to forge a line with.
_PLAIN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def clean(value: str | None) -> str:
    """The caller's id when it is 1-64 of [A-Za-z0-9._-]; any other a fresh uuid4 hex."""
    if value and _PLAIN.fullmatch(value):
        return value
    return uuid.uuid4().hex


def current() -> str | None:
    """The id of the request being handled (None outside one)."""
    return logs.request_id.get()


class RequestIdMiddleware:
    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        rid = clean(environ.get("HTTP_X_REQUEST_ID"))
        environ["HTTP_X_REQUEST_ID"] = rid  # what the app reads is the id it answers with

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if k.lower() != HEADER.lower()]
            return start_response(status, [*kept, (HEADER, rid)], exc_info)

        token = logs.request_id.set(rid)
        try:
            return self.wsgi_app(environ, start)
        finally:
            logs.request_id.reset(token)


def register(app: Flask) -> None:
    app.wsgi_app = RequestIdMiddleware(app.wsgi_app)  # type: ignore[method-assign]
