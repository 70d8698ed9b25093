"""The background worker: drains the job queue, one job at a time, until told to stop.

`docsvc worker` runs it; `docsvc serve` starts it beside the web server and restarts it if
it dies. Any number may run at once: claims never overlap.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable

from sqlalchemy.orm import Session

from docsvc.bundles import jobs as bundle_jobs
from docsvc.bundles.service import BUILD_JOB
from docsvc.db import Database
from docsvc.disclosure import prepare, workflow
from docsvc.documents.service import Env
from docsvc.jobs import queue
from docsvc.models import Job
from docsvc.retention import jobs as retention_jobs
from docsvc.search import text_job
from docsvc.search.entries import EXTRACT_JOB

log = logging.getLogger("docsvc.worker")

Handler = Callable[[Database, Session, Env, Job], None]
# Job kinds are "<handler>:<detail>"; the part before the colon picks the handler.
HANDLERS: dict[str, Handler] = {
    EXTRACT_JOB: lambda _db, session, env, job: text_job.run(session, env, job),
    prepare.PREPARE_JOB: lambda _db, session, env, job: prepare.run(session, env, job),
    workflow.RELEASE_JOB: workflow.run_release_job,
    retention_jobs.EXECUTE_JOB: retention_jobs.run,
    retention_jobs.APPROVE_JOB: retention_jobs.run_approval,
    BUILD_JOB: bundle_jobs.run,
}


def run_one(database: Database, env: Env) -> bool:
    """Claim and do one job; False when none is ready."""
    with database.session() as session:
        job = queue.claim(session)
        if job is None:
            return False
        job_id, kind = job.id, job.kind
        try:
            HANDLERS[kind.split(":", 1)[0]](database, session, env, job)
            queue.finish(session, session.get(Job, job_id) or job)
            session.commit()
        except Exception as exc:  # any failure is recorded on the job and retried
            # Only the error's type and message: never the record's text.
            queue.fail(session, job_id, f"{type(exc).__name__}: {exc}")
            log.warning("job %s (%s) failed: %s", job_id, kind, type(exc).__name__)
            log.debug("%s", traceback.format_exc())
            return True
    log.info("job %s (%s) done", job_id, kind)
    return True


def drain(database: Database, env: Env, limit: int | None = None) -> int:
    """Do ready jobs until none is left (or `limit` are done); returns how many ran."""
    done = 0
    while (limit is None or done < limit) and run_one(database, env):
        done += 1
    return done


def run_forever(database: Database, env: Env, stop: threading.Event, poll: float = 2.0) -> None:
    while not stop.is_set():
        try:
            if not run_one(database, env):
                stop.wait(poll)
        except Exception:  # the database went away for a moment: wait and try again
            log.exception("worker loop error; retrying in %s s", poll * 5)
            stop.wait(poll * 5)
