"""Disposition in the background: the API's and the page's "execute", and the page's "approve
all", queue these jobs; the worker runs them with progress on the job row."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from docsvc.db import Database
from docsvc.documents.env import Env
from docsvc.errors import Invalid, NotFound
from docsvc.jobs import queue
from docsvc.models import Job, User
from docsvc.retention.disposition import (
    Progress,
    approve_awaiting,
    execute,
)

EXECUTE_JOB = "retention_execute"
APPROVE_JOB = "retention_approve"  # ref_id: the approving user


def run(database: Database, session: Session, env: Env, job: Job) -> None:
    as_of = date.fromisoformat((job.params or {})["as_of"])

    def work(user: User | None, progress: Progress) -> dict[str, Any]:
        report = execute(database, env.store, env.settings.data_dir, user, as_of, progress)
        return {"stage": "done", "done": 1, "total": 1, "run_id": report.run_id}

    queue.run_as_asker(session, job, work)


def run_approval(database: Database, session: Session, env: Env, job: Job) -> None:
    def work(user: User | None, progress: Progress) -> dict[str, Any]:
        if user is None or user.disabled:
            raise Invalid("the user who asked is no longer active; nothing was approved.")
        n = approve_awaiting(database, user, progress)
        return {"stage": "done", "done": n, "total": n}

    queue.run_as_asker(session, job, work)


def queue_execution(session: Session, user: User, as_of: date) -> Job:
    """Queue the run that destroys what was approved as of `as_of`; committed, so the worker
    sees it at once. The job is the caller's progress to show."""
    queue.enqueue(
        session.connection(), EXECUTE_JOB, 0, {"user_id": user.id, "as_of": as_of.isoformat()}
    )
    session.commit()
    job = queue.latest(session, EXECUTE_JOB, 0)
    assert job is not None
    return job


def execution_job(session: Session, job_id: int) -> Job:
    """Disposition job `job_id`; a job of another kind is not found here."""
    job = session.get(Job, job_id)
    if job is None or job.kind != EXECUTE_JOB:
        raise NotFound(f"no disposition job {job_id}.")
    return job
