"""Rebuilding the index from the records, and checking it against them (`docsvc verify`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, text, tuple_
from sqlalchemy.orm import Session

from docsvc.jobs.queue import enqueue
from docsvc.models import Job, SearchEntry
from docsvc.search.entries import INDEXED, TITLE_MAX, entries_of, job_kind, needs_text, write

Progress = Callable[[int, int], None]
CHUNK = 500


def _records(session: Session, progress: Progress | None) -> Iterator[Any]:
    """Every indexed record, loaded a chunk at a time."""
    ids = {model: session.scalars(select(model.id).order_by(model.id)).all() for model in INDEXED}
    total, done = sum(len(v) for v in ids.values()), 0
    for model, keys in ids.items():
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            for obj in session.scalars(select(model).where(model.id.in_(chunk)).order_by(model.id)):
                yield obj
                done += 1
                if progress:
                    progress(done, total)
            session.expunge_all()  # keep memory flat over 100,000 records


def _kind(obj: Any) -> str:
    return INDEXED[type(obj)][0][0]


def _has_text(session: Session) -> set[tuple[str, int]]:
    rows = session.execute(
        select(SearchEntry.kind, SearchEntry.ref_id).where(SearchEntry.part == "text")
    )
    return {(k, r) for k, r in rows}


def _pending(session: Session) -> set[tuple[str, int]]:
    rows = session.execute(
        select(Job.kind, Job.ref_id).where(Job.status.in_(("queued", "running")))
    )
    return {(k, r) for k, r in rows}


@dataclass
class RebuildReport:
    records: int = 0
    entries: int = 0
    queued: int = 0


def rebuild(
    session: Session, *, retext: bool = False, progress: Progress | None = None
) -> RebuildReport:
    """Every record's meta entries written anew, in the caller's transaction; files without
    text (or every file, with `retext`) queued for extraction. Searches keep seeing the old
    index until the transaction commits."""
    report = RebuildReport()
    session.execute(delete(SearchEntry).where(SearchEntry.part == "meta"))
    has_text = set() if retext else _has_text(session)
    for obj in _records(session, progress):
        write(session, obj)
        report.records += 1
        if needs_text(obj) and (_kind(obj), obj.id) not in has_text:
            enqueue(session.connection(), job_kind(_kind(obj)), obj.id)
            report.queued += 1
    # Text of records that no longer exist (or all of it, to be extracted again).
    orphans = select(SearchEntry.id).where(SearchEntry.part == "text")
    if not retext:
        meta = select(SearchEntry.kind, SearchEntry.ref_id).where(SearchEntry.part == "meta")
        orphans = orphans.where(tuple_(SearchEntry.kind, SearchEntry.ref_id).not_in(meta))
    session.execute(delete(SearchEntry).where(SearchEntry.id.in_(orphans)))
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
    report.entries = session.scalar(select(func.count()).select_from(SearchEntry)) or 0
    return report


@dataclass
class Coverage:
    problems: list[str] = field(default_factory=list)
    records: int = 0
    awaiting_text: int = 0


def check(session: Session, progress: Progress | None = None) -> Coverage:
    """Records missing from the index or stale in it, entries of records that are gone,
    files whose text extraction failed or was never queued."""
    cov = Coverage()
    stored = {
        (e.kind, e.ref_id): e
        for e in session.scalars(select(SearchEntry).where(SearchEntry.part == "meta"))
    }
    session.expunge_all()
    has_text, pending = _has_text(session), _pending(session)
    seen: set[tuple[str, int]] = set()
    for obj in _records(session, progress):
        cov.records += 1
        for e in entries_of(session, obj):
            key = (e.kind, e.ref_id)
            seen.add(key)
            got = stored.get(key)
            label = f"{e.kind} {e.ref_id} (case id {e.case_id})"
            if got is None:
                cov.problems.append(f"search index: {label} is missing from the index")
            elif (got.title, got.body, got.case_id, got.restricted) != (
                e.title[:TITLE_MAX],
                e.body,
                e.case_id,
                e.restricted,
            ):
                cov.problems.append(f"search index: {label} is stale (its record has changed)")
        key = (_kind(obj), obj.id)
        if not needs_text(obj) or key in has_text:
            continue
        if (job_kind(key[0]), obj.id) in pending:
            cov.awaiting_text += 1
            continue
        failed = session.scalar(
            select(Job.last_error)
            .where(Job.kind == job_kind(key[0]), Job.ref_id == obj.id, Job.status == "failed")
            .order_by(Job.id.desc())
            .limit(1)
        )
        why = (
            f"extraction failed: {failed}"
            if failed
            else "none is queued; run `docsvc index rebuild`"
        )
        cov.problems.append(f"search index: {key[0]} {obj.id} has no text ({why})")
    for kind, ref_id in sorted(set(stored) - seen):
        cov.problems.append(f"search index: {kind} {ref_id} is indexed but its record is gone")
    if session.get_bind().dialect.name == "sqlite":
        try:
            session.execute(
                text("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
            )
        except Exception as exc:  # reported, not raised: verify only reads
            cov.problems.append(f"search index: the FTS5 index disagrees with its table ({exc})")
    return cov
