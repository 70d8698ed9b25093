"""The clerk's steps on a request, shared by the API and the pages: review the boxes, dismiss a
finding, release, change or close the request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.db import Database
from docsvc.disclosure import exceptions, links, ruling
from docsvc.disclosure import release as releasing
from docsvc.disclosure.findings import request_finding
from docsvc.disclosure.prepare import prepare_again
from docsvc.disclosure.requests import get_request
from docsvc.documents.env import Env
from docsvc.errors import Conflict, Invalid, NotFound
from docsvc.jobs import queue
from docsvc.jobs.queue import enqueue
from docsvc.labels import label
from docsvc.models import (
    DisclosureException,
    DisclosureItem,
    DisclosureRequest,
    Job,
    Redaction,
    Release,
    ScanFinding,
    User,
)
from docsvc.timeutil import utcnow

RELEASE_JOB = "disclosure_release"


def review(
    session: Session, user: User, req: DisclosureRequest, boxes: list[dict[str, Any]]
) -> list[Redaction]:
    """The reviewed set replaces the proposals: boxes confirmed, moved, added or dropped.
    Each box is {document_id (the item), page, box: [x0, y0, x1, y1] in points, kind}."""
    if req.status != "review":
        raise Conflict(f"the request is {_status(req)}; boxes are reviewed while it is in review.")
    items = {
        i.id: i
        for i in session.scalars(select(DisclosureItem).where(DisclosureItem.request_id == req.id))
    }
    rows = []
    for n, b in enumerate(boxes):
        item = items.get(b["document_id"])
        if item is None:
            raise Invalid(f"box {n}: document {b['document_id']} is not part of this request.")
        sizes = item.page_sizes or []
        if not 1 <= b["page"] <= len(sizes):
            raise Invalid(f"box {n}: document {item.id} has {len(sizes)} page(s).")
        width, height = sizes[b["page"] - 1]
        x0, y0, x1, y1 = b["box"]
        if not (0 <= x0 < x1 <= width + 0.5 and 0 <= y0 < y1 <= height + 0.5):
            raise Invalid(
                f"box {n} must lie on its page (0-{width:.0f} by 0-{height:.0f} points) with "
                "x0 < x1 and y0 < y1."
            )
        rows.append(
            Redaction(
                request_id=req.id, item_id=item.id, page=b["page"], x0=x0, y0=y0, x1=x1, y1=y1,
                kind=b.get("kind") or "other", status="confirmed", origin="clerk",
            )
        )  # fmt: skip
    session.execute(delete(Redaction).where(Redaction.request_id == req.id))
    session.add_all(rows)
    req.reviewed_at, req.reviewed_by_id, req.updated_at = utcnow(), user.id, utcnow()
    append(
        session, actor_of(user), "disclosure.review", "disclosure", req.id, fields=["redactions"]
    )
    session.flush()
    return rows


def decide_exception(
    session: Session, user: User, req: DisclosureRequest, exception_id: int, decision: Any
) -> DisclosureException:
    """A clerk confirms or rejects "public in the record" for one identifier of one case."""
    row, again = exceptions.decide(
        session, user, req, exception_id, exceptions.parse_decision(decision)
    )
    if again:
        prepare_again(session, req, row.case_id)
    return row


def dismiss(
    session: Session, user: User, req: DisclosureRequest, finding_id: int, reason: str
) -> ScanFinding:
    f = request_finding(session, req, finding_id)
    if f is None:
        raise NotFound(f"no finding {finding_id} in request {req.id}.")
    f.dismissed_reason, f.dismissed_by_id, f.dismissed_at = reason, user.id, utcnow()
    append(session, actor_of(user), "disclosure.dismiss", "finding", f.id, fields=["reason"])
    return f


def release(
    database: Database,
    session: Session,
    env: Env,
    user: User,
    request_id: int,
    accept: bool,
    progress: releasing.Progress | None = None,
    expires_at: datetime | None = None,
) -> Release:
    """Build, scan, and release or refuse. The package is built and scanned on a read-only
    session (a minute of rendering and OCR holds no lock); the outcome is written in `session`,
    which is committed here either way (refused findings are kept for dismissal). The public
    link stops working at `expires_at`, if given."""
    links.check_expiry(expires_at)
    with database.read_session() as rs:
        req = get_request(rs, user, request_id)
        releasing.check_ready(rs, req, accept)
        package = releasing.build_package(rs, env, req, user, progress)
    findings, seconds = releasing.scan(package, progress)
    req = get_request(session, user, request_id)
    if req.status != "review":
        raise Conflict(f"the request is {_status(req)}; it cannot be released now.")
    open_findings = releasing.record_findings(session, req, findings)
    if open_findings:
        session.commit()
        raise releasing.ReleaseBlocked(
            f"the leak scanner found the withheld complainant's identity in {len(open_findings)} "
            "place(s) of the package; nothing was released. Redact them (or dismiss a finding "
            "that does not identify the complainant here, with the reason) and release again.",
            {"findings": [releasing.finding_dict(f) for f in open_findings]},
        )
    rel = releasing.record_release(session, env, user, req, package, seconds, expires_at)
    session.commit()
    return rel


def queue_release(
    session: Session,
    user: User,
    req: DisclosureRequest,
    accept: bool,
    expires_at: datetime | None = None,
) -> None:
    """The pages' release: what can be checked now is (the clerk hears at once), the minute of
    building and scanning runs in the worker with its progress on the request's page."""
    if req.status != "review":
        raise Conflict(f"the request is {_status(req)}; it cannot be released now.")
    links.check_expiry(expires_at, "expires_on")
    releasing.check_ready(session, req, accept)
    params: dict[str, Any] = {"user_id": user.id, "accept": accept}
    if expires_at is not None:
        params["expires_at"] = expires_at.isoformat()
    if not enqueue(session.connection(), RELEASE_JOB, req.id, params):
        raise Conflict("a release of this request is already under way; wait for its outcome.")


def run_release_job(database: Database, session: Session, env: Env, job: Job) -> None:
    """The job: the same release as the API's, reporting each record built and file scanned.
    A refusal (findings, a changed state) is the job's outcome, kept for the page."""
    # Read now: after the claim's transaction ends, touching the job would open another.
    params = job.params or {}
    request_id, accept = job.ref_id, bool(params.get("accept"))
    expiry = params.get("expires_at")
    expires_at = datetime.fromisoformat(expiry) if expiry else None

    def work(user: User | None, progress: releasing.Progress) -> None:
        if user is None or user.disabled:
            raise Conflict("the clerk who asked for this release can no longer release; ask again.")
        release(database, session, env, user, request_id, accept, progress, expires_at)

    queue.run_as_asker(session, job, work, "disclosure")


def update(session: Session, user: User, req: DisclosureRequest, data: dict[str, Any]) -> None:
    """A request's PATCH, from the API and the pages' close: when an Attorney General decision
    was requested (Texas), notes, or closing it, which revokes its public link unless
    `keep_release_link` says to keep it."""
    keep = data.pop("keep_release_link", None)
    if keep is not None and data.get("status") != "closed":
        raise Invalid(
            'keep_release_link is said when closing: send it with "status": "closed".',
            {"field": "keep_release_link"},
        )
    if "ruling_requested_at" in data:
        ruling.record_request(session, user, req, data.pop("ruling_requested_at"))
    closing = data.pop("status", None) == "closed"
    for key, value in data.items():
        setattr(req, key, value or None)
    req.updated_at = utcnow()
    if closing:
        links.close(session, user, req, bool(keep))
    changed = sorted([*data, "status"] if closing else data)
    if changed:
        append(session, actor_of(user), "disclosure.update", "disclosure", req.id, fields=changed)


def _status(req: DisclosureRequest) -> str:
    """A request's status as its page says it ('in review'), never its code."""
    return label(req.status, "request").lower()
