"""The audit keys: secrets kept outside the database that authenticate the audit chain.

Each entry's `hash` is an HMAC-SHA256 under the key that applies to its sequence number, so
someone who can rewrite the database but cannot read the key cannot recompute the chain. The
keys live in the data directory's `audit_keys` file (mode 0600, created with the first key), or
in `DOCSVC_AUDIT_KEY` for several nodes sharing one database. One key per line:

    k1 1 0000...0000 9f3a...

its id, the first event it authenticates, the chain's hash just before that event when the key
was made, and the secret (hex). The first key's line is also the boundary of the entries written
before keys existed: events before its first event are plain SHA-256, every event from it on
must carry that key (or a later one, from that key's first event on). A rewrite cannot pass
itself off as "written before keys", and the recorded hash pins those older entries too.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docsvc.config import Settings

KEY_FILE = "audit_keys"
ENV = "DOCSVC_AUDIT_KEY"
_ID = re.compile(r"[A-Za-z0-9._-]{1,40}")
_HASH = re.compile(r"[0-9a-f]{64}")
_HEADER = (
    "# docsvc audit keys (docs/AUDIT.md). Keep every line and back this file up with the data\n"
    "# directory: each key verifies the audit events from its first event on.\n"
    "# id  first-event  chain-hash-before-it  key\n"
)


class AuditKeyError(RuntimeError):
    """The audit keys are missing, unreadable or do not fit the audit log: an operator's fix,
    never the user's."""


class AuditKey:
    __slots__ = ("_mac", "after", "first_seq", "id", "secret")

    def __init__(self, key_id: str, first_seq: int, after: str, secret: bytes) -> None:
        self.id = key_id
        self.first_seq = first_seq
        self.after = after
        self.secret = secret
        # Keyed once: each event then costs a copy of this state and one digest.
        self._mac = hmac.new(secret, digestmod=hashlib.sha256)

    def mac(self, data: bytes) -> str:
        m = self._mac.copy()
        m.update(data)
        return m.hexdigest()

    def line(self) -> str:
        return f"{self.id} {self.first_seq} {self.after} {self.secret.hex()}"

    def __repr__(self) -> str:  # never the secret, in a log or a traceback
        return f"AuditKey({self.id!r}, from event {self.first_seq})"


@dataclass(frozen=True)
class KeyRing:
    """Every key, in the order they took over (first events strictly increasing)."""

    keys: tuple[AuditKey, ...]

    @property
    def current(self) -> AuditKey:
        return self.keys[-1]

    @property
    def first_seq(self) -> int:
        return self.keys[0].first_seq

    def for_seq(self, seq: int) -> AuditKey | None:
        """The key that must authenticate event `seq`; None before the first key."""
        for key in reversed(self.keys):  # a handful of keys: newest first is the usual hit
            if key.first_seq <= seq:
                return key
        return None

    def by_id(self, key_id: str) -> AuditKey | None:
        return next((k for k in self.keys if k.id == key_id), None)

    def with_new_key(self, first_seq: int, after: str) -> KeyRing:
        if first_seq <= self.current.first_seq:
            raise AuditKeyError(
                f"audit key {self.current.id} has not authenticated any event yet (it starts "
                f"at event {self.current.first_seq}): there is nothing to rotate yet"
            )
        taken = {k.id for k in self.keys}
        n = len(self.keys) + 1
        while f"k{n}" in taken:
            n += 1
        return KeyRing((*self.keys, new_key(f"k{n}", first_seq, after)))

    def text(self) -> str:
        return _HEADER + "".join(k.line() + "\n" for k in self.keys)

    def env_value(self) -> str:
        """The keys as one value for DOCSVC_AUDIT_KEY."""
        return "; ".join(k.line() for k in self.keys)


def new_key(key_id: str, first_seq: int, after: str) -> AuditKey:
    return AuditKey(key_id, first_seq, after, secrets.token_bytes(32))


def parse_ring(text: str, where: str) -> KeyRing:
    """The keys in `text` (lines, or `;`-separated entries for the environment)."""
    keys: list[AuditKey] = []
    for n, raw in enumerate(re.split(r"[\n;]", text), 1):
        entry = raw.split("#", 1)[0].strip()
        if not entry:
            continue
        parts = entry.split()
        problem = _bad_entry(parts, keys)
        if problem:
            raise AuditKeyError(
                f"{where}, entry {n}: {problem} (each entry is: id first-event "
                "chain-hash-before-it key-in-hex; see docs/AUDIT.md)"
            )
        keys.append(AuditKey(parts[0], int(parts[1]), parts[2], bytes.fromhex(parts[3])))
    if not keys:
        raise AuditKeyError(f"{where} holds no audit key (see docs/AUDIT.md)")
    return KeyRing(tuple(keys))


def _bad_entry(parts: list[str], before: list[AuditKey]) -> str | None:
    if len(parts) != 4:
        return f"expected 4 fields, found {len(parts)}"
    key_id, first, after, secret = parts
    if not _ID.fullmatch(key_id):
        return "the id must be 1 to 40 letters, digits, '.', '_' or '-'"
    if any(k.id == key_id for k in before):
        return f"key id {key_id} appears twice"
    if not first.isdigit() or int(first) < 1:
        return "the first event must be a whole number of at least 1"
    if before and int(first) <= before[-1].first_seq:
        return "each key must start after the key before it"
    if not _HASH.fullmatch(after):
        return "the chain hash must be 64 lowercase hex digits"
    if not re.fullmatch(r"(?:[0-9a-f]{2}){16,}", secret):
        return "the key must be at least 32 lowercase hex digits"
    return None


class KeySource:
    """Where this process finds the audit keys. Read once; the file is re-read only when it
    changes (a key rotation), which one `stat` per append notices."""

    def __init__(self, path: Path, env_text: str = "") -> None:
        self.path = path
        self.from_env = bool(env_text.strip())
        self._ring: KeyRing | None = parse_ring(env_text, ENV) if self.from_env else None
        self._stamp: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, settings: Settings) -> KeySource:
        return cls(settings.data_dir / KEY_FILE, settings.audit_key)

    @property
    def where(self) -> str:
        return ENV if self.from_env else str(self.path)

    def ring(self) -> KeyRing | None:
        """The keys, or None when none was made yet (and none is in the environment)."""
        if self.from_env:
            return self._ring
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            # Removed under a running process: it keeps the keys it read; `docsvc verify`
            # in a new process reports the file as missing.
            return self._ring
        stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            try:
                text = self.path.read_text()
            except OSError as exc:
                raise AuditKeyError(
                    f"cannot read the audit key file {self.path}: {exc.strerror}"
                ) from exc
            with self._lock:
                self._ring = parse_ring(text, str(self.path))
                self._stamp = stamp
        return self._ring

    def create(self, first_seq: int, after: str) -> KeyRing:
        """Make the first key. The caller holds the audit head's lock, so no event is written
        between reading the head and recording where the key starts."""
        if self.from_env:
            raise AuditKeyError(f"{ENV} is set but holds no key")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ring = KeyRing((new_key("k1", first_seq, after),))
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # made by another process in the meantime
            made = self.ring()
            assert made is not None
            return made
        with os.fdopen(fd, "w") as fh:
            fh.write(ring.text())
            fh.flush()
            os.fsync(fh.fileno())
        return self.ring() or ring

    def replace(self, ring: KeyRing) -> None:
        """Write `ring` in place of the file, atomically and never readable by others."""
        if self.from_env:
            raise AuditKeyError(f"the keys come from {ENV}: change it on every node instead")
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(ring.text())
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        finally:
            if tmp.exists():
                tmp.unlink()
        self.ring()
