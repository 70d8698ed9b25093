"""Disposition in the background: the API's and the page's "execute" queue this job; the
worker runs it with progress on the job row."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from docsvc.db import Database
from docsvc.documents.service import Env
from docsvc.jobs import queue
from docsvc.models import Job, User
from docsvc.retention.disposition import Progress, execute

EXECUTE_JOB = "retention_execute"


def run(database: Database, session: Session, env: Env, job: Job) -> None:
    as_of = date.fromisoformat((job.params or {})["as_of"])

    def work(user: User | None, progress: Progress) -> dict[str, Any]:
        report = execute(database, env.store, env.settings.data_dir, user, as_of, progress)
        return {"stage": "done", "done": 1, "total": 1, "run_id": report.run_id}

    queue.run_as_asker(session, job, work)
