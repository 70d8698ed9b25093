"""Disposition in the background: the API's and the page's "execute" queue this job; the
worker runs it with progress on the job row."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from docsvc.db import Database
from docsvc.documents.service import Env
from docsvc.errors import DocsvcError
from docsvc.jobs import queue
from docsvc.models import Job, User
from docsvc.retention.disposition import execute

EXECUTE_JOB = "retention_execute"


def run(database: Database, session: Session, env: Env, job: Job) -> None:
    job_id, params = job.id, dict(job.params or {})
    user = session.get(User, params.get("user_id"))
    if user is not None:
        session.expunge(user)
    session.rollback()
    try:
        report = execute(
            database, env.store, env.settings.data_dir, user,
            date.fromisoformat(params["as_of"]),
            lambda stage, done, total: queue.report(session, job_id, stage, done, total),
        )  # fmt: skip
        done = session.get(Job, job_id)
        if done is not None:
            done.progress = {"stage": "done", "done": 1, "total": 1, "run_id": report.run_id}
    except DocsvcError as exc:
        session.rollback()
        stopped = session.get(Job, job_id)
        if stopped is not None:
            stopped.progress = {"message": exc.message}
