"""The background worker: drains the job queue, one job at a time, until told to stop.

`docsvc worker` runs it; `docsvc serve` starts it beside the web server and restarts it if
it dies. Any number may run at once: claims never overlap.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import traceback
from collections.abc import Callable

from sqlalchemy.orm import Session

from docsvc import logs
from docsvc.bundles import jobs as bundle_jobs
from docsvc.bundles.service import BUILD_JOB
from docsvc.db import Database
from docsvc.disclosure import prepare, workflow
from docsvc.documents.env import Env
from docsvc.jobs import queue
from docsvc.models import Job
from docsvc.retention import jobs as retention_jobs
from docsvc.search import text_job
from docsvc.search.entries import EXTRACT_JOB

log = logging.getLogger("docsvc.worker")


class Stopping(BaseException):
    """Raised into a running job when the worker is told to stop: the job is given back, not
    failed (a BaseException, so no handler's `except Exception` swallows it)."""


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
        # Every line logged while the job runs names it (job_id, kind in JSON logs).
        with logs.job_context(job_id, kind):
            try:
                _in_job.set()
                if _stopping.is_set():  # told to stop between the claim and now
                    raise Stopping
                HANDLERS[kind.split(":", 1)[0]](database, session, env, job)
                queue.finish(session, session.get(Job, job_id) or job)
                session.commit()
            except Stopping:
                _in_job.clear()
                queue.release(session, job_id)
                log.info("job %s (%s) given back: the worker is stopping", job_id, kind)
                raise
            except Exception as exc:  # any failure is recorded on the job and retried
                # Only the error's type and message: never the record's text.
                queue.fail(session, job_id, f"{type(exc).__name__}: {exc}")
                log.warning("job %s (%s) failed: %s", job_id, kind, type(exc).__name__)
                log.debug("%s", traceback.format_exc())
                return True
            finally:
                _in_job.clear()
            log.info("job %s (%s) done", job_id, kind)
    return True


def drain(database: Database, env: Env, limit: int | None = None) -> int:
    """Do ready jobs until none is left (or `limit` are done); returns how many ran."""
    done = 0
    while (limit is None or done < limit) and run_one(database, env):
        done += 1
    return done


def run_forever(
    database: Database,
    env: Env,
    stop: threading.Event,
    poll: float = 2.0,
    parent: int | None = None,
) -> None:
    """Work until `stop` is set, or until the process `parent` is gone (the server that
    started this worker was killed: an orphan must not keep running beside its successor)."""
    log.info("worker started: looking at the queue every %s s", poll)
    while not stop.is_set():
        if parent is not None and os.getppid() != parent:  # reparented: it died
            log.warning("the server that started this worker is gone; stopping")
            return
        try:
            if not run_one(database, env):
                stop.wait(poll)
        except Stopping:
            return
        except Exception:  # the database went away for a moment: wait and try again
            log.exception("worker loop error; retrying in %s s", poll * 5)
            stop.wait(poll * 5)


def stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM/SIGINT stop the worker at once: between jobs it just exits; in a job, the job
    is interrupted and given back to the queue for the next worker, so stopping takes a
    moment, not as long as the slowest job."""

    def handle(_signum: int, _frame: object) -> None:
        stop.set()
        _stopping.set()
        if _in_job.is_set():
            _in_job.clear()  # raise once: the release that follows must not be interrupted
            raise Stopping

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handle)


_in_job = threading.Event()  # a job is running in this process
_stopping = threading.Event()  # a stop signal came
