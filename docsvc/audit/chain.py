"""Append-only, hash-chained audit log.

Each event's hash covers its own content and the previous event's hash, so editing,
deleting or reordering any row breaks every hash after it. Events carry ids, field names
and file hashes, never personal values: disposing of a case's content later leaves the
chain intact.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.models import AuditEvent, AuditHead, User
from docsvc.timeutil import utcnow

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    id: int | None
    role: str | None

    @classmethod
    def system(cls) -> Actor:
        return cls(None, "system")


def actor_of(user: User) -> Actor:
    """Who an audit row names: the user and the role they acted in."""
    return Actor(user.id, user.role)


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "case_id": event.case_id,
        "fields": list(event.fields or []),
        "hashes": dict(event.hashes or {}),
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def append(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: object,
    *,
    case_id: int | None = None,
    fields: Iterable[str] = (),
    hashes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event in the caller's transaction (it commits or rolls back with the change)."""
    return append_each(
        session, actor, action, object_type, [(object_id, case_id, hashes)], fields=fields
    )[0]


def append_each(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    objects: Iterable[tuple[object, int | None, dict[str, Any] | None]],
    *,
    fields: Iterable[str] = (),
) -> list[AuditEvent]:
    """One event per (object id, case id, hashes), chained under a single lock of the head:
    a bulk step (approving or destroying thousands of files) audits each object without a
    round trip per event."""
    head = session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()
    at, names = utcnow(), sorted(set(fields))
    events = []
    for object_id, case_id, hashes in objects:
        event = AuditEvent(
            seq=head.last_seq + 1,
            at=at,
            actor_id=actor.id,
            actor_role=actor.role,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            case_id=case_id,
            fields=list(names),
            hashes=dict(hashes or {}),
            prev_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        head.last_seq = event.seq
        head.last_hash = event.hash
        events.append(event)
    session.add_all(events)
    return events


def ensure_head(session: Session) -> None:
    if session.get(AuditHead, 1) is None:
        session.add(AuditHead(id=1, last_seq=0, last_hash=GENESIS))


def verify_chain(session: Session, batch: int = 5000) -> list[str]:
    """Every problem found, in words; empty when the chain is whole."""
    problems: list[str] = []
    prev_hash = GENESIS
    expected_seq = 1
    last_seen = 0
    while True:
        rows = (
            session.execute(
                select(AuditEvent)
                .where(AuditEvent.seq > last_seen)
                .order_by(AuditEvent.seq)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                problems.append(f"audit event {expected_seq} is missing (next is {event.seq})")
            if event.prev_hash != prev_hash:
                problems.append(f"audit event {event.seq} does not follow the event before it")
            if event_hash(event) != event.hash:
                problems.append(f"audit event {event.seq} was altered after it was written")
            prev_hash = event.hash
            expected_seq = event.seq + 1
            last_seen = event.seq
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is None:
        problems.append("the audit head row is missing")
    elif head.last_seq != last_seen or head.last_hash != prev_hash:
        problems.append(
            f"the audit log ends at event {last_seen} but its head records event {head.last_seq}"
        )
    return problems
