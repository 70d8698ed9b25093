"""Engine and sessions.

SQLite is the embedded default: WAL so readers never wait on the writer, FULL sync so a
committed row survives a power cut, and every transaction begins IMMEDIATE so two writers
queue on the busy timeout instead of failing with "database is locked" when a read
transaction tries to upgrade. PostgreSQL needs none of this.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

# Where a session finds the keys that authenticate the audit chain (docsvc/audit/keys.py:
# KeySource; not imported here, the audit package imports this module).
AUDIT_KEYS = "docsvc.audit_keys"


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Connection) -> None:
            # A read-only unit of work (rendering a document, say) must not hold the write lock.
            read_only = conn.get_execution_options().get("docsvc_read_only")
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


# Capability packages hook session events (a held record cannot change; the search index follows
# every write). `docsvc.wiring.install` installs them at start; a database opened before that
# would silently skip them, so it is refused.
_wired = False


def mark_wired() -> None:
    global _wired
    _wired = True


class Database:
    def __init__(self, url: str, audit_keys: object | None = None) -> None:
        """`audit_keys`: where the audit keys are (`KeySource.of(settings)`); a database opened
        without them can read but not append to the audit log."""
        if not _wired:
            raise RuntimeError(
                "the session listeners are not installed: call docsvc.wiring.install() first."
            )
        self.url = url
        self.engine = make_engine(url)
        info = {AUDIT_KEYS: audit_keys} if audit_keys is not None else {}
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False, info=info)
        self.read_sessionmaker = sessionmaker(
            self.engine.execution_options(docsvc_read_only=True),
            expire_on_commit=False,
            info=info,
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed by the caller, rolled back if it raises."""
        session = self.sessionmaker()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A unit of work that only reads: on SQLite it takes no write lock, so slow work done
        while it is open (rendering) does not hold up writers. Never commit writes in it."""
        session = self.read_sessionmaker()
        try:
            yield session
        finally:
            # Detach first: a rollback expires what is still attached, and objects read here
            # (who is asking, say) are used after the unit of work ends.
            session.expunge_all()
            session.rollback()
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
