"""Disposition: eligible case files proposed, approved by the roles the schedule names, then
destroyed in batches, each batch one transaction, with a stub kept for each case and a
certificate of destruction for the run.

Interrupt it at any point and run it again: a batch either committed (its cases are stubs, its
files listed to erase) or did not (its cases are still approved). Files are erased only after
the batch that released them commits, and a resumed run first finishes any erasure left
pending. At the end the search index is optimised and the database vacuumed, so no deleted text
lingers in free pages, the index's old segments or the write-ahead log.

Each step is limited to the jurisdictions of the user who asks (`auth.scope`): proposing,
approving and executing touch only their items, and a run and its certificate are seen only by
a user who sees every jurisdiction in them. The audit rows of propose, execute and certify name
the jurisdictions touched (in `fields`), so one administrator's run across several is on record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, null, select, text, update
from sqlalchemy.orm import Session

from docsvc.attachments.service import register_blob
from docsvc.audit import Actor, actor_of, append, append_each
from docsvc.auth.scope import all_in_sight, among, scope, sees_all, visible, within
from docsvc.db import Database
from docsvc.documents.pdf import html_environment, write_pdf
from docsvc.documents.templates import find, search_path
from docsvc.errors import Conflict, Forbidden, Invalid, NotFound
from docsvc.models import (
    Attachment,
    Case,
    DispositionItem,
    DispositionRun,
    Document,
    Jurisdiction,
    User,
)
from docsvc.retention.erase import erase_cases, files_by_case
from docsvc.retention.evaluate import evaluate
from docsvc.retention.schedule import load
from docsvc.store import Store
from docsvc.timeutil import utcnow

Progress = Callable[[str, int, int], None]
ACTIVE = ("proposed", "approved")
BATCH = 200
BATCH_APPROVE = 2000
CHUNK = 5000  # ids in one IN (...): under SQLite's and PostgreSQL's parameter limits
CERTIFICATE_ROWS = 300  # beyond this the certificate summarises by series; the stubs list each


@dataclass
class Proposal:
    added: int = 0
    cancelled: int = 0
    queued: int = 0


def propose(session: Session, data_dir: Path, as_of: date, user: User | None = None) -> Proposal:
    """Queue every eligible case not yet queued; withdraw queued ones no longer eligible. Only
    in the jurisdictions `user` may see (every one for the system, `user` None); audited in
    the asker's name, naming the jurisdictions touched."""
    out = Proposal()
    codes = scope(user) if user is not None else None
    active = {
        cid: (iid, code)
        for iid, cid, code in session.execute(
            select(
                DispositionItem.id, DispositionItem.case_id, DispositionItem.jurisdiction_code
            ).where(
                DispositionItem.status.in_(ACTIVE),
                among(DispositionItem.jurisdiction_code, codes),
            )
        )
    }
    touched: set[str] = set()
    schedules: dict[str, Any] = {}
    now = utcnow()
    rows: list[dict[str, Any]] = []
    eligible: set[int] = set()
    for v in evaluate(session, data_dir, as_of):
        if v.verdict != "eligible" or (codes is not None and v.jurisdiction not in codes):
            continue
        eligible.add(v.case_id)
        touched.add(v.jurisdiction)
        if v.case_id in active:
            continue
        if v.jurisdiction not in schedules:
            schedules[v.jurisdiction] = load(v.jurisdiction, data_dir)
        sched = schedules[v.jurisdiction]
        assert v.series and v.trigger_on and v.eligible_on
        rows.append(
            {
                "case_id": v.case_id,
                "case_number": v.case_number,
                "jurisdiction_code": v.jurisdiction,
                "series_code": v.series.code,
                "trigger_on": v.trigger_on,
                "eligible_on": v.eligible_on,
                "authority": _authority(sched, v.series, v.reasons),
                "required_roles": sched.required_roles,
                "approvals": [],
                "status": "proposed",
                "proposed_at": now,
            }
        )
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(DispositionItem), rows[start : start + CHUNK])
    out.added = len(rows)
    gone = [iid for cid, (iid, _) in active.items() if cid not in eligible]
    touched.update(code for cid, (_, code) in active.items() if cid not in eligible)
    for start in range(0, len(gone), CHUNK):
        session.execute(
            update(DispositionItem)
            .where(DispositionItem.id.in_(gone[start : start + CHUNK]))
            .values(status="cancelled", note=f"no longer eligible on {as_of.isoformat()}")
        )
    out.cancelled = len(gone)
    out.queued = len(eligible)
    append(
        session, _actor(user), "retention.propose", "retention", as_of.isoformat(),
        fields=sorted(touched),
    )  # fmt: skip
    session.flush()
    return out


def _authority(sched: Any, series: Any, reasons: list[str]) -> dict[str, Any]:
    return {
        "schedule": sched.title,
        "schedule_source": sched.source,
        "schedule_sha256": sched.sha256,
        "series": series.code,
        "series_title": series.title,
        "citation": series.citation,
        "state_item": series.state_item,
        "period": series.period.text() if series.period else None,
        "floor": sched.floor_citation,
        "basis": "; ".join(reasons),
    }


def approver_role(user: User) -> str:
    """The role a user's approval counts for: an administrator's as records staff."""
    return "records" if user.role == "admin" else user.role


def approve(session: Session, user: User, item_ids: list[int]) -> list[DispositionItem]:
    """Record `user`'s approval of each item, for the role they hold (an administrator
    approves as records staff, never as counsel). Fully approved items become 'approved'.
    In the caller's transaction; every id is checked before anything changes."""
    role = approver_role(user)
    found: dict[int, DispositionItem] = {}
    for start in range(0, len(item_ids), CHUNK):
        chunk = item_ids[start : start + CHUNK]
        found.update(
            (i.id, i)
            for i in session.scalars(select(DispositionItem).where(DispositionItem.id.in_(chunk)))
        )
    items = []
    for iid in dict.fromkeys(item_ids):
        item = found.get(iid)
        if item is None or not visible(user, item.jurisdiction_code):
            raise Invalid(f"no disposition item {iid}.")
        if item.status not in ACTIVE:
            raise Conflict(f"item {iid} is {item.status}; only queued items are approved.")
        if role not in item.required_roles:
            raise Forbidden(
                f"the {item.jurisdiction_code} schedule asks for approval by "
                f"{', '.join(item.required_roles)}; the {user.role} role is not one of them."
            )
        items.append(item)
    given = {"role": role, "user_id": user.id, "name": user.display_name,
             "at": utcnow().isoformat(timespec="seconds")}  # fmt: skip
    for item in items:
        if not any(a["role"] == role for a in item.approvals):
            item.approvals = [*item.approvals, given]
        if {a["role"] for a in item.approvals} >= set(item.required_roles):
            item.status = "approved"
    append_each(
        session, actor_of(user), "retention.approve", "disposition",
        ((i.id, i.case_id, None) for i in items), fields=[role],
    )  # fmt: skip
    session.flush()
    return items


def queued(
    session: Session, user: User, limit: int | None = None
) -> tuple[int, list[DispositionItem]]:
    """The items proposed or approved and not yet executed, in jurisdictions `user` may see:
    how many, and the first `limit` of them (all without a limit)."""
    where = (
        DispositionItem.status.in_(("proposed", "approved")),
        within(user, DispositionItem.jurisdiction_code),
    )
    count = session.scalar(select(func.count()).select_from(DispositionItem).where(*where)) or 0
    stmt = select(DispositionItem).where(*where).order_by(DispositionItem.id)
    return count, list(session.scalars(stmt if limit is None else stmt.limit(limit)))


def awaiting(session: Session, user: User) -> list[int]:
    """The queued items that still wait for `user`'s role and that the user may see."""
    role = approver_role(user)
    return [
        iid
        for iid, code, required, given in session.execute(
            select(
                DispositionItem.id,
                DispositionItem.jurisdiction_code,
                DispositionItem.required_roles,
                DispositionItem.approvals,
            )
            .where(DispositionItem.status == "proposed")
            .order_by(DispositionItem.id)
        )
        if role in required and not any(a["role"] == role for a in given) and visible(user, code)
    ]


def approved_count(session: Session, user: User) -> int:
    """How many items, in jurisdictions `user` may see, are approved and wait for execution."""
    return (
        session.scalar(
            select(func.count())
            .select_from(DispositionItem)
            .where(
                DispositionItem.status == "approved",
                within(user, DispositionItem.jurisdiction_code),
            )
        )
        or 0
    )


def case_numbers(session: Session, user: User, item_ids: list[int]) -> list[str]:
    """The case numbers of queue items `item_ids` that `user` may see, in order."""
    return list(
        session.scalars(
            select(DispositionItem.case_number)
            .where(
                DispositionItem.id.in_(item_ids), within(user, DispositionItem.jurisdiction_code)
            )
            .order_by(DispositionItem.case_number)
        )
    )


def approve_awaiting(
    database: Database, user: User, progress: Progress | None = None, batch: int = BATCH_APPROVE
) -> int:
    """Approve every item waiting for `user`'s role, a batch per transaction (memory stays
    flat; an interruption keeps the batches already approved). Returns how many."""
    with database.read_session() as s:
        ids = awaiting(s, user)
    for start in range(0, len(ids), batch):
        if progress:
            progress("approving", start, len(ids))
        with database.session() as s:
            approve(s, user, ids[start : start + batch])
            s.commit()
    if progress:
        progress("done", len(ids), len(ids))
    return len(ids)


@dataclass
class RunReport:
    run_id: int
    destroyed: int = 0
    cancelled: int = 0
    files_erased: int = 0
    certificate_sha256: str | None = None
    notes: list[str] = field(default_factory=list)


def execute(
    database: Database,
    store: Store,
    data_dir: Path,
    user: User | None,
    as_of: date,
    progress: Progress | None = None,
    batch: int = BATCH,
) -> RunReport:
    """Destroy every approved item in the jurisdictions `user` may see (every one for the
    system, `user` None), resuming an interrupted run if there is one."""
    codes = scope(user) if user is not None else None
    with database.read_session() as s:
        approved = s.execute(
            select(DispositionItem.id, DispositionItem.jurisdiction_code)
            .where(
                DispositionItem.status == "approved",
                among(DispositionItem.jurisdiction_code, codes),
            )
            .order_by(DispositionItem.id)
        ).all()
    todo = [iid for iid, _ in approved]
    touched = sorted({code for _, code in approved})
    with database.session() as s:
        run = s.scalar(select(DispositionRun).where(DispositionRun.status == "running"))
        if run is None:
            run = DispositionRun(
                started_at=utcnow(), started_by_id=user.id if user else None, status="running"
            )
            s.add(run)
            s.flush()
            append(s, _actor(user), "retention.execute", "disposition_run", run.id, fields=touched)
        s.commit()
        report = RunReport(run.id)
    report.files_erased += _erase_pending(database, store)
    total = len(todo)
    for start in range(0, total, batch):
        if progress:
            progress("destroying", start, total)
        ids = todo[start : start + batch]
        with database.session() as s:
            destroyed, cancelled = _destroy_batch(s, data_dir, user, report.run_id, ids, as_of)
            s.commit()
        report.destroyed += destroyed
        report.cancelled += cancelled
        report.files_erased += _erase_pending(database, store)
    if progress:
        progress("compacting", 0, 1)
    compact(database)
    if progress:
        progress("certifying", 0, 1)
    with database.session() as s:
        run = s.get(DispositionRun, report.run_id)
        assert run is not None
        pdf = certificate(s, store, data_dir, run, user)
        if pdf is not None:
            stored = store.put_bytes(pdf)
            register_blob(s, stored.sha256, stored.size, "application/pdf")
            run.certificate_sha256 = stored.sha256
            report.certificate_sha256 = stored.sha256
        destroyed = s.scalar(select(func.count()).where(*_of_run(run.id))) or 0
        run.status, run.finished_at, run.destroyed = "done", utcnow(), destroyed
        append(
            s, _actor(user), "retention.certify", "disposition_run", run.id,
            fields=sorted(run_jurisdictions(s, run.id) or ()),
            hashes={"certificate": run.certificate_sha256} if run.certificate_sha256 else None,
        )  # fmt: skip
        s.commit()
    if progress:
        progress("done", 1, 1)
    return report


def _actor(user: User | None) -> Actor:
    return actor_of(user) if user else Actor.system()


def _destroy_batch(
    s: Session, data_dir: Path, user: User | None, run_id: int, ids: list[int], as_of: date
) -> tuple[int, int]:
    items = {
        i.case_id: i for i in s.scalars(select(DispositionItem).where(DispositionItem.id.in_(ids)))
    }
    # Judged again now, inside the transaction that erases: a hold placed since approval, a
    # case reopened, a lien recorded, stops it here.
    verdicts = {v.case_id: v for v in evaluate(s, data_dir, as_of, only=set(items))}
    doomed = []
    cancelled = 0
    for cid, item in items.items():
        v = verdicts.get(cid)
        if v is None or v.verdict != "eligible":
            item.status = "cancelled"
            item.note = "; ".join(v.reasons) if v else "the case no longer exists"
            cancelled += 1
        else:
            doomed.append(cid)
    if not doomed:
        return 0, cancelled
    counts = _counts(s, doomed)
    files = files_by_case(s, doomed)
    now = utcnow()
    cases = {c.id: c for c in s.scalars(select(Case).where(Case.id.in_(doomed)))}
    for cid in doomed:
        item, case = items[cid], cases[cid]
        item.stub = {
            "case_number": case.case_number,
            "jurisdiction": case.jurisdiction_code,
            "series": item.series_code,
            "opened_on": case.opened_at.date().isoformat(),
            "closed_on": (case.closed_at or case.refused_at or case.opened_at).date().isoformat(),
            "trigger_on": item.trigger_on.isoformat(),
            "eligible_on": item.eligible_on.isoformat(),
            **counts.get(cid, {}),
            "files_sha256": sorted(files[cid]),
        }
    released = erase_cases(s, doomed)
    for cid in doomed:
        item = items[cid]
        item.status, item.destroyed_at, item.run_id = "destroyed", now, run_id
    append_each(
        s, _actor(user), "retention.destroy", "case",
        ((cid, cid, {"stub": (items[cid].stub or {}).get("files_sha256", [])[:50]})
         for cid in doomed),
    )  # fmt: skip
    # The files to erase once this commits: on the batch's first item (a resumed run finds it).
    items[doomed[0]].files_pending = released
    s.flush()
    return len(doomed), cancelled


def _counts(s: Session, case_ids: list[int]) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {
        cid: {"documents": 0, "attachments": 0, "bytes": 0} for cid in case_ids
    }
    for cid, n in s.execute(
        select(Document.case_id, func.count())
        .where(Document.case_id.in_(case_ids))
        .group_by(Document.case_id)
    ):
        out[cid]["documents"] = n
    for cid, n, size in s.execute(
        select(Attachment.case_id, func.count(), func.coalesce(func.sum(Attachment.size), 0))
        .where(Attachment.case_id.in_(case_ids))
        .group_by(Attachment.case_id)
    ):
        out[cid]["attachments"], out[cid]["bytes"] = n, int(size)
    return out


def _erase_pending(database: Database, store: Store) -> int:
    """Erase the files of committed batches; clear each list once its files are gone."""
    erased = 0
    with database.session() as s:
        pending = s.execute(
            select(DispositionItem.id, DispositionItem.files_pending).where(
                DispositionItem.files_pending.is_not(None)
            )
        ).all()
        s.rollback()
        for iid, shas in pending:
            for sha in shas or []:
                erased += store.erase(sha)
            s.execute(
                update(DispositionItem)
                .where(DispositionItem.id == iid)
                .values(files_pending=null())
            )
            s.commit()
    return erased


def compact(database: Database) -> None:
    """Leave no deleted text behind: merge the search index's segments, rebuild the database
    file without its free pages, and empty the write-ahead log."""
    if database.dialect == "sqlite":
        raw = database.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
            cur.execute("VACUUM")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cur.close()
        finally:
            raw.close()
    else:
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))


def certificate(
    s: Session, store: Store, data_dir: Path, run: DispositionRun, user: User | None
) -> bytes | None:
    """The run's certificate of destruction (None if it destroyed nothing). The stubs are read
    in a stream and summed by series; each case is listed only when there are few enough (the
    stubs list every one), so a run of 100,000 cases costs no more memory than one of 300."""
    total = s.scalar(select(func.count()).where(*_of_run(run.id))) or 0
    if not total:
        return None
    listed = total <= CERTIFICATE_ROWS
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    sections: dict[str, list[DispositionItem]] = {}
    total_bytes = 0
    stmt = select(DispositionItem).where(*_of_run(run.id)).order_by(DispositionItem.case_number)
    for item in s.scalars(stmt.execution_options(yield_per=1000)):
        stub = item.stub or {}
        total_bytes += stub.get("bytes", 0)
        _add_to_series(groups, item, stub)
        if listed:
            sections.setdefault(item.jurisdiction_code, []).append(item)
        else:
            s.expunge(item)
    names = {j.code: j.name for j in s.scalars(select(Jurisdiction))}
    code = next(iter(groups))[0]
    html = (
        html_environment(search_path(code, data_dir))
        .get_template("_retention/certificate.html")
        .render(
            run=run,
            listed=listed,
            series=[groups[k] for k in sorted(groups)],
            sections=[(names.get(c, c), rows) for c, rows in sorted(sections.items())],
            executed_by=(user.display_name or user.username) if user else "the system",
            executed_on=utcnow().date().isoformat(),
            total=total,
            total_bytes=total_bytes,
            erasure=store.erasure,
        )
    )
    return write_pdf(html, find(code, data_dir, "_retention/certificate.css"), store)


def _of_run(run_id: int) -> list[Any]:
    return [DispositionItem.run_id == run_id, DispositionItem.status == "destroyed"]


def _add_to_series(
    groups: dict[tuple[str, str], dict[str, Any]], item: DispositionItem, stub: dict[str, Any]
) -> None:
    """Per jurisdiction and series: how many files, their inclusive dates, the authority (items
    arrive in case-number order, so the first and last case are the first and last seen)."""
    g = groups.get((item.jurisdiction_code, item.series_code))
    if g is None:
        g = groups[(item.jurisdiction_code, item.series_code)] = {
            "jurisdiction": item.jurisdiction_code,
            "series": item.series_code,
            "title": item.authority.get("series_title"),
            "citation": item.authority.get("citation"),
            "state_item": item.authority.get("state_item"),
            "count": 0,
            "first": stub.get("opened_on", ""),
            "last": stub.get("closed_on", ""),
            "files": 0,
            "first_case": item.case_number,
        }
    g["count"] += 1
    g["first"] = min(g["first"], stub.get("opened_on", ""))
    g["last"] = max(g["last"], stub.get("closed_on", ""))
    g["files"] += len(stub.get("files_sha256", []))
    g["last_case"] = item.case_number


def run_jurisdictions(session: Session, run_id: int) -> set[str] | None:
    """The jurisdictions disposition run `run_id` reached: those of the cases it destroyed; of
    a run that destroyed none yet, those its starter was limited to (None: every one)."""
    codes = set(
        session.scalars(
            select(DispositionItem.jurisdiction_code)
            .where(DispositionItem.run_id == run_id)
            .distinct()
        )
    )
    if codes:
        return codes
    starter = session.scalar(
        select(User)
        .join(DispositionRun, DispositionRun.started_by_id == User.id)
        .where(DispositionRun.id == run_id)
    )
    return None if starter is None or starter.jurisdictions is None else set(starter.jurisdictions)


def recent_runs(session: Session, user: User, limit: int = 10) -> list[DispositionRun]:
    """The latest disposition runs `user` sees (every jurisdiction in them), newest first."""
    out: list[DispositionRun] = []
    # Runs are few (one per disposition, a handful a year): read them all, newest first.
    for run in session.scalars(select(DispositionRun).order_by(DispositionRun.id.desc())).all():
        if sees_all(user, run_jurisdictions(session, run.id)):
            out.append(run)
            if len(out) == limit:
                break
    return out


def certified_run(session: Session, user: User, run_id: int) -> DispositionRun:
    """A run whose certificate `user` may read: it lists every case destroyed, so only a user
    who works for each of their jurisdictions (404 otherwise, as for a case they cannot see)."""
    run = session.get(DispositionRun, run_id)
    missing = f"no certificate for disposition run {run_id} that you can see."
    if run is None or run.certificate_sha256 is None:
        raise NotFound(missing)
    all_in_sight(user, run_jurisdictions(session, run_id), missing)
    return run
