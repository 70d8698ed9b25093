"""Erasing a case file from the database: every row that belongs to it, found by following the
foreign keys from `cases` (so a table added later is covered without a line here), then the
properties and stored files nothing else refers to.

A file shared with a live record stays (the store is content-addressed: one file may serve two
cases). The audit trail keeps its entries: they hold ids and hashes, never personal values.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cache
from typing import Any

from sqlalchemy import Column, Select, Table, delete, exists, or_, select, union
from sqlalchemy.orm import Session

from docsvc.models import Base
from docsvc.models.base import columns_pointing_at

# Tables that are not part of the case file though they point into it: none today. The request
# records of a public-records request point at the case (disclosure_cases, disclosure_items) and
# go with it: their review copies hold the unredacted records; the release package stays.
KEEP: frozenset[str] = frozenset()


@cache
def _plan() -> list[tuple[Table, list[tuple[Column, Table]]]]:
    """Each table that belongs to case files, children before parents, with every column by
    which a row belongs: one pointing at `cases` or at a table that belongs in turn (a
    settlement belongs by its case and by its document, whichever is set)."""
    cases = Base.metadata.tables["cases"]
    owned: set[str] = set()
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.sorted_tables:
            if table.name in owned or table.name in KEEP or table is cases:
                continue
            if any(
                fk.column.table is cases or fk.column.table.name in owned
                for fk in table.foreign_keys
                if fk.column.table is not table
            ):
                owned.add(table.name)
                changed = True
    plan = []
    for table in reversed(Base.metadata.sorted_tables):
        if table.name not in owned:
            continue
        links = [
            (fk.parent, fk.column.table)
            for fk in table.foreign_keys
            if fk.column.table is not table
            and (fk.column.table is cases or fk.column.table.name in owned)
        ]
        plan.append((table, links))
    return plan


def _ids(table: Table, case_ids: list[int]) -> Select[Any]:
    """SELECT id of the rows of `table` that belong to the cases."""
    cases = Base.metadata.tables["cases"]
    if table is cases:
        return select(cases.c.id).where(cases.c.id.in_(case_ids))
    links = dict((t.name, ls) for t, ls in _plan())[table.name]
    return select(table.c.id).where(
        or_(*(col.in_(_ids(parent, case_ids)) for col, parent in links))
    )


def files_of(session: Session, case_ids: list[int]) -> set[str]:
    """Every stored file a row of the cases points at."""
    parts = []
    for t, _ in _plan():
        for col in (c for c in columns_pointing_at("blobs") if c.table is t):
            parts.append(select(col).where(t.c.id.in_(_ids(t, case_ids)), col.is_not(None)))
    return {row[0] for row in session.execute(union(*parts))} if parts else set()


def files_by_case(session: Session, case_ids: list[int]) -> dict[int, set[str]]:
    """The stored files each case's own rows point at directly (attachments, documents,
    review copies): what its stub lists. One query per such table for the whole batch."""
    out: dict[int, set[str]] = {cid: set() for cid in case_ids}
    blob_cols = columns_pointing_at("blobs")
    for table, _ in _plan():
        if "case_id" not in table.c:
            continue
        for col in (c for c in blob_cols if c.table is table):
            stmt = select(table.c.case_id, col).where(
                table.c.case_id.in_(case_ids), col.is_not(None)
            )
            for cid, sha in session.execute(stmt):
                out[cid].add(sha)
    return out


def erase_cases(session: Session, case_ids: list[int]) -> list[str]:
    """Delete the cases and everything of theirs, in the caller's transaction. Returns the
    stored files no remaining row refers to; their `blobs` rows are deleted here, the files
    themselves only after the transaction commits (the caller's job)."""
    cases = Base.metadata.tables["cases"]
    shas = files_of(session, case_ids)
    props = set(session.scalars(select(cases.c.property_id).where(cases.c.id.in_(case_ids))))
    for table, _ in _plan():
        session.execute(delete(table).where(table.c.id.in_(_ids(table, case_ids))))
    session.execute(delete(cases).where(cases.c.id.in_(case_ids)))
    _drop_unreferenced(
        session, Base.metadata.tables["properties"], props, columns_pointing_at("properties")
    )
    return _drop_unreferenced(
        session, Base.metadata.tables["blobs"], shas, columns_pointing_at("blobs")
    )


def _drop_unreferenced(
    session: Session, table: Table, keys: Collection[object], refs: list[Column[Any]]
) -> list[Any]:
    """Deletes the rows of `keys` that nothing in `refs` points at; returns their keys."""
    if not keys:
        return []
    pk = next(iter(table.primary_key.columns))
    unused = select(pk).where(pk.in_(list(keys)))
    for col in refs:
        unused = unused.where(~exists().where(col == pk))
    gone = list(session.scalars(unused))
    if gone:
        session.execute(delete(table).where(pk.in_(gone)))
    return gone
