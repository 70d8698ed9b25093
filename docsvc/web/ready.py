"""`GET /readyz`: can this instance take work? The database answers, this node's audit keys
can sign the audit log, and the file store takes a write (a tiny temporary file, or object,
written and removed). 200, or 503 naming the component
that failed and nothing else: it is unauthenticated, so no path, errno or version leaves it;
the reason goes to the log."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from docsvc.audit.chain import keys_problem
from docsvc.store import StorageError
from docsvc.web.context import database, file_store

log = logging.getLogger("docsvc")


def readyz() -> Response:
    status = {"database": "ok", "file_store": "ok", "audit_log": "ok"}
    try:
        with database().read_session() as session:
            session.execute(select(1))
            # Every view of a case is audited: a node whose audit keys cannot sign the log
            # would refuse them all, so it is not ready (docs/DEPLOYMENT.md: shared keys).
            problem = keys_problem(session)
            if problem is not None:
                log.error("not ready: the audit log cannot be written: %s", problem)
                status["audit_log"] = "failing"
    except SQLAlchemyError as exc:
        log.warning("not ready: the database did not answer (%s)", type(exc).__name__)
        status["database"] = "failing"
        status["audit_log"] = "failing"
    try:
        file_store().probe()
    except StorageError as exc:
        log.warning("not ready: the file store cannot be written: %s", exc.where())
        status["file_store"] = "failing"
    except OSError as exc:
        log.warning("not ready: the file store cannot be written (%s)", type(exc).__name__)
        status["file_store"] = "failing"
    ok = all(v == "ok" for v in status.values())
    resp = jsonify({"status": "ok" if ok else "unavailable", **status})
    resp.status_code = 200 if ok else 503
    resp.headers["Cache-Control"] = "no-store"
    return resp


def register(app: Flask) -> None:
    app.add_url_rule("/readyz", "readyz", readyz, methods=["GET"])
