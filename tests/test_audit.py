"""The audit log is a hash chain that `docsvc verify` checks."""

from __future__ import annotations

import itertools

from sqlalchemy import select, text

from docsvc.audit import Actor, append, verify_chain
from docsvc.models import AuditEvent


def _add(database, n: int) -> None:
    with database.session() as s:
        for i in range(n):
            append(
                s,
                Actor(None, "system"),
                "test.event",
                "thing",
                i,
                fields=["a", "b"],
                hashes={"file": "0" * 64},
            )
        s.commit()


def test_chain_verifies_and_holds_no_values(database) -> None:
    _add(database, 5)
    with database.session() as s:
        assert verify_chain(s) == []
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert all(e.prev_hash == p.hash for p, e in itertools.pairwise(events))


def test_an_edited_row_is_detected(database) -> None:
    _add(database, 5)
    with database.session() as s:
        seq = s.scalar(select(AuditEvent.seq).where(AuditEvent.action == "test.event").limit(1))
        s.execute(text("UPDATE audit_events SET action = 'case.view' WHERE seq = :s"), {"s": seq})
        s.commit()
        problems = verify_chain(s)
    assert any(f"audit event {seq} was altered" in p for p in problems)


def test_a_deleted_row_is_detected(database) -> None:
    _add(database, 5)
    with database.session() as s:
        last = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
        s.execute(text("DELETE FROM audit_events WHERE seq = :s"), {"s": last - 2})
        s.commit()
        problems = verify_chain(s)
    assert any("is missing" in p for p in problems)
    assert any("does not follow" in p for p in problems)
