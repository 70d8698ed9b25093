"""Failed sign-ins, counted per account and per address, with a lockout that grows.

The counts live in the database (`login_throttles`) so every server process sees the same
ones. An account is locked after `ACCOUNT_LIMIT` failures in a row, an address after
`ADDRESS_LIMIT` (one office may share an address); each further failure doubles the lock, up
to `LONGEST_LOCK`. A lock is checked before the password, so a locked account does not tell
whether a guess was right, and a name nobody has is counted like any other, so a lockout does
not tell which names exist. A count left alone for `QUIET` is forgotten.

The keys are keyed hashes ("user:<hmac of the name>", "address:<hmac of the address>"): a
password typed into the name box, or a visitor's address, is never stored. The audit row of a
lockout names the account's id (or the throttle key for a name nobody has, or an address),
never the name typed or the address; the server log has the address for an operator.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, text
from sqlalchemy.orm import Session

from docsvc.audit import Actor, append
from docsvc.auth.credentials import check_login
from docsvc.db import Database
from docsvc.models import User
from docsvc.models.base import dialect_insert
from docsvc.models.users import LoginThrottle
from docsvc.timeutil import utcnow

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(minutes=30)
QUIET = timedelta(hours=24)

log = logging.getLogger("docsvc.signin")


@dataclass(frozen=True)
class Lockout:
    """Sign-ins refused until `until`, for the account typed or for the address."""

    scope: str  # "account" or "address"
    until: datetime

    def seconds(self, now: datetime | None = None) -> int:
        """For Retry-After: whole seconds left, at least one."""
        return max(1, math.ceil((self.until - (now or utcnow())).total_seconds()))

    def message(self, now: datetime | None = None) -> str:
        minutes = math.ceil(self.seconds(now) / 60)
        wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
        where = "for this account" if self.scope == "account" else "from this address"
        return f"Too many failed sign-ins {where}; try again in {wait}."


@dataclass(frozen=True)
class Keys:
    account: str
    address: str


@dataclass(frozen=True)
class Attempt:
    """What a sign-in came to: the user, or the lockout that refused it (or neither: the
    name and password did not match)."""

    user: User | None
    lockout: Lockout | None = None


def keys(username: str, address: str, secret: str) -> Keys:
    def digest(kind: str, value: str) -> str:
        mac = hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
        return f"{kind}:{mac.hexdigest()[:40]}"

    return Keys(digest("user", username), digest("address", address))


def locked(session: Session, k: Keys) -> Lockout | None:
    """The lock in force on the account or the address, whichever ends later."""
    now = utcnow()
    rows = session.scalars(
        select(LoginThrottle).where(
            LoginThrottle.key.in_((k.account, k.address)), LoginThrottle.locked_until > now
        )
    ).all()
    if not rows:
        return None
    row = max(rows, key=lambda r: r.locked_until or now)
    assert row.locked_until is not None
    return Lockout("account" if row.key == k.account else "address", row.locked_until)


def sign_in(database: Database, username: str, password: str, address: str, secret: str) -> Attempt:
    """Check the lock, then the password; count a failure, forget the account's count on
    success. The password's scrypt check (~0.1 s of CPU) runs in a read session, outside any
    write transaction: on SQLite a write transaction holds the one write lock, and a flood of
    sign-ins would stall every other write. The verdict is then recorded in a short write
    transaction that checks the lock again, so a burst of guesses sent at once still has at
    most the limit's worth of verdicts told: a guess that finds the lock set by then is
    refused whatever its password was."""
    k = keys(username, address, secret)
    with database.read_session() as session:
        if (lockout := locked(session, k)) is not None:
            return Attempt(None, lockout)  # no scrypt spent on a locked account
        user = check_login(session, username, password)
    with database.session() as session:
        _one_at_a_time(session, k)
        if (lockout := locked(session, k)) is not None:
            return Attempt(None, lockout)
        if user is not None:
            session.execute(delete(LoginThrottle).where(LoginThrottle.key == k.account))
            session.commit()
            return Attempt(user)
        started = failed(session, k, username, address)
        session.commit()
        return Attempt(None, started)


def _one_at_a_time(session: Session, k: Keys) -> None:
    """Sign-ins to one account, or from one address, take turns until the caller commits, so a
    burst of guesses sent at once cannot all pass the check before the first is counted.
    SQLite already runs one writing transaction at a time; PostgreSQL takes a transaction-level
    advisory lock per key (account first, then address: always the same order, no deadlock)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for kind, key in ((1, k.account), (2, k.address)):
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big", signed=True)
        session.execute(
            text("SELECT pg_advisory_xact_lock(:kind, :number)"), {"kind": kind, "number": number}
        )


def failed(session: Session, k: Keys, username: str, address: str) -> Lockout | None:
    """Count one failure against the account and the address; the lockout it starts, if any."""
    now = utcnow()
    forget(session, now)
    insert = dialect_insert(session.get_bind())
    started: Lockout | None = None
    for scope, key, limit in (
        ("account", k.account, ACCOUNT_LIMIT),
        ("address", k.address, ADDRESS_LIMIT),
    ):
        # Created if missing without a race between two processes, then row-locked to count.
        session.execute(
            insert(LoginThrottle)
            .values(key=key, failures=0, last_failure_at=now)
            .on_conflict_do_nothing(index_elements=["key"])
        )
        row = session.execute(
            select(LoginThrottle)
            .where(LoginThrottle.key == key)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()
        row.failures += 1
        row.last_failure_at = now
        if row.failures < limit:
            continue
        row.locked_until = now + min(FIRST_LOCK * 2 ** min(row.failures - limit, 16), LONGEST_LOCK)
        lockout = Lockout(scope, row.locked_until)
        if started is None or lockout.until > started.until:
            started = lockout
        _audit(session, scope, key, username)
        log.warning(
            "sign-in locked for %s after %d failures (address %s)",
            scope,
            row.failures,
            address,
        )
    session.flush()
    return started


def _audit(session: Session, scope: str, key: str, username: str) -> None:
    user_id = (
        session.scalar(select(User.id).where(User.username == username))
        if scope == "account"
        else None
    )
    if user_id is not None:
        append(session, Actor.system(), "login.lockout", "user", user_id, fields=["failures"])
    else:
        # A name nobody has, or an address: the key stands for it, not the value itself.
        append(session, Actor.system(), "login.lockout", "login_throttle", key, fields=["failures"])


def forget(session: Session, now: datetime | None = None) -> int:
    """Drop counts left alone for `QUIET` (and not locked): the table does not grow forever."""
    now = now or utcnow()
    result = session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.last_failure_at < now - QUIET,
            or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until < now),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
