"""`docsvc verify`: that the data directory is private to the service, fixity of every stored
file, what rows point at, the PDF/A structure of every issued document and certificate, the
audit chain (authenticated by the audit keys, and extending every checkpoint given), whether
the search index matches the records, and that no disposition was left half done.

Safe to run at any time and on a schedule: it only reads, in one read transaction, and reports
its progress stage by stage.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, union
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from docsvc.audit import verify_chain
from docsvc.audit.anchor import Checkpoint, read_checkpoints
from docsvc.documents.pdfa import structure_problems
from docsvc.models import Blob, DispositionRun, Document
from docsvc.models.base import columns_pointing_at
from docsvc.retention.integrity import check as disposition_check
from docsvc.search.rebuild import check as search_coverage
from docsvc.store import IntegrityError, Store
from docsvc.store.modes import loose_permissions
from docsvc.timeutil import utcnow

# stage, done, total
Progress = Callable[[str, int, int], None]


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files_checked: int = 0
    pdfs_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def referenced_hashes(session: Session | Connection) -> set[str]:
    """Every file hash any row points at (every foreign key to `blobs`)."""
    cols = columns_pointing_at("blobs")
    stmt = union(*(select(c).where(c.is_not(None)) for c in cols))
    return {row[0] for row in session.execute(stmt)}


def verify(
    session: Session,
    store: Store,
    progress: Progress | None = None,
    checkpoint_files: Sequence[Path] = (),
    data_dir: Path | None = None,
    database_file: Path | None = None,
    sample: float = 1.0,
) -> VerifyReport:
    """`checkpoint_files`: files of lines from `docsvc audit checkpoint`; the audit chain must
    still pass through each one's event and hash. `data_dir` (and a SQLite `database_file`
    outside it): checked to be private to the service's own user. `sample`: the share of
    stored files re-read and re-hashed (every file is still checked to be there, at its
    size): an object store of terabytes is re-read a share a night, not all at once."""

    def tick(stage: str) -> Callable[[int, int], None] | None:
        return (lambda done, total: progress(stage, done, total)) if progress else None

    report = VerifyReport()
    if data_dir is not None:
        report.problems.extend(loose_permissions(data_dir, database_file))
    recorded = _fixity(session, store, report, tick("checking files"), sample)
    report.notes.append(f"file store: {store.describe()}")
    for sha in sorted(referenced_hashes(session) - recorded):
        report.problems.append(f"a record points at file {sha}, which has no store entry")
    unrecorded = {sha for sha in store.all_hashes() if sha not in recorded}
    _archival(session, store, report, tick("checking PDF/A"), sample)
    checkpoints: list[Checkpoint] = []
    for path in checkpoint_files:
        found, unreadable = read_checkpoints(path)
        checkpoints.extend(found)
        report.problems.extend(unreadable)
    report.problems.extend(verify_chain(session, checkpoints=checkpoints))
    if checkpoints:
        report.notes.append(
            f"audit checkpoints: {len(checkpoints)} checked, the latest at event "
            f"{max(cp.seq for cp in checkpoints)}"
        )
    coverage = search_coverage(session, tick("checking the index"))
    report.problems.extend(coverage.problems)
    report.notes.append(f"search index: {coverage.records} records checked")
    if coverage.awaiting_text:
        report.notes.append(
            f"{coverage.awaiting_text} file(s) are waiting for text extraction by the worker; "
            "they are found by their metadata until then"
        )
    disposition = disposition_check(session, unrecorded)
    report.problems.extend(disposition.problems)
    report.notes.extend(disposition.notes)
    if leftover := len(unrecorded - disposition.lingering - disposition.pending):
        report.notes.append(
            f"{leftover} stored file(s) belong to no record (left by interrupted uploads); "
            "they are never served"
        )
    if disposition.stubs:
        report.notes.append(f"disposition: {disposition.stubs} destroyed case(s) kept as stubs")
    return report


def _fixity(
    session: Session,
    store: Store,
    report: VerifyReport,
    tick: Callable[[int, int], None] | None,
    sample: float,
) -> set[str]:
    blobs = session.execute(select(Blob.sha256, Blob.size)).all()
    chosen = _sampled([sha for sha, _ in blobs], sample)

    def check(sha: str, size: int) -> tuple[str | None, bool]:
        """One file's problem (None: sound), and whether it was re-hashed."""
        stored_size = store.size_of(sha)
        if stored_size is None:
            return f"file {sha} is recorded but missing from the store", False
        if stored_size != size:
            return f"file {sha} has the wrong size in the store", False
        if sha not in chosen:
            return None, False
        actual = store.rehash(sha)
        if actual is None:
            return f"file {sha} is recorded but missing from the store", True
        if actual != sha:
            return f"file {sha} has changed in the store (its bytes now hash to {actual})", True
        return None, True

    # An object store answers each request after a round trip: several at once (its own
    # setting; the local disk reads one at a time), reported in order.
    with ThreadPoolExecutor(max_workers=store.parallel_reads) as pool:
        results = pool.map(lambda row: check(*row), blobs)
        for i, (problem, rehashed) in enumerate(results, 1):
            if problem is not None:
                report.problems.append(problem)
            report.files_checked += rehashed
            if tick:
                tick(i, len(blobs))
    if sample < 1.0:
        report.notes.append(
            f"fixity: {report.files_checked} of {len(blobs)} stored files re-hashed (a sample "
            f"of {sample:.0%}); every file's presence and size checked"
        )
    return {sha for sha, _ in blobs}


def _sampled(hashes: list[str], share: float) -> set[str]:
    if share >= 1.0:
        return set(hashes)
    return set(random.sample(hashes, max(1, round(len(hashes) * share)) if hashes else 0))


def _archival(
    session: Session,
    store: Store,
    report: VerifyReport,
    tick: Callable[[int, int], None] | None,
    sample: float,
) -> None:
    """Issued documents and certificates of destruction are kept as PDF/A: check each still is
    (those in the sample)."""
    pdfs = [
        (f"document {doc_id} ({doc_type})", sha)
        for doc_id, doc_type, sha in session.execute(
            select(Document.id, Document.type, Document.pdf_sha256).where(
                Document.issued_at.is_not(None), Document.pdf_sha256.is_not(None)
            )
        )
    ] + [
        (f"the certificate of disposition run {run_id}", sha)
        for run_id, sha in session.execute(
            select(DispositionRun.id, DispositionRun.certificate_sha256).where(
                DispositionRun.certificate_sha256.is_not(None)
            )
        )
    ]
    chosen = _sampled([sha for _, sha in pdfs if sha is not None], sample)
    for i, (label, sha) in enumerate(pdfs, 1):
        assert sha is not None  # selected where set
        if sha in chosen:
            try:
                data = store.open_verified(sha)
            except IntegrityError:  # missing or changed: reported by the fixity check
                data = None
            if data is not None:
                for problem in structure_problems(data):
                    report.problems.append(f"{label}, file {sha}: {problem}")
                report.pdfs_checked += 1
        if tick:
            tick(i, len(pdfs))


@dataclass
class SweepReport:
    erased: list[str] = field(default_factory=list)
    kept_young: int = 0


def sweep(
    session: Session, store: Store, older_than: timedelta, dry_run: bool = False
) -> SweepReport:
    """Erase stored files no row records (left by an upload whose node died between storing
    the file and committing its record, or by a destroyed case's interrupted erasure),
    once older than `older_than`: a younger one may be an upload still being committed on
    another node. Files a disposition run still has to erase are left to it."""
    recorded = {sha for (sha,) in session.execute(select(Blob.sha256))}
    unrecorded = {sha for sha in store.all_hashes() if sha not in recorded}
    pending = disposition_check(session, unrecorded).pending
    report = SweepReport()
    cutoff = utcnow() - older_than
    for sha in sorted(unrecorded - pending):
        at = store.stored_at(sha)
        if at is None:
            continue
        if at > cutoff:
            report.kept_young += 1
            continue
        if not dry_run:
            store.erase(sha)
        report.erased.append(sha)
    return report
