"""Checkpoints: the audit log's head, signed and kept outside the installation.

Someone holding the whole data directory holds the audit key too, and could rewrite the chain
and recompute every HMAC. A checkpoint (event number, hash, time, key id and an HMAC over them,
one JSON line) shipped to a log the city keeps elsewhere is out of their reach:
`docsvc verify --checkpoint FILE` proves the chain still passes through every checkpointed
hash (`chain.take_checkpoint` signs, `chain.check_chain` checks). Taking a checkpoint is not
itself audited: it only reads, and an audit event for it would move the head it just signed;
the shipped lines are its record.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docsvc.audit.keys import AuditKey, KeyRing

KIND = "docsvc-audit-checkpoint"
_FIELDS = {"kind": str, "seq": int, "hash": str, "at": str, "key_id": str, "sig": str}


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key_id: str
    sig: str
    where: str = ""  # FILE:LINE it was read from, for messages

    def signed(self) -> bytes:
        body = {"kind": KIND, "seq": self.seq, "hash": self.hash, "at": self.at}
        body["key_id"] = self.key_id
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def line(self) -> str:
        body: dict[str, Any] = json.loads(self.signed())
        body["sig"] = self.sig
        return json.dumps(body, sort_keys=True, separators=(",", ":"))


def sign(key: AuditKey, seq: int, hash_: str, at: str) -> Checkpoint:
    unsigned = Checkpoint(seq, hash_, at, key.id, "")
    return Checkpoint(seq, hash_, at, key.id, key.mac(unsigned.signed()))


def signature_problem(cp: Checkpoint, ring: KeyRing | None) -> str | None:
    key = ring.by_id(cp.key_id) if ring else None
    if key is None:
        return (
            f"the checkpoint at {cp.where} is signed with audit key {cp.key_id}, which this "
            "installation does not have"
        )
    if not hmac.compare_digest(key.mac(cp.signed()), cp.sig):
        return (
            f"the checkpoint at {cp.where} (event {cp.seq}) has a wrong signature: it was not "
            f"made with this installation's audit key {cp.key_id}, or it was edited"
        )
    return None


def read_checkpoints(path: Path) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints in a file of lines (a syslog export's prefix before the JSON is
    skipped); a line that is not one is a problem, not a crash."""
    found: list[Checkpoint] = []
    problems: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            where = f"{path}:{n}"
            cp = _parse(raw, where)
            if cp is None:
                problems.append(f"{where} is not a docsvc audit checkpoint line")
            else:
                found.append(cp)
    if not found and not problems:
        problems.append(f"{path} holds no checkpoint")
    return found, problems


def _parse(raw: str, where: str) -> Checkpoint | None:
    start = raw.find("{")
    try:
        body = json.loads(raw[start:]) if start >= 0 else None
    except ValueError:
        return None
    if not isinstance(body, dict) or body.get("kind") != KIND:
        return None
    if any(type(body.get(name)) is not kind for name, kind in _FIELDS.items()):
        return None
    return Checkpoint(body["seq"], body["hash"], body["at"], body["key_id"], body["sig"], where)
