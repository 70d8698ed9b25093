"""`docsvc migrate --to URL --store URL`: the demo city moved to another database and store,
proved whole, resumed after a hard stop, the source never written.

The source is always the embedded default (SQLite and the local store), built by
`docsvc demo --no-serve` once for the module; every move runs the real command in a
subprocess (a hard stop, os._exit, must not take pytest with it). SQLite to SQLite and folder
to folder run in every lane; PostgreSQL and S3 where the lane provides them.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from docsvc.bootstrap import initialize
from docsvc.config import Settings

DOCSVC = [str(Path(sys.executable).parent / "docsvc")]
PG_URL = os.environ.get("DOCSVC_TEST_DATABASE_URL", "")


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DOCSVC_DATABASE_URL", "DOCSVC_STORE_URL", "DOCSVC_AUDIT_KEY")
        and not k.startswith("DOCSVC_RELOCATE")
    }
    env.update(DOCSVC_DATA_DIR=str(data_dir), **extra)
    return env


def migrate(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DOCSVC, "migrate", *args],
        env=_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo installation's data directory (SQLite + local store)."""
    data = tmp_path_factory.mktemp("city") / "data"
    done = subprocess.run(
        [*DOCSVC, "demo", "--no-serve"], env=_env(data), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return data


def fingerprint(data: Path) -> tuple[str, list[tuple[str, str]]]:
    """The source database file's SHA-256 and every file under its store with its SHA-256."""
    db = hashlib.sha256((data / "docsvc.sqlite3").read_bytes()).hexdigest()
    store = data / "store"
    files = sorted(
        (str(p.relative_to(store)), hashlib.sha256(p.read_bytes()).hexdigest())
        for p in store.rglob("*")
        if p.is_file()
    )
    return db, files


def source_hashes(data: Path) -> set[str]:
    with sqlite3.connect(f"file:{data / 'docsvc.sqlite3'}?mode=ro", uri=True) as conn:
        return {r[0] for r in conn.execute("SELECT sha256 FROM blobs")}


def rows(url: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def test_dry_run_writes_nothing_and_says_what_would_move(source: Path, tmp_path: Path) -> None:
    before = fingerprint(source)
    target, store = tmp_path / "new.sqlite3", tmp_path / "store"
    done = migrate(source, "--to", f"sqlite:///{target}", "--store", str(store), "--dry-run")
    assert done.returncode == 0, done.stderr
    assert "cases" in done.stdout and "audit_events" in done.stdout
    assert "files" in done.stdout and "MB" in done.stdout and "about" in done.stdout
    assert "Nothing was written" in done.stdout
    assert not target.exists() and not store.exists()
    assert fingerprint(source) == before


@pytest.mark.slow
def test_sqlite_to_sqlite_and_folder_to_folder(source: Path, tmp_path: Path) -> None:
    before = fingerprint(source)
    target, store = tmp_path / "new.sqlite3", tmp_path / "store"
    url = f"sqlite:///{target}"
    done = migrate(source, "--to", url, "--store", str(store), "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "the proof holds" in done.stdout
    assert f"DOCSVC_DATABASE_URL={url}" in done.stdout
    assert f"DOCSVC_STORE_URL={store}" in done.stdout
    # Independently of the command's own proof: the records and every file are there.
    src = f"sqlite:///{source / 'docsvc.sqlite3'}"
    for table in ("cases", "audit_events", "search_entries", "users", "blobs"):
        sql = f"SELECT * FROM {table} ORDER BY 1"
        assert rows(url, sql) == rows(src, sql), table
    for sha in source_hashes(source):
        copied = store / "objects" / sha[:2] / sha[2:4] / sha
        assert hashlib.sha256(copied.read_bytes()).hexdigest() == sha
    assert rows(url, "SELECT name FROM sqlite_master WHERE name = 'docsvc_relocation'") == []
    assert fingerprint(source) == before

    # --check proves it again; a row changed on the target afterwards fails it, named.
    again = migrate(source, "--to", url, "--store", str(store), "--check")
    assert again.returncode == 0, again.stdout
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE users SET display_name = display_name || '!' WHERE id = 1")
    broken = migrate(source, "--to", url, "--store", str(store), "--check")
    assert broken.returncode == 1
    assert "table users: the same number of rows, different content" in broken.stdout
    # What to do about it, in words: a move run again adds, it never mends.
    assert "drop the target database" in broken.stdout
    assert fingerprint(source) == before


def test_an_interrupted_move_continues_where_it_stopped(source: Path, tmp_path: Path) -> None:
    before = fingerprint(source)
    target, store = tmp_path / "new.sqlite3", tmp_path / "store"
    url = f"sqlite:///{target}"
    args = ("--to", url, "--store", str(store), "--yes", "--batch-size", "5")
    stopped = migrate(source, *args, DOCSVC_RELOCATE_STOP_AFTER="4")
    assert stopped.returncode == 75, stopped.stdout + stopped.stderr  # the hard stop, mid-copy
    total = rows(f"sqlite:///{source / 'docsvc.sqlite3'}", "SELECT count(*) FROM audit_events")
    partial = rows(url, "SELECT count(*) FROM audit_events")
    assert 0 < partial[0][0] < total[0][0]  # part of a table, committed batch by batch
    assert rows(url, "SELECT count(*) FROM docsvc_relocation") == [(1,)]

    resumed = migrate(source, *args)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "(resumed)" in resumed.stdout and "the proof holds" in resumed.stdout
    assert rows(url, "SELECT count(*) FROM audit_events") == total
    assert fingerprint(source) == before


def test_a_target_holding_another_installation_is_refused(source: Path, tmp_path: Path) -> None:
    target, store = tmp_path / "new.sqlite3", tmp_path / "store"
    url = f"sqlite:///{target}"
    other = tmp_path / "other"
    initialize(Settings(data_dir=other, database_url=url, secret_key="o" * 32))
    before = rows(url, "SELECT count(*) FROM audit_events")
    done = migrate(source, "--to", url, "--store", str(store), "--yes")
    assert done.returncode == 1
    assert "already holds another installation's records" in done.stderr
    assert rows(url, "SELECT count(*) FROM audit_events") == before
    assert not (store / "objects").exists() or not any((store / "objects").iterdir())


def test_the_source_itself_is_refused(source: Path, tmp_path: Path) -> None:
    same = migrate(
        source,
        "--to",
        f"sqlite:///{source / 'docsvc.sqlite3'}",
        "--store",
        str(tmp_path / "s"),
        "--yes",
    )
    assert same.returncode == 1 and "is the source database itself" in same.stderr
    store = migrate(
        source, "--to", f"sqlite:///{tmp_path / 'n.sqlite3'}", "--store", str(source / "store")
    )
    assert store.returncode == 1 and "is the source store itself" in store.stderr


@pytest.fixture
def pg_target() -> Iterator[str]:
    """A fresh database on the lane's PostgreSQL server, dropped afterwards."""
    if not PG_URL:
        pytest.skip("no PostgreSQL server in this lane (DOCSVC_TEST_DATABASE_URL unset)")
    name = f"docsvc_reloc_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = PG_URL.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@pytest.mark.slow
def test_sqlite_and_folder_to_postgresql_and_s3_interrupted_and_resumed(
    source: Path, pg_target: str, s3_url: str
) -> None:
    before = fingerprint(source)
    args = ("--to", pg_target, "--store", s3_url, "--yes", "--batch-size", "5")
    stopped = migrate(source, *args, DOCSVC_RELOCATE_STOP_AFTER="6")
    assert stopped.returncode == 75, stopped.stdout + stopped.stderr
    resumed = migrate(source, *args)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "(resumed)" in resumed.stdout and "the proof holds" in resumed.stdout
    assert "every hash equal" in resumed.stdout and "audit chain: verifies" in resumed.stdout
    src = f"sqlite:///{source / 'docsvc.sqlite3'}"
    sql = "SELECT id, case_number, status FROM cases ORDER BY id"
    assert rows(pg_target, sql) == rows(src, sql)
    # The sequences follow the copied ids: the next row gets the next id, not 1.
    (top,) = rows(pg_target, "SELECT max(id) FROM users")[0]
    (nxt,) = rows(pg_target, "SELECT nextval(pg_get_serial_sequence('users', 'id'))")[0]
    assert nxt == top + 1

    from docsvc.store import open_store_url

    stored = open_store_url(s3_url, source.parent / "scratch")
    for sha in source_hashes(source):
        assert stored.rehash(sha) == sha
    check = migrate(source, "--to", pg_target, "--store", s3_url, "--check")
    assert check.returncode == 0, check.stdout
    assert fingerprint(source) == before
