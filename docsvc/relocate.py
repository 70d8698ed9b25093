"""`docsvc migrate --to URL --store URL`: move an installation's records and files to another
database and store (the embedded SQLite and local store to PostgreSQL and a bucket, say),
and prove the copy whole.

- The source is only read: SQLite is opened read-only (`mode=ro`; SQLite still keeps its `-wal`
  and `-shm` working files beside a WAL database, the database file itself is never written),
  PostgreSQL in read-only transactions, and the local store's files are opened for reading, not
  through FileStore (whose constructor tidies folders).
- Rows are copied table by table in foreign-key order, in batches by primary key, each batch
  committed. The copy resumes from the target itself: a table's rows are copied in key order,
  so what is there is a prefix, and the next run starts after the highest key (tables keyed by
  text: after every key already there). Files already in the target store are skipped.
- Which installation a half-done target belongs to is recorded in the target, in a table of
  relocate's own (`docsvc_relocation`, one row: the source's identity, its first audit event's
  hash), made when the move starts and dropped once the proof holds. No migration is needed:
  the models never see it. Nothing is kept beside the source, which is read-only.
- The proof: every table's row count and content digest equal on both sides, every file
  re-read from the target store with its hash (docsvc verify's fixity), the audit chain
  verified on the target with the same keys, the search index's rows equal and queries
  finding the same cases, `docsvc verify` clean on the target, the source unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, Table, create_engine, event, func, select, text, tuple_
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

from docsvc.audit.keys import KeySource
from docsvc.config import Settings
from docsvc.db import Database, make_engine
from docsvc.migrate import upgrade
from docsvc.models import Base
from docsvc.store import Store, open_store_url
from docsvc.store.filestore import object_name
from docsvc.store.modes import sqlite_path
from docsvc.verify import VerifyReport, referenced_hashes, verify

MARKER = "docsvc_relocation"
STOP_AFTER = "DOCSVC_RELOCATE_STOP_AFTER"  # tests and benchmarks: exit hard after N batches
FILE_BATCH = 100  # files per counted batch (the stop hook, the progress bar)
READ_CHUNK = 1024 * 1024
# Bar(description, total, unit) -> a callable taking the count just done (tqdm's update).
BarFactory = Callable[[str, int, str], Any]


class RelocateError(Exception):
    """The move cannot go ahead, said in words for the operator."""


class SourceFiles:
    """The source's local store, read only: the files' paths computed, never a folder made."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"

    def path_for(self, sha: str) -> Path:
        return self.objects / object_name(sha)

    def listing(self) -> list[tuple[str, int, int]]:
        """(relative path, size, mtime) of everything under the store: the proof it was not
        written."""
        out = []
        for folder, _dirs, files in os.walk(self.root):
            for name in files:
                p = Path(folder) / name
                st = p.stat()
                out.append((str(p.relative_to(self.root)), st.st_size, st.st_mtime_ns))
        return sorted(out)


# ---------------------------------------------------------------------------------------------
# Opening the two sides


def _source_engine(url: str) -> Engine:
    """The source database, for reading only, each unit of work one snapshot."""
    path = sqlite_path(url)
    if path is not None:
        engine = create_engine(
            f"sqlite:///file:{path}?mode=ro&uri=true",
            connect_args={"timeout": 60, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _ro(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            dbapi_conn.isolation_level = None  # we emit BEGIN: one snapshot for the whole read
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA query_only=ON")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN")  # deferred: a reader, never the write lock

        return engine
    engine = create_engine(url, pool_pre_ping=True)

    @event.listens_for(engine, "begin")
    def _read_only(conn: Connection) -> None:
        conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    return engine


def _same_database(source_url: str, target_url: str) -> bool:
    a, b = sqlite_path(source_url), sqlite_path(target_url)
    if a is not None and b is not None:
        return a.resolve() == b.resolve()
    ua, ub = make_url(source_url), make_url(target_url)
    return (ua.host, ua.port, ua.database) == (ub.host, ub.port, ub.database) and (
        a is None and b is None
    )


def _revision(conn: Connection) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # no table: a database that was never initialised
        return None


def _head_revision() -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", "docsvc:migrations")
    return ScriptDirectory.from_config(cfg).get_current_head()


def _identity(conn: Connection) -> str:
    """Which installation a database holds: its first audit event's hash (an HMAC under a
    random key, over a timestamp: no two installations share it)."""
    first = conn.execute(text("SELECT hash FROM audit_events WHERE seq = 1")).scalar()
    return str(first) if first else "empty"


def _has_marker(conn: Connection) -> bool:
    from sqlalchemy import inspect

    return MARKER in inspect(conn).get_table_names()


def _marker(conn: Connection) -> str | None:
    if not _has_marker(conn):
        return None
    return conn.execute(text(f"SELECT source FROM {MARKER}")).scalar()


# ---------------------------------------------------------------------------------------------
# Values compared across engines


def _norm(value: Any) -> Any:
    """A value as JSON can carry it, the same from SQLite and PostgreSQL."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, datetime):
        from datetime import UTC

        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, (date, dtime)):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): _norm(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_norm(v) for v in value]
    return str(value)


def row_digest(row: Sequence[Any]) -> int:
    blob = json.dumps([_norm(v) for v in row], sort_keys=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(blob.encode()).digest(), "big")


@dataclass(frozen=True)
class TableDigest:
    rows: int
    digest: str


def table_digest(conn: Connection, table: Table, batch: int = 2000) -> TableDigest:
    """Row count, and the sum (mod 2**256) of each row's SHA-256 over its normalised values in
    column order: equal on both sides only if the same rows are there, whatever order each
    engine sorts text keys in (SQLite by bytes, PostgreSQL by its collation)."""
    total, count = 0, 0
    for rows in _keyed_batches(conn, table, batch):
        for row in rows:
            total = (total + row_digest(row)) % (1 << 256)
            count += 1
    return TableDigest(count, f"{total:064x}")


def _pk(table: Table) -> list[Any]:
    return list(table.primary_key.columns)


def _integer_key(table: Table) -> bool:
    pk = _pk(table)
    return len(pk) == 1 and isinstance(pk[0].type, Integer)


def _keyed_batches(
    conn: Connection, table: Table, batch: int, after: Any = None
) -> Iterator[list[Any]]:
    """The table's rows in key order, `batch` at a time (keyset paging: each page a short
    indexed query, memory flat however large the table)."""
    pk = _pk(table)
    key = pk[0] if len(pk) == 1 else tuple_(*pk)
    last = after
    while True:
        stmt = select(table).order_by(*pk).limit(batch)
        if last is not None:
            stmt = stmt.where(key > last)
        rows = list(conn.execute(stmt).all())
        if not rows:
            return
        yield rows
        if len(rows) < batch:
            return
        tail = rows[-1]._mapping
        last = tail[pk[0].name] if len(pk) == 1 else tuple(tail[c.name] for c in pk)


# ---------------------------------------------------------------------------------------------
# What there is to move


@dataclass
class Plan:
    tables: list[tuple[str, int]]
    files: int
    bytes: int
    estimate_seconds: float | None = None

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.tables)


def _hashes(conn: Connection) -> list[tuple[str, int | None]]:
    """Every file hash the records name (the blobs table and every column pointing at it),
    with its recorded size where known; sorted."""
    blobs = Base.metadata.tables["blobs"]
    sizes = {sha: size for sha, size in conn.execute(select(blobs.c.sha256, blobs.c.size))}
    return [(sha, sizes.get(sha)) for sha in sorted(set(sizes) | referenced_hashes(conn))]


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


# ---------------------------------------------------------------------------------------------
# The move


@dataclass
class Proof:
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Outcome:
    rows_copied: int = 0
    files_copied: int = 0
    bytes_copied: int = 0
    files_skipped: int = 0
    resumed: bool = False
    already_moved: bool = False  # the target held this installation: only the proof ran
    seconds: float = 0.0  # the copy (the proof's time is apart)
    proof_seconds: float = 0.0
    proof: Proof | None = None


def _no_bar(_desc: str, _total: int, _unit: str) -> Any:
    class _Nothing:
        def update(self, _n: int) -> None:
            pass

        def close(self) -> None:
            pass

    return _Nothing()


class Relocation:
    """One move: the configured installation (settings) to `target_url` and `store_url`."""

    def __init__(
        self,
        settings: Settings,
        target_url: str,
        store_url: str,
        *,
        batch_size: int = 1000,
        file_workers: int = 8,
        bar: BarFactory = _no_bar,
    ) -> None:
        if not store_url:
            raise RelocateError("say where the files go: --store s3://bucket/prefix or a folder")
        self.settings = settings
        self.target_url = target_url
        self.store_url = store_url
        self.batch_size = batch_size
        self.file_workers = max(1, file_workers)
        self.bar = bar
        if _same_database(settings.database_url, target_url):
            raise RelocateError(
                "the target database is the source database itself: give another database"
            )
        if settings.store_url:
            raise RelocateError(
                "this installation's files are already in "
                f"{settings.store_url}: the move reads the local store of the data directory"
            )
        self.source_files = SourceFiles(settings.store_dir)
        local_target = _local_store_path(store_url)
        if local_target is not None and local_target.resolve() == settings.store_dir.resolve():
            raise RelocateError(
                "the target store is the source store itself: give another folder or a bucket"
            )
        self.source = _source_engine(settings.database_url)
        self._stop_after = int(os.environ.get(STOP_AFTER, "0") or 0)
        self._batches = 0
        self._scratch: Path | None = None
        self._target: Engine | None = None
        self._store: Store | None = None

    # -- the two sides, opened on first use --------------------------------------------------

    @property
    def target(self) -> Engine:
        if self._target is None:
            self._target = make_engine(self.target_url)
        return self._target

    @property
    def store(self) -> Store:
        if self._store is None:
            # An S3 store spools each file in a scratch folder: a temporary one here, never the
            # source's data directory.
            self._scratch = Path(tempfile.mkdtemp(prefix="docsvc-migrate-"))
            self._store = open_store_url(
                self.store_url,
                self._scratch,
                self.settings.store_sse,
                self.settings.store_kms_key_id,
            )
        return self._store

    def close(self) -> None:
        self.source.dispose()
        if self._target is not None:
            self._target.dispose()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    # -- checks before anything is written ----------------------------------------------------

    def _check_source(self, conn: Connection) -> None:
        rev, head = _revision(conn), _head_revision()
        if rev is None:
            raise RelocateError(
                f"there is no docsvc database at {_safe(self.settings.database_url)}: "
                "set DOCSVC_DATA_DIR (or DOCSVC_DATABASE_URL) to the installation to move"
            )
        if rev != head:
            raise RelocateError(
                f"the source database is at schema revision {rev}, this docsvc expects {head}: "
                "run `docsvc init` on it first (the move only reads it)"
            )

    def plan(self) -> Plan:
        with self.source.connect() as conn, conn.begin():
            self._check_source(conn)
            tables = [(t.name, _count(conn, t)) for t in Base.metadata.sorted_tables]
            hashes = _hashes(conn)
        return Plan(tables, len(hashes), sum(s or 0 for _, s in hashes))

    def estimate(self, plan: Plan) -> float:
        """Seconds the move should take: the source's read rate measured on a sample of rows
        and files, plus the target's measured round trip for each batch and file (a query and
        an existence check: nothing written)."""
        started = time.perf_counter()
        sampled_rows = 0
        with self.source.connect() as conn, conn.begin():
            for table in Base.metadata.sorted_tables:
                for rows in _keyed_batches(conn, table, min(self.batch_size, 500)):
                    sampled_rows += len(rows)
                    break
            hashes = _hashes(conn)[:50]
        row_rate = sampled_rows / max(time.perf_counter() - started, 1e-6)
        started, read = time.perf_counter(), 0
        for sha, _ in hashes:
            path = self.source_files.path_for(sha)
            if path.is_file():
                with path.open("rb") as fh:
                    for chunk in iter(lambda: fh.read(READ_CHUNK), b""):
                        read += len(chunk)
        byte_rate = read / max(time.perf_counter() - started, 1e-6) if read else 100e6
        db_trip = store_trip = 0.0  # a local target's round trip is in the measured reads
        if sqlite_path(self.target_url) is None:
            with self.target.connect() as conn:
                conn.execute(text("SELECT 1"))  # connected once, as the copy is
                started = time.perf_counter()
                for _ in range(10):
                    conn.execute(text("SELECT 1"))
                db_trip = (time.perf_counter() - started) / 10
        if _local_store_path(self.store_url) is None:
            self.store.exists("0" * 64)  # the connection made once, as the copy makes it
            started = time.perf_counter()
            for i in range(1, 11):
                self.store.exists(f"{i:064x}")
            store_trip = (time.perf_counter() - started) / 10
        batches = sum(-(-n // self.batch_size) for _, n in plan.tables)
        # The copy: writes cost about what reads do again on the far side, and each file two
        # round trips (exists, put) spread over the file workers. The proof: every row read on
        # both sides again, and every file re-read from the target one at a time (docsvc
        # verify's fixity: its size, then its bytes).
        seconds = (
            2 * plan.rows / max(row_rate, 1.0)
            + 2 * plan.bytes / max(byte_rate, 1.0)
            + batches * 2 * db_trip
            + plan.files * 2 * store_trip / self.file_workers
            + 2 * plan.rows / max(row_rate, 1.0)
            + plan.bytes / max(byte_rate, 1.0)
            + plan.files * 2 * store_trip
        )
        return seconds

    def _reader(self) -> Engine | None:
        """The target opened for reading only (a dry run writes nothing, not even a new SQLite
        file); None when there is no target database yet."""
        path = sqlite_path(self.target_url)
        if path is None:
            return self.target
        return _source_engine(self.target_url) if path.exists() else None

    def describe_target(self) -> str:
        """What the target holds, in words, only reading it."""
        engine = self._reader()
        if engine is None:
            return "the target database does not exist yet: it will be made"
        try:
            with self.source.connect() as sconn, sconn.begin():
                me = _identity(sconn)
            marker, filled, ident = self._target_state(engine)
        finally:
            if engine is not self._target:
                engine.dispose()
        if marker is not None:
            if marker == me:
                return "the target holds part of this move: it will continue where it stopped"
            return "the target holds a move from another installation: it would be refused"
        if filled:
            if ident == me:
                return "the target already holds this installation: only the proof would run"
            return "the target holds another installation's records: it would be refused"
        return "the target database is empty"

    def _target_state(self, engine: Engine) -> tuple[str | None, dict[str, int], str]:
        """(the marker's source, the tables with rows and how many, the target's identity)."""
        with engine.connect() as conn:
            marker = _marker(conn)
            filled: dict[str, int] = {}
            if _revision(conn) is not None:
                for table in Base.metadata.sorted_tables:
                    if conn.execute(select(literal_one()).select_from(table).limit(1)).first():
                        filled[table.name] = _count(conn, table)
                ident = _identity(conn) if "audit_events" in filled else "empty"
            else:
                ident = "empty"
        return marker, filled, ident

    # -- the move itself --------------------------------------------------------------------

    def run(self, *, check_only: bool = False) -> Outcome:
        """Copy what is not yet on the target, then prove the copy. `check_only`: the proof."""
        outcome = Outcome()
        started = time.perf_counter()
        before = self._source_fingerprint()
        with self.source.connect() as sconn, sconn.begin():
            self._check_source(sconn)
            me = _identity(sconn)
        if check_only:
            reader = self._reader()
            try:
                moved = reader is not None and bool(self._target_state(reader)[1])
            finally:
                if reader is not None and reader is not self._target:
                    reader.dispose()
            if not moved:
                raise RelocateError("the target database holds nothing of this installation yet")
        else:
            marker, filled, ident = self._target_state(self.target)
            if marker is not None and marker != me:
                raise RelocateError(
                    "the target database holds a move begun from another installation: "
                    "give an empty database (or finish that move from where it began)"
                )
            if marker is None and filled:
                if ident != me:
                    shown = ", ".join(f"{n} in {t}" for t, n in list(filled.items())[:4])
                    raise RelocateError(
                        f"the target database already holds another installation's records "
                        f"({shown}): give an empty database"
                    )
                # This installation, moved before: the proof says whether it is still whole.
                check_only = outcome.already_moved = True
            else:
                outcome.resumed = marker is not None
        if not check_only:
            try:
                self.store.probe()
            except OSError as exc:
                raise RelocateError(
                    f"the target store {self.store_url} cannot take a write: {exc}"
                ) from exc
            upgrade(self.target)
            with self.target.begin() as conn:
                if not _has_marker(conn):
                    conn.execute(text(f"CREATE TABLE {MARKER} (source VARCHAR(100) NOT NULL)"))
                    conn.execute(text(f"INSERT INTO {MARKER} (source) VALUES (:s)"), {"s": me})
            self._copy_rows(outcome)
            self._copy_files(outcome)
        outcome.seconds = time.perf_counter() - started
        outcome.proof = self.prove(before)
        if outcome.proof.ok:
            with self.target.begin() as conn:
                if _has_marker(conn):
                    conn.execute(text(f"DROP TABLE {MARKER}"))
        outcome.proof_seconds = time.perf_counter() - started - outcome.seconds
        return outcome

    def _tick(self) -> None:
        """One batch committed: the tests' and benchmark's hard stop, as a power cut would."""
        self._batches += 1
        if self._stop_after and self._batches >= self._stop_after:
            os._exit(75)

    def _copy_rows(self, outcome: Outcome) -> None:
        with self.source.connect() as sconn, sconn.begin():
            totals = {t.name: _count(sconn, t) for t in Base.metadata.sorted_tables}
            with self.target.connect() as tconn:
                done = {t.name: _count(tconn, t) for t in Base.metadata.sorted_tables}
            bar = self.bar("rows", sum(totals.values()), "row")
            bar.update(sum(min(done[t], totals[t]) for t in totals))
            for table in Base.metadata.sorted_tables:
                if done[table.name] >= totals[table.name] and not _self_refs(table):
                    continue
                outcome.rows_copied += self._copy_table(sconn, table, bar)
            bar.close()
            if self.target.dialect.name == "postgresql":
                with self.target.begin() as tconn:
                    _reset_sequences(tconn)

    def _copy_table(self, sconn: Connection, table: Table, bar: Any) -> int:
        pk = _pk(table)
        after: Any = None
        existing: set[tuple[Any, ...]] | None = None
        with self.target.connect() as tconn:
            if _integer_key(table):
                after = tconn.execute(select(func.max(pk[0]))).scalar()
            else:  # text keys sort differently per engine: skip what is there, by key
                existing = {tuple(r) for r in tconn.execute(select(*pk))}
        refs = _self_refs(table)
        copied = 0
        for rows in _keyed_batches(sconn, table, self.batch_size, after):
            values = [dict(r._mapping) for r in rows]
            if existing is not None:
                values = [v for v in values if tuple(v[c.name] for c in pk) not in existing]
            if refs:  # a row naming a later row of its own table: set once that row is there
                for v in values:
                    for col in refs:
                        if v[col] is not None and v[col] > v[pk[0].name]:
                            v[col] = None
            if values:
                with self.target.begin() as tconn:
                    tconn.execute(table.insert(), values)
                copied += len(values)
                self._tick()
            bar.update(len(rows))
        if refs:
            self._forward_refs(sconn, table, refs)
        return copied

    def _forward_refs(self, sconn: Connection, table: Table, refs: list[str]) -> None:
        key = _pk(table)[0]
        with self.target.begin() as tconn:
            for col in refs:
                c = table.c[col]
                for ident, value in sconn.execute(select(key, c).where(c > key)):
                    tconn.execute(table.update().where(key == ident).values({col: value}))

    def _copy_files(self, outcome: Outcome) -> None:
        with self.source.connect() as sconn, sconn.begin():
            hashes = _hashes(sconn)
        bar = self.bar("files", sum(s or 0 for _, s in hashes), "B")
        store = self.store

        def one(item: tuple[str, int | None]) -> tuple[int, int, str | None]:
            sha, size = item
            if store.exists(sha):
                return 0, size or 0, None
            path = self.source_files.path_for(sha)
            if not path.is_file():
                return 0, 0, f"file {sha} is missing from the source store"
            with path.open("rb") as fh:
                stored = store.put_stream(fh)
            if stored.sha256 != sha:
                return 1, stored.size, f"file {sha} in the source store is damaged"
            return 1, stored.size, None

        problems: list[str] = []
        with ThreadPoolExecutor(self.file_workers) as pool:
            for start in range(0, len(hashes), FILE_BATCH):
                chunk = hashes[start : start + FILE_BATCH]
                for copied, size, problem in pool.map(one, chunk):
                    outcome.files_copied += copied
                    outcome.files_skipped += 1 - copied if problem is None else 0
                    outcome.bytes_copied += size if copied else 0
                    bar.update(size)
                    if problem:
                        problems.append(problem)
                self._tick()
        bar.close()
        if problems:
            raise RelocateError(
                f"{len(problems)} file(s) could not be copied; first: {problems[0]}. "
                "Run `docsvc verify` on the source"
            )

    # -- the proof ----------------------------------------------------------------------------

    def _source_fingerprint(self) -> tuple[Any, ...]:
        path = sqlite_path(self.settings.database_url)
        db: Any = None
        if path is not None and path.exists():
            st = path.stat()
            db = (st.st_size, st.st_mtime_ns)
        return db, self.source_files.listing()

    def prove(self, before: tuple[Any, ...]) -> Proof:
        proof = Proof()
        bar = self.bar("proof: tables", len(Base.metadata.sorted_tables), "table")
        mismatched = []
        rows = 0
        with self.source.connect() as sconn, sconn.begin(), self.target.connect() as tconn:
            for table in Base.metadata.sorted_tables:
                a = table_digest(sconn, table)
                b = table_digest(tconn, table)
                rows += a.rows
                if a != b:
                    what = (
                        f"{a.rows} rows in the source, {b.rows} in the target"
                        if a.rows != b.rows
                        else "the same number of rows, different content"
                    )
                    mismatched.append(f"table {table.name}: {what}")
                bar.update(1)
            tconn.rollback()
        bar.close()
        proof.problems.extend(mismatched)
        tables = len(Base.metadata.sorted_tables)
        proof.lines.append(
            f"tables: {tables - len(mismatched)} of {tables} equal in rows and content "
            f"({rows} rows)"
        )
        proof.problems.extend(self._search_probes(proof))
        report = self._verify_target()
        files = [p for p in report.problems if "file" in p.split(":")[0]]
        audit = [p for p in report.problems if "audit" in p]
        search = [p for p in report.problems if p.startswith("search index")]
        proof.lines.append(
            f"files: {report.files_checked} re-read from {self.store_url}, "
            + ("every hash equal" if not files else f"{len(files)} problem(s)")
        )
        proof.lines.append(
            "audit chain: verifies on the target" if not audit else "audit chain: BROKEN"
        )
        proof.lines.append(
            "search index: every record indexed on the target"
            if not search
            else f"search index: {len(search)} problem(s)"
        )
        proof.lines.append(
            "docsvc verify on the target: "
            + ("clean" if report.ok else f"{len(report.problems)} problem(s)")
        )
        proof.problems.extend(report.problems)
        after = self._source_fingerprint()
        if after != before:
            proof.problems.append(
                "the source changed while it was copied (is the service still running? stop "
                "every node and run the move again: it continues where it is)"
            )
        proof.lines.append(
            "source: unchanged" if after == before else "source: CHANGED during the move"
        )
        return proof

    def _verify_target(self) -> VerifyReport:
        database = Database(self.target_url, KeySource.of(self.settings))
        try:
            with database.read_session() as session:
                return verify(session, self.store)
        finally:
            database.dispose()

    def _search_probes(self, proof: Proof) -> list[str]:
        """Queries run on both sides: each sampled case's number finds that case on both.
        The same engine on both sides: the very same hits."""
        from docsvc.search.query import Filters, search

        cases = Base.metadata.tables["cases"]
        with self.source.connect() as sconn, sconn.begin():
            numbers = [
                n for (n,) in sconn.execute(select(cases.c.case_number).order_by(cases.c.id))
            ]
        step = max(1, len(numbers) // 20)
        sample = numbers[::step][:20]
        same_engine = self.source.dialect.name == self.target.dialect.name
        problems = []
        filters = Filters(include_restricted=True)

        def hits(conn: Connection, q: str) -> tuple[list[tuple[str, int]], set[str]]:
            with Session(bind=conn) as s:
                r = search(s, q, filters)
                return [(h.kind, h.ref_id) for h in r.hits], {h.case_number for h in r.hits}

        with self.source.connect() as sconn, sconn.begin(), self.target.connect() as tconn:
            for number in sample:
                src, src_cases = hits(sconn, number)
                dst, dst_cases = hits(tconn, number)
                if same_engine and src != dst:
                    problems.append(f"search: '{number}' finds other records on the target")
                elif (number in src_cases) != (number in dst_cases):
                    problems.append(f"search: '{number}' finds its case on one side only")
            tconn.rollback()
        proof.lines.append(
            f"search: {len(sample) - len(problems)} of {len(sample)} sample queries agree"
            + (" (same hits)" if same_engine else " (each finds its case on both engines)")
        )
        return problems


def literal_one() -> Any:
    from sqlalchemy import literal

    return literal(1)


def _self_refs(table: Table) -> list[str]:
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _reset_sequences(conn: Connection) -> None:
    """Each serial column's sequence past the highest id copied (rows came with their ids)."""
    for table in Base.metadata.sorted_tables:
        if not _integer_key(table):
            continue
        col = _pk(table)[0].name
        seq = conn.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": col}
        ).scalar()
        if seq is None:
            continue
        conn.execute(
            text(
                f"SELECT setval(CAST(:seq AS regclass), "
                f"COALESCE((SELECT max({col}) FROM {table.name}), 0) + 1, false)"
            ),
            {"seq": seq},
        )


def _local_store_path(url: str) -> Path | None:
    from urllib.parse import urlparse

    parsed = urlparse(url)
    if parsed.scheme in ("", "file"):
        return Path(parsed.path).expanduser()
    return None


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def safe_url(url: str) -> str:
    """A database address with its password hidden (for what is printed)."""
    return _safe(url)


@contextmanager
def relocation(
    settings: Settings, target_url: str, store_url: str, **kw: Any
) -> Iterator[Relocation]:
    r = Relocation(settings, target_url, store_url, **kw)
    try:
        yield r
    finally:
        r.close()


__all__ = ["Plan", "Proof", "RelocateError", "Relocation", "relocation", "safe_url"]
