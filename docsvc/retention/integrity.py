"""What `docsvc verify` asks of disposition: no run left half done, every run certified, and no
file of a destroyed case still in the store."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from docsvc.models import DispositionItem, DispositionRun, Job
from docsvc.retention.jobs import EXECUTE_JOB
from docsvc.timeutil import utcnow


@dataclass
class DispositionCheck:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stubs: int = 0
    # Files of destroyed cases still stored: by mistake, or waiting on an interrupted run.
    lingering: set[str] = field(default_factory=set)
    pending: set[str] = field(default_factory=set)


def check(session: Session, unrecorded: set[str]) -> DispositionCheck:
    """`unrecorded`: the hashes of files in the store that no `blobs` row records."""
    out = DispositionCheck()
    pending = out.pending
    for shas in session.scalars(
        select(DispositionItem.files_pending).where(DispositionItem.files_pending.is_not(None))
    ):
        pending.update(shas or [])
    working = session.scalar(
        select(Job.id).where(
            Job.kind == EXECUTE_JOB,
            or_(
                Job.status == "queued",
                and_(Job.status == "running", Job.locked_until > utcnow()),
            ),
        )
    )
    for run in session.scalars(select(DispositionRun).order_by(DispositionRun.id)):
        if run.status == "running" and working is not None:
            out.notes.append(f"disposition run {run.id} is under way (job {working})")
        elif run.status == "running":
            done = session.scalar(
                select(DispositionItem.id).where(DispositionItem.run_id == run.id).limit(1)
            )
            out.problems.append(
                f"disposition run {run.id} was interrupted "
                f"({'after destroying some cases' if done else 'before destroying any case'}"
                f"{f', {len(pending)} file(s) still to erase' if pending else ''}); "
                "run `docsvc retention run --execute` or Execute on the Retention page to "
                "finish it and certify it"
            )
        elif run.destroyed and run.certificate_sha256 is None:
            out.problems.append(f"disposition run {run.id} destroyed cases but has no certificate")
    for case_number, stub in session.execute(
        select(DispositionItem.case_number, DispositionItem.stub).where(
            DispositionItem.status == "destroyed"
        )
    ):
        out.stubs += 1
        for sha in (stub or {}).get("files_sha256", []):
            # A file shared with a live record is still recorded; one pending is reported above.
            if sha in unrecorded and sha not in pending:
                out.lingering.add(sha)
                out.problems.append(
                    f"file {sha} of destroyed case {case_number} is still in the store"
                )
    return out
