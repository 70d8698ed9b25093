"""Append-only, hash-chained audit log.

Each event's hash covers its own content and the previous event's hash, so editing,
deleting or reordering any row breaks every hash after it. Events carry ids, field names
and file hashes, never personal values: disposing of a case's content later leaves the
chain intact.

The hash is an HMAC under an audit key the database does not hold (`keys.py`), so the chain
cannot be recomputed by someone who can only write the database; checkpoints (`anchor.py`)
shipped elsewhere catch a rewrite by someone who also holds the key. Events written before
keys existed keep their plain SHA-256 and still verify.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit.anchor import Checkpoint, sign, signature_problem
from docsvc.audit.keys import AuditKey, AuditKeyError, KeyRing, KeySource
from docsvc.db import AUDIT_KEYS
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
    if event.key_id is not None:  # absent from events written before keys: their hashes stand
        body["key_id"] = event.key_id
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def event_hash(event: AuditEvent) -> str:
    """The plain SHA-256 of an event written before audit keys existed."""
    return hashlib.sha256(_canonical(event)).hexdigest()


def keyed_hash(event: AuditEvent, key: AuditKey) -> str:
    """The HMAC-SHA256 of an event under its audit key."""
    return key.mac(_canonical(event))


def key_source(session: Session) -> KeySource | None:
    source = session.info.get(AUDIT_KEYS)
    return source if isinstance(source, KeySource) else None


def signing_ring(session: Session, head: AuditHead) -> KeyRing:
    """The audit keys, the first one made if there is none yet. The caller holds the head's
    lock: the first key starts at the next event, after the head's hash."""
    source = key_source(session)
    if source is None:
        raise AuditKeyError(
            "this database was opened without the audit keys "
            "(Database(url, audit_keys=KeySource.of(settings))): it cannot append to the log"
        )
    ring = source.ring()
    if ring is not None:
        return ring
    keyed = session.scalar(select(AuditEvent.seq).where(AuditEvent.key_id.is_not(None)).limit(1))
    if keyed is not None:
        raise AuditKeyError(
            f"the audit key file {source.path} is missing, and the audit log is authenticated "
            "by its keys: restore it from the backup of the data directory (docs/AUDIT.md)"
        )
    return source.create(head.last_seq + 1, head.last_hash)


def keys_problem(session: Session) -> str | None:
    """Why this process could not write the audit log with the keys it has (None: it can):
    none given, the key file missing while the log is authenticated, or keys that did not
    sign the latest event (a node that made keys of its own beside the others'). Readiness
    asks, so a node that would refuse every audited request is taken out of rotation."""
    source = key_source(session)
    if source is None:
        return "the database was opened without the audit keys"
    try:
        ring = source.ring()
    except AuditKeyError as exc:
        return str(exc)
    latest = session.scalar(
        select(AuditEvent).where(AuditEvent.key_id.is_not(None)).order_by(AuditEvent.seq.desc())
    )
    if latest is None:
        return None
    if ring is None:
        return f"the audit key file {source.where} is missing, and the audit log is authenticated"
    if _authenticity(latest, ring) is not None:
        return (
            f"the audit keys of {source.where} did not sign the latest audit event "
            f"({latest.seq}): this node's keys differ from those the log was written with"
        )
    return None


def ensure_keys(session: Session) -> KeyRing:
    """Make the first audit key now if there is none (`docsvc init`), so it can be backed up
    before anything is audited."""
    return signing_ring(session, _locked_head(session))


def rotate_key(session: Session) -> tuple[KeyRing, bool]:
    """A new audit key for every event from the next one on; the old keys stay to verify the
    events before. Returns the new keys and whether they were written to the key file (False:
    they come from the environment, and the operator sets the new value on every node). The
    rotation is audited: its event is the first the new key authenticates."""
    head = _locked_head(session)
    ring = signing_ring(session, head)
    source = key_source(session)
    assert source is not None  # signing_ring refuses a database opened without keys
    rotated = ring.with_new_key(head.last_seq + 1, head.last_hash)
    if source.from_env:
        return rotated, False
    source.replace(rotated)
    append(session, Actor.system(), "audit.key_rotate", "audit_key", rotated.current.id)
    return rotated, True


def _locked_head(session: Session) -> AuditHead:
    return session.execute(
        select(AuditHead).where(AuditHead.id == 1).with_for_update()
    ).scalar_one()


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
    head = _locked_head(session)
    ring = signing_ring(session, head)
    at, names = utcnow(), sorted(set(fields))
    events = []
    for object_id, case_id, hashes in objects:
        key = ring.for_seq(head.last_seq + 1)
        if key is None:
            raise AuditKeyError(
                f"the audit log is at event {head.last_seq}, before its first audit key starts "
                f"(event {ring.first_seq}): the database is older than the key file; restore "
                "the two from the same backup (docs/AUDIT.md)"
            )
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
            key_id=key.id,
        )
        event.hash = keyed_hash(event, key)
        head.last_seq = event.seq
        head.last_hash = event.hash
        events.append(event)
    session.add_all(events)
    return events


def ensure_head(session: Session) -> None:
    if session.get(AuditHead, 1) is None:
        session.add(AuditHead(id=1, last_seq=0, last_hash=GENESIS))


@dataclass
class ChainCheck:
    problems: list[str]
    last_seq: int  # the last event read
    last_hash: str  # its hash (GENESIS for an empty log)


def verify_chain(
    session: Session, batch: int = 5000, checkpoints: Sequence[Checkpoint] = ()
) -> list[str]:
    """Every problem found, in words; empty when the chain is whole (and still extends every
    checkpoint given)."""
    return check_chain(session, batch=batch, checkpoints=checkpoints).problems


def check_chain(
    session: Session,
    *,
    batch: int = 5000,
    checkpoints: Sequence[Checkpoint] = (),
    until: int | None = None,
) -> ChainCheck:
    """Walk the log from the first event (to `until`, else to the head row, which must agree):
    each event follows the one before, is authenticated as its sequence number requires, and
    each checkpoint's event still has the hash it recorded."""
    problems: list[str] = []
    source = key_source(session)
    ring: KeyRing | None = None
    try:
        ring = source.ring() if source else None
    except AuditKeyError as exc:
        problems.append(str(exc))
    marks = _Marks(problems)
    for cp in sorted(checkpoints, key=lambda c: c.seq):
        if (bad := signature_problem(cp, ring)) is None:
            marks.pending.append(cp)
        else:
            problems.append(bad)
    marks.reach(0, GENESIS)
    boundaries = list(ring.keys) if ring else []
    unknown_keys: dict[str, int] = {}
    prev_hash = GENESIS
    expected_seq = 1
    last_seen = 0
    while True:
        stmt = select(AuditEvent).where(AuditEvent.seq > last_seen)
        if until is not None:
            stmt = stmt.where(AuditEvent.seq <= until)
        rows = session.execute(stmt.order_by(AuditEvent.seq).limit(batch)).scalars().all()
        if not rows:
            break
        for event in rows:
            if event.seq != expected_seq:
                problems.append(f"audit event {expected_seq} is missing (next is {event.seq})")
            if event.prev_hash != prev_hash:
                problems.append(f"audit event {event.seq} does not follow the event before it")
            while boundaries and boundaries[0].first_seq <= event.seq:
                key = boundaries.pop(0)
                if key.first_seq == event.seq and prev_hash != key.after:
                    problems.append(_rewritten_before(key))
            if ring is None and event.key_id is not None:
                unknown_keys[event.key_id] = unknown_keys.get(event.key_id, 0) + 1
            elif problem := _authenticity(event, ring):
                problems.append(problem)
            marks.reach(event.seq, event.hash)
            prev_hash = event.hash
            expected_seq = event.seq + 1
            last_seen = event.seq
        session.expunge_all()
    for key in boundaries:
        if until is not None and key.first_seq > until + 1:
            continue  # rotated while a checkpoint was being taken: beyond what is checked
        if key.first_seq == last_seen + 1 and prev_hash != key.after:
            problems.append(_rewritten_before(key))
        elif key.first_seq > last_seen + 1:
            problems.append(
                f"the audit log ends at event {last_seen}, but audit key {key.id} was made when "
                f"it had reached event {key.first_seq - 1}: events were removed from its end, "
                "or the database is older than the key file"
            )
    if unknown_keys:
        problems.append(
            f"{sum(unknown_keys.values())} audit event(s) are authenticated by audit key(s) "
            f"{', '.join(sorted(unknown_keys))}, which this installation does not have "
            f"({source.where if source else 'no key source'}): restore the key file from "
            "the backup of the data directory"
        )
    marks.finish(last_seen)
    if until is None:
        head = session.get(AuditHead, 1)
        if head is None:
            problems.append("the audit head row is missing")
        elif head.last_seq != last_seen or head.last_hash != prev_hash:
            problems.append(
                f"the audit log ends at event {last_seen} but its head records event "
                f"{head.last_seq}"
            )
    return ChainCheck(problems, last_seen, prev_hash)


def take_checkpoint(session: Session) -> tuple[Checkpoint | None, list[str]]:
    """The head, signed with the newest key, once the chain up to it checks out (a read
    session: appends go on meanwhile); else the problems, and nothing is signed."""
    source = key_source(session)
    ring = source.ring() if source else None
    if ring is None:
        raise AuditKeyError("there is no audit key yet: run `docsvc init` first")
    head = session.get(AuditHead, 1)
    if head is None:
        return None, ["the audit head row is missing"]
    seq, hash_ = head.last_seq, head.last_hash
    check = check_chain(session, until=seq)
    problems = check.problems
    if not problems and (check.last_seq, check.last_hash) != (seq, hash_):
        problems.append(
            f"the audit log ends at event {check.last_seq} but its head records event {seq}"
        )
    if problems:
        return None, problems
    at = utcnow().isoformat(timespec="seconds")
    return sign(ring.current, seq, hash_, at), []


def _authenticity(event: AuditEvent, ring: KeyRing | None) -> str | None:
    key = ring.for_seq(event.seq) if ring else None
    if key is None:
        if event.key_id is not None:
            assert ring is not None  # events naming a key without a ring are counted apart
            return (
                f"audit event {event.seq} names audit key {event.key_id}, but the audit keys "
                f"start at event {ring.first_seq}"
            )
        if event_hash(event) != event.hash:
            return f"audit event {event.seq} was altered after it was written"
        return None
    if event.key_id is None:
        return (
            f"audit event {event.seq} is not authenticated by audit key {key.id}, as every "
            f"event from {key.first_seq} on must be: it was rewritten without the key"
        )
    if event.key_id != key.id:
        return (
            f"audit event {event.seq} names audit key {event.key_id}, but events from "
            f"{key.first_seq} on are authenticated by key {key.id}"
        )
    if keyed_hash(event, key) != event.hash:
        return f"audit event {event.seq} was altered after it was written"
    return None


def _rewritten_before(key: AuditKey) -> str:
    return (
        f"the audit events before event {key.first_seq} are not the ones audit key {key.id} "
        "was made after: they were rewritten"
    )


class _Marks:
    """Checkpoints still to be reached in the walk, in sequence order."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        self.pending: list[Checkpoint] = []
        self.matched_up_to = 0  # the last checkpointed event that still matches
        self.first_bad: int | None = None
        self.also_bad = 0
        self._i = 0

    def reach(self, seq: int, hash_: str) -> None:
        while self._i < len(self.pending) and self.pending[self._i].seq <= seq:
            cp = self.pending[self._i]
            self._i += 1
            if cp.seq < seq:
                self._mismatch(cp, f"audit event {cp.seq} is missing")
            elif cp.hash != hash_:
                self._mismatch(cp, f"audit event {cp.seq} no longer matches")
            elif self.first_bad is None:
                self.matched_up_to = cp.seq

    def finish(self, last_seq: int) -> None:
        for cp in self.pending[self._i :]:
            self._mismatch(cp, f"audit event {cp.seq} is missing (the log ends at {last_seq})")
        if self.also_bad:
            self.problems.append(
                f"{self.also_bad} later checkpoint(s) do not match the audit log either"
            )

    def _mismatch(self, cp: Checkpoint, what: str) -> None:
        if self.first_bad is not None:
            self.also_bad += 1
            return
        self.first_bad = cp.seq
        since = (
            f"between events {self.matched_up_to + 1} and {cp.seq}"
            if self.matched_up_to
            else f"at or before event {cp.seq}"
        )
        self.problems.append(
            f"{what}: checkpoint of {cp.at} ({cp.where}) recorded it; the log was rewritten {since}"
        )
