"""Disposition in the background: the API's and the page's "execute", and the page's "approve
all", queue these jobs; the worker runs them with progress on the job row, as the user who asked
(still allowed to, when it runs) and within their jurisdictions. A disposition job is seen only
by a user who sees every jurisdiction it reached (or could reach: its asker's)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.auth.scope import all_in_sight, sees_all
from docsvc.db import Database
from docsvc.documents.env import Env
from docsvc.errors import Conflict, NotFound
from docsvc.jobs import queue
from docsvc.models import Job, User
from docsvc.retention.disposition import (
    Progress,
    approve_awaiting,
    execute,
    run_jurisdictions,
)

EXECUTE_JOB = "retention_execute"
APPROVE_JOB = "retention_approve"  # ref_id: the approving user


def run(database: Database, session: Session, env: Env, job: Job) -> None:
    as_of = date.fromisoformat((job.params or {})["as_of"])

    def work(user: User | None, progress: Progress) -> dict[str, Any]:
        report = execute(database, env.store, env.settings.data_dir, user, as_of, progress)
        return {"stage": "done", "done": 1, "total": 1, "run_id": report.run_id}

    queue.run_as_asker(session, job, work, "retention.execute")


def run_approval(database: Database, session: Session, env: Env, job: Job) -> None:
    def work(user: User | None, progress: Progress) -> dict[str, Any]:
        assert user is not None  # run_as_asker checked the asker may still approve
        n = approve_awaiting(database, user, progress)
        return {"stage": "done", "done": n, "total": n}

    queue.run_as_asker(session, job, work, "retention.approve")


def queue_execution(session: Session, user: User, as_of: date) -> Job:
    """Queue the run that destroys what was approved as of `as_of`; committed, so the worker
    sees it at once. The job is the caller's progress to show. One disposition runs at a
    time: while another's is waiting or running, the caller sees theirs again if they may,
    else hears to wait."""
    queue.enqueue(
        session.connection(), EXECUTE_JOB, 0, {"user_id": user.id, "as_of": as_of.isoformat()}
    )
    session.commit()
    job = queue.latest(session, EXECUTE_JOB, 0)
    assert job is not None
    if not sees_all(user, job_jurisdictions(session, job)):
        raise Conflict("another disposition is under way; try again when it has finished.")
    return job


def job_jurisdictions(session: Session, job: Job) -> set[str] | None:
    """The jurisdictions a disposition job reached (its run's), or, before it made a run, the
    ones its asker was limited to (None: every one)."""
    run_id = (job.progress or {}).get("run_id")
    if run_id:
        return run_jurisdictions(session, run_id)
    asker = session.get(User, (job.params or {}).get("user_id"))
    return None if asker is None or asker.jurisdictions is None else set(asker.jurisdictions)


def execution_job(session: Session, user: User, job_id: int) -> Job:
    """Disposition job `job_id`, if `user` sees every jurisdiction it reached; a job of
    another kind, or out of their sight, is not found here."""
    job = session.get(Job, job_id)
    missing = f"no disposition job {job_id}."
    if job is None or job.kind != EXECUTE_JOB:
        raise NotFound(missing)
    all_in_sight(user, job_jurisdictions(session, job), missing)
    return job


def latest_execution(session: Session, user: User) -> Job | None:
    """The latest disposition job `user` sees (the retention page's progress)."""
    recent = session.scalars(
        select(Job).where(Job.kind == EXECUTE_JOB).order_by(Job.id.desc()).limit(20)
    ).all()
    return next((j for j in recent if sees_all(user, job_jurisdictions(session, j))), None)
