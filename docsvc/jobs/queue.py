"""A job queue in the database: work queued in the same transaction as the record that needs it,
claimed with a lease, retried when a worker dies or a job fails.

A claim is a compare-and-set UPDATE on the row, so two workers (or a worker and its restarted
self) can never both hold a job, on SQLite and PostgreSQL alike. On PostgreSQL, where several
nodes' workers share the queue, the claim is one UPDATE whose subquery picks the row with
`FOR UPDATE SKIP LOCKED`: a claimer passes over a row another is taking instead of waiting on it
and losing. A worker that dies mid-job leaves the job "running" with a lease that runs out
(DOCSVC_JOB_LEASE_SECONDS, default ten minutes); the next claim takes it again. A job that
keeps failing stops after MAX_ATTEMPTS and is reported by `docsvc verify`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Select, and_, func, insert, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from docsvc.auth.permissions import allowed
from docsvc.errors import DocsvcError
from docsvc.models import Job, User
from docsvc.timeutil import utcnow


def _lease() -> timedelta:
    """Ten minutes, longer than the slowest job (a 50-page OCR); DOCSVC_JOB_LEASE_SECONDS
    shortens it where a dead worker's job must come back sooner (the node tests)."""
    raw = os.environ.get("DOCSVC_JOB_LEASE_SECONDS", "").strip()
    if not raw:
        return timedelta(minutes=10)
    try:
        seconds = int(raw)
    except ValueError:
        raise ValueError(f"DOCSVC_JOB_LEASE_SECONDS must be whole seconds, not {raw!r}") from None
    if seconds <= 0:
        raise ValueError("DOCSVC_JOB_LEASE_SECONDS must be more than 0")
    return timedelta(seconds=seconds)


LEASE = _lease()
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(seconds=30)  # doubled after each failed attempt
ERROR_MAX = 1000


def enqueue(conn: Connection, kind: str, ref_id: int, params: dict[str, Any] | None = None) -> bool:
    """Queue `kind` for `ref_id` unless the same job is already waiting or running (False)."""
    pending = conn.scalar(
        select(Job.id).where(
            Job.kind == kind, Job.ref_id == ref_id, Job.status.in_(("queued", "running"))
        )
    )
    if pending is None:
        conn.execute(
            insert(Job).values(
                kind=kind, ref_id=ref_id, status="queued", attempts=0, created_at=utcnow(),
                params=params,
            )
        )  # fmt: skip
    return pending is None


def _claimable(now: datetime) -> ColumnElement[bool]:
    ready = and_(Job.status == "queued", or_(Job.locked_until.is_(None), Job.locked_until <= now))
    expired = and_(Job.status == "running", Job.locked_until <= now)
    return or_(ready, expired)


def _pick(now: datetime, kinds: tuple[str, ...] | None) -> Select[int]:
    """The oldest claimable job's id (of `kinds`, when given)."""
    pick = select(Job.id).where(_claimable(now)).order_by(Job.id).limit(1)
    if kinds is not None:
        pick = pick.where(or_(*(Job.kind.startswith(k) for k in kinds)))
    return pick


def claim(session: Session, kinds: tuple[str, ...] | None = None) -> Job | None:
    """Take the oldest job that is ready (or whose worker died), leased to this caller.
    Commits the claim so the lease holds while the work runs in later transactions."""
    if session.get_bind().dialect.name == "postgresql":
        return _claim_skip_locked(session, kinds)
    while True:
        now = utcnow()
        job_id = session.scalar(_pick(now, kinds))
        if job_id is None:
            session.rollback()
            return None
        # An UPDATE's result is a CursorResult (with rowcount); Session.execute is typed Result.
        taken = cast(
            CursorResult[Any],
            session.execute(
                update(Job)
                .where(Job.id == job_id, _claimable(now))
                .values(status="running", locked_until=now + LEASE, attempts=Job.attempts + 1)
            ),
        )
        session.commit()
        if taken.rowcount == 1:
            return session.get(Job, job_id, populate_existing=True)
        # Another worker took it between the SELECT and the UPDATE: try the next one.


def _claim_skip_locked(session: Session, kinds: tuple[str, ...] | None) -> Job | None:
    """PostgreSQL: pick and lease in one statement. The subquery locks the row it picks and
    skips rows other claimers hold, so concurrent claimers each get a different job and none
    waits; the outer condition is checked again on the locked row."""
    now = utcnow()
    pick = _pick(now, kinds)
    job_id = session.scalar(
        update(Job)
        .where(Job.id == pick.with_for_update(skip_locked=True).scalar_subquery(), _claimable(now))
        .values(status="running", locked_until=now + LEASE, attempts=Job.attempts + 1)
        .returning(Job.id)
    )
    session.commit()
    if job_id is None:
        return None
    return session.get(Job, job_id, populate_existing=True)


def finish(session: Session, job: Job) -> None:
    """Mark the job done, in the caller's transaction (with the work it did); a job its
    handler refused for good (`refuse`) stays failed."""
    if job.status == "failed":
        return
    job.status, job.locked_until, job.done_at, job.last_error = "done", None, utcnow(), None


def fail(session: Session, job_id: int, error: str) -> None:
    """Record a failed attempt and commit: back in the queue after a growing pause, or
    failed for good after MAX_ATTEMPTS."""
    session.rollback()
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        return
    job.last_error = error[:ERROR_MAX]
    if job.attempts >= MAX_ATTEMPTS:
        job.status, job.locked_until = "failed", None
    else:
        job.status = "queued"
        job.locked_until = utcnow() + RETRY_AFTER * 2 ** (job.attempts - 1)
    session.commit()


def release(session: Session, job_id: int) -> None:
    """Give a job back untouched (the worker is stopping): queued again at once, the attempt
    not counted. A job whose work already committed is left as it is."""
    session.rollback()
    session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "running")
        .values(status="queued", locked_until=None, attempts=Job.attempts - 1)
    )
    session.commit()


def report(session: Session, job_id: int, stage: str, done: int, total: int) -> None:
    """How far a running job has got, committed at once so the asker's page shows it. Called
    between steps, with no other work of the session's pending."""
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(progress={"stage": stage, "done": done, "total": total})
    )
    session.commit()


def refuse(job: Job, sentence: str) -> None:
    """Fail the job for good, at once, with `sentence` for the asker (no retry can help), in
    the caller's transaction."""
    job.status, job.locked_until = "failed", None
    job.last_error, job.progress = sentence[:ERROR_MAX], {"message": sentence}


def asker_refusal(asker: User | None, permission: str | None) -> str | None:
    """Why the job may not run for `asker` now (None: it may): the job runs with their rights
    as they are when it starts, not as they were when they asked."""
    if asker is None:
        return "the person who asked for it is no longer a user, so nothing was done"
    if asker.disabled:
        return "the account of the person who asked for it is disabled, so nothing was done"
    if permission is not None and not allowed(asker.role, permission):
        return "the person who asked for it may no longer do this, so nothing was done"
    return None


def run_as_asker(
    session: Session,
    job: Job,
    work: Callable[[User | None, Callable[[str, int, int], None]], dict[str, Any] | None],
    permission: str | None = None,
) -> None:
    """Run a job someone asked for: `work(asker, progress)`, the asker read as they were when
    the job starts and detached (touching them later opens no transaction), progress committed
    as it goes. An asker who is gone, disabled or no longer holds `permission` (every handler
    names the one its job needs) fails the job with the reason, and `work` never runs. A
    refusal (DocsvcError) is the job's outcome, kept for the asker's page, not a failure to
    retry; `work` may return the progress to leave when it succeeds."""
    job_id = job.id
    asker = session.get(User, (job.params or {}).get("user_id"))
    refusal = asker_refusal(asker, permission)
    if refusal is not None:
        refuse(job, refusal)
        return
    if asker is not None:
        session.expunge(asker)
    session.rollback()
    try:
        outcome = work(
            asker, lambda stage, done, total: report(session, job_id, stage, done, total)
        )
    except DocsvcError as exc:
        session.rollback()
        outcome = {"message": exc.message}
    if outcome is not None:
        row = session.get(Job, job_id)
        if row is not None:
            row.progress = outcome


def latest(session: Session, kind: str, ref_id: int) -> Job | None:
    """The most recent job of `kind` for `ref_id`, whatever its state."""
    return session.scalar(
        select(Job).where(Job.kind == kind, Job.ref_id == ref_id).order_by(Job.id.desc()).limit(1)
    )


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Job.status, func.count()).group_by(Job.status))
    return {status: n for status, n in rows}
