"""`docsvc verify`: fixity of every stored file, the audit chain, what rows point at, and
whether the search index matches the records.

Safe to run at any time and on a schedule: it only reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from docsvc.audit import verify_chain
from docsvc.models import Attachment, Blob
from docsvc.search.rebuild import check as search_coverage
from docsvc.store import FileStore


@dataclass
class VerifyReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def referenced_hashes(session: Session) -> set[str]:
    stmt = union(
        select(Attachment.sha256),
        select(Attachment.print_sha256).where(Attachment.print_sha256.is_not(None)),
        select(Attachment.thumb_sha256).where(Attachment.thumb_sha256.is_not(None)),
    )
    return {row[0] for row in session.execute(stmt)}


def verify(
    session: Session, store: FileStore, progress: Callable[[int, int], None] | None = None
) -> VerifyReport:
    report = VerifyReport()
    blobs = session.execute(select(Blob.sha256, Blob.size)).all()
    total = len(blobs)
    for i, (sha, size) in enumerate(blobs, 1):
        actual = store.rehash(sha)
        if actual is None:
            report.problems.append(f"file {sha} is recorded but missing from the store")
        elif actual != sha:
            report.problems.append(
                f"file {sha} has changed on disk (its bytes now hash to {actual})"
            )
        elif store.path_for(sha).stat().st_size != size:
            report.problems.append(f"file {sha} has the wrong size on disk")
        report.files_checked += 1
        if progress:
            progress(i, total)
    recorded = {sha for sha, _ in blobs}
    for sha in sorted(referenced_hashes(session) - recorded):
        report.problems.append(f"a record points at file {sha}, which has no store entry")
    unreferenced = sum(1 for sha in store.all_hashes() if sha not in recorded)
    if unreferenced:
        report.notes.append(
            f"{unreferenced} stored file(s) belong to no record (left by interrupted uploads); "
            "they are never served"
        )
    report.problems.extend(verify_chain(session))
    coverage = search_coverage(session)
    report.problems.extend(coverage.problems)
    report.notes.append(f"search index: {coverage.records} records checked")
    if coverage.awaiting_text:
        report.notes.append(
            f"{coverage.awaiting_text} file(s) are waiting for text extraction by the worker; "
            "they are found by their metadata until then"
        )
    return report
