"""How every process of docsvc logs: text lines by default, JSON lines when
DOCSVC_LOG_FORMAT=json (one object a line, for a log shipper), with the request or job a line
was written in.

The one place the log format is decided: `docsvc serve` (gunicorn's master, its HTTP workers and
their access log) and `docsvc worker` all configure logging here. The request's id is set by
`docsvc/web/request_id.py`, the job's by the worker, in context variables read by `ContextFilter`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# Libraries' step-by-step chatter would bury the lines an operator needs.
CHATTY = ("weasyprint.progress", "pikepdf._core", "fontTools")

request_id: ContextVar[str | None] = ContextVar("docsvc_request_id", default=None)
job: ContextVar[tuple[int, str] | None] = ContextVar("docsvc_job", default=None)

# A release link's token is the only thing that opens its records: whoever reads a log must not
# be able to follow it.
_RELEASE_LINK = re.compile(r"^(/public/releases/)[^/]+")
# "//public//releases/./TOKEN" reaches the same link: repeated slashes and "." segments are
# folded before the token is looked for.
_FOLD = re.compile(r"/(?:\.?/)+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def escaped(text: str) -> str:
    """Control characters written as \\xNN: whatever a caller put in a path or header cannot
    start a line of its own in a log (a forged entry)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def logged_path(path: str) -> str:
    """A request path as any log keeps it: a release link's token cut out, control characters
    escaped."""
    return escaped(_RELEASE_LINK.sub(r"\1[link]", _FOLD.sub("/", path)))


class TextFormatter(logging.Formatter):
    """One record, one line: a control character in a message is written escaped, so no
    message (a path, a name a caller chose) can forge a line; a traceback follows on lines of
    its own, as Python prints it."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escaped(record.message)
        return super().formatMessage(record)


def json_mode() -> bool:
    return os.environ.get("DOCSVC_LOG_FORMAT", "").strip().lower() == "json"


def node_name() -> str:
    return os.environ.get("DOCSVC_NODE_NAME", "").strip() or socket.gethostname()


@contextmanager
def job_context(job_id: int, kind: str) -> Iterator[None]:
    """Lines logged inside carry the job's id and kind."""
    token = job.set((job_id, kind))
    try:
        yield
    finally:
        job.reset(token)


class ContextFilter(logging.Filter):
    """Puts the current request's id and job on every record (None outside them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        current = job.get()
        if current is not None and not hasattr(record, "job_id"):
            record.__dict__.update(job_id=current[0], kind=current[1])
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ms), level, logger, message, node, pid, the request's
    id or the job's id and kind when there is one, `fields` passed in `extra`, and an exception's
    traceback as one string ("exc"), so a line is always one record."""

    def __init__(self) -> None:
        super().__init__()
        self.node = node_name()

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC)
        out: dict[str, Any] = {
            "time": stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None)
        if rid:
            out["request_id"] = rid
        job_id = getattr(record, "job_id", None)
        if job_id is not None:
            out["job_id"] = job_id
            out["kind"] = getattr(record, "kind", None)
        out.update(getattr(record, "fields", None) or {})
        out["node"] = self.node
        out["pid"] = record.process
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def formatter(text_format: str = TEXT_FORMAT) -> logging.Formatter:
    return JsonFormatter() if json_mode() else TextFormatter(text_format)


def configure(text_format: str = TEXT_FORMAT) -> None:
    """INFO and above to stderr (the server's log), as text lines, or JSON lines when
    DOCSVC_LOG_FORMAT=json. Replaces the root logger's handlers: run once at a process's start."""
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(text_format))
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for chatty in CHATTY:
        logging.getLogger(chatty).setLevel(logging.WARNING)
    if json_mode():
        # Nothing else may write to the log unformatted: warnings and uncaught exceptions
        # (which print multi-line tracebacks) become records too.
        logging.captureWarnings(True)
        sys.excepthook = _log_uncaught
        threading.excepthook = _log_thread_uncaught


def _log_uncaught(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    logging.getLogger("docsvc").critical("uncaught %s", kind.__name__, exc_info=(kind, exc, tb))


def _log_thread_uncaught(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    logging.getLogger("docsvc").error(
        "uncaught %s in thread %s",
        args.exc_type.__name__,
        args.thread.name if args.thread else "?",
        exc_info=(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback),
    )
