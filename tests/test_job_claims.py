"""Claims on the shared job queue: several workers (several nodes' worth) claiming at once each
get a different job, none waits on a row another is taking, and a dead worker's job comes back
when its lease runs out."""

from __future__ import annotations

import os
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update

from docsvc.db import Database
from docsvc.jobs import queue
from docsvc.models import Job
from docsvc.timeutil import utcnow

PG_URL = os.environ.get("DOCSVC_TEST_DATABASE_URL", "")
postgresql_only = pytest.mark.skipif(
    not PG_URL,
    reason="SKIP LOCKED claims are PostgreSQL's; SQLite has one writer at a time",
)
KIND = "claim_test"


def _queue_jobs(database: Database, n: int) -> list[int]:
    with database.sessionmaker() as s:
        for ref in range(n):
            assert queue.enqueue(s.connection(), KIND, ref)
        s.commit()
        return list(s.scalars(select(Job.id).where(Job.kind == KIND).order_by(Job.id)))


def _claimable(database: Database) -> int:
    now = utcnow()
    with database.sessionmaker() as s:
        return s.scalar(select(func.count()).select_from(Job).where(queue._claimable(now))) or 0


@postgresql_only
def test_four_claimers_take_every_job_once(database: Database) -> None:
    ids = _queue_jobs(database, 200)
    workers = 4
    claimed: list[list[int]] = [[] for _ in range(workers)]
    left_when_refused: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def claimer(i: int) -> None:
        try:
            with database.sessionmaker() as s:
                start.wait()
                while (job := queue.claim(s)) is not None:
                    assert job.status == "running" and job.attempts == 1
                    claimed[i].append(job.id)
                # Refused: every claimable row was being taken by another claimer at that
                # moment, so no more than the others' count can be left, and never more later
                # (nothing is queued meanwhile and no lease runs out).
                left_when_refused.append(_claimable(database))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    every = [job_id for got in claimed for job_id in got]
    duplicates = [job_id for job_id, n in Counter(every).items() if n > 1]
    assert duplicates == []
    assert sorted(every) == ids
    assert all(n <= workers - 1 for n in left_when_refused), left_when_refused
    assert _claimable(database) == 0
    # Each claimer took a share: none stood waiting on rows the others held.
    assert all(got for got in claimed), [len(got) for got in claimed]


@postgresql_only
def test_a_claimer_passes_over_a_row_another_holds(database: Database) -> None:
    first, second = _queue_jobs(database, 2)
    with database.sessionmaker() as holder, database.sessionmaker() as claimer:
        # Another claimer is in the middle of taking the oldest job: its row is locked.
        holder.execute(select(Job.id).where(Job.id == first).with_for_update())
        # A claim that waited on that row would fail here instead of hanging the test.
        claimer.execute(text("SET lock_timeout = '5s'"))
        job = queue.claim(claimer)
        assert job is not None and job.id == second
        holder.rollback()
        job = queue.claim(claimer)
        assert job is not None and job.id == first
        assert queue.claim(claimer) is None


def test_an_expired_lease_is_claimed_again(database: Database) -> None:
    (job_id,) = _queue_jobs(database, 1)
    with database.sessionmaker() as dead, database.sessionmaker() as alive:
        job = queue.claim(dead)
        assert job is not None and job.id == job_id
        dead.rollback()
        assert queue.claim(alive) is None  # the lease holds: nobody else takes it
        # The worker died; its lease runs out.
        dead.execute(
            update(Job).where(Job.id == job_id).values(locked_until=utcnow() - timedelta(seconds=1))
        )
        dead.commit()
        again = queue.claim(alive)
        assert again is not None and again.id == job_id
        assert (again.status, again.attempts) == ("running", 2)
        assert again.locked_until is not None and again.locked_until > utcnow()
        alive.rollback()  # the claim's read left a transaction open (SQLite: the write lock)
        assert queue.claim(dead) is None


def test_the_lease_can_be_shortened(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCSVC_JOB_LEASE_SECONDS", "15")
    assert queue._lease() == timedelta(seconds=15)
    monkeypatch.delenv("DOCSVC_JOB_LEASE_SECONDS")
    assert queue._lease() == timedelta(minutes=10)
    for bad in ("soon", "0", "-3"):
        monkeypatch.setenv("DOCSVC_JOB_LEASE_SECONDS", bad)
        with pytest.raises(ValueError, match="DOCSVC_JOB_LEASE_SECONDS"):
            queue._lease()
