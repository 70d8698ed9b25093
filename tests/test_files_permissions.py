"""The data directory is its owner's alone: made private (umask 077, explicit modes), loose
modes of an existing installation tightened at start, and what is still loose said in words."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from docsvc.app import create_app
from docsvc.config import Settings, load_settings
from docsvc.store import FileStore
from docsvc.store.modes import loose_permissions, sqlite_path, tighten


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def loose_umask():
    """The umask of a shell that did not think about it, restored afterwards."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_stored_files_and_their_folders_are_the_owners_alone(tmp_path, loose_umask) -> None:
    store = FileStore(tmp_path / "store")
    stored = store.put_bytes(b"complainant's letter")
    staged = store.stage_stream(__import__("io").BytesIO(b"an upload being checked"))
    assert _mode(staged.path) == 0o600
    staged.commit()
    assert _mode(store.path_for(stored.sha256)) == 0o400
    folders = [p for p in (tmp_path / "store").rglob("*") if p.is_dir()]
    assert len(folders) >= 6  # objects, tmp, and two levels of fan-out per file
    assert {_mode(p) for p in [tmp_path / "store", *folders]} == {0o700}
    assert loose_permissions(tmp_path) == []
    assert store.erase(stored.sha256)  # read-only for its owner, still erasable


def test_load_settings_sets_the_umask_and_makes_the_data_dir_private(
    tmp_path, loose_umask, monkeypatch
) -> None:
    monkeypatch.delenv("DOCSVC_SECRET_KEY", raising=False)
    data = tmp_path / "new" / "data"
    settings = load_settings(data_dir=data)
    assert os.umask(0o077) == 0o077  # read back: set by load_settings
    assert _mode(data) == 0o700
    assert _mode(data / "secret_key") == 0o600
    assert settings.secret_key == (data / "secret_key").read_text()


def test_a_new_installation_is_private_throughout(tmp_path) -> None:
    """`docsvc init` in its own process, from a shell with the usual umask 022: the database
    (and its -wal/-shm), the keys and the store come out with nothing for other users."""
    data = tmp_path / "fresh"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSVC_")}
    env["DOCSVC_DATA_DIR"] = str(data)
    code = "import os, sys; os.umask(0o022); from docsvc.cli import main; sys.exit(main())"
    proc = subprocess.run(
        [sys.executable, "-c", code, "init"], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert _mode(data) == 0o700
    database = data / "docsvc.sqlite3"
    assert _mode(database) == 0o600
    files = [p for p in data.rglob("*") if p.is_file()]
    assert files and {_mode(p) & 0o077 for p in files} == {0}, {
        str(p): oct(_mode(p)) for p in files
    }
    assert loose_permissions(data) == []


def _loosen(data: Path) -> dict[str, Path]:
    """An installation made by an older version (or a careless copy)."""
    store = FileStore(data / "store")
    stored = [store.put_bytes(f"upload {n}".encode()) for n in range(3)]
    paths = {
        "data": data,
        "db": data / "docsvc.sqlite3",
        "wal": data / "docsvc.sqlite3-wal",
        "secret": data / "secret_key",
        "object": store.path_for(stored[0].sha256),
    }
    for name in ("db", "wal", "secret"):
        paths[name].write_bytes(b"x")
    os.chmod(data, 0o755)
    for name in ("db", "wal", "secret"):
        os.chmod(paths[name], 0o644)
    for s in stored:
        os.chmod(store.path_for(s.sha256), 0o444)
    os.chmod(store.objects, 0o755)
    return paths


def test_loose_permissions_says_each_problem_and_how_to_fix_it(tmp_path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    p = _loosen(data)
    problems = loose_permissions(data)
    assert problems == [
        f"the data directory {data} is readable by other users (mode 0755); run chmod 700 {data}",
        f"the database file {p['db']} is readable by other users (mode 0644); "
        f"run chmod 600 {p['db']}",
        f"the database's write-ahead log {p['wal']} is readable by other users (mode 0644); "
        f"run chmod 600 {p['wal']}",
        f"the session signing key {p['secret']} is readable by other users (mode 0644); "
        f"run chmod 600 {p['secret']}",
        problems[4],
    ]
    store = data / "store"
    assert problems[4].startswith(
        f"the file store {store} has 3 stored files and 1 folder readable by other users "
        "(for example "
    )
    assert problems[4].endswith(f"mode 0444); run chmod -R go= {store}")
    # Each command it gives fixes what it names.
    for line in problems:
        command = line.rsplit("; run ", 1)[1].split()
        subprocess.run(command, check=True)
    assert loose_permissions(data) == []


def test_a_group_writable_file_is_named_as_such(tmp_path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "audit_keys").write_text("k")
    os.chmod(data / "audit_keys", 0o620)
    assert loose_permissions(data) == [
        f"the audit signing keys {data / 'audit_keys'} is writable by its group (mode 0620); "
        f"run chmod 600 {data / 'audit_keys'}"
    ]


def test_a_database_outside_the_data_dir_is_checked_too(tmp_path) -> None:
    data, elsewhere = tmp_path / "data", tmp_path / "db"
    data.mkdir(mode=0o700)
    elsewhere.mkdir()
    database = elsewhere / "cases.sqlite3"
    database.write_bytes(b"x")
    Path(f"{database}-shm").write_bytes(b"x")
    os.chmod(database, 0o640)
    os.chmod(f"{database}-shm", 0o644)
    assert sqlite_path(f"sqlite:///{database}") == database
    assert sqlite_path("postgresql+psycopg://u@h/db") is None
    problems = loose_permissions(data, database)
    assert [line.split(" /")[0] for line in problems] == [
        "the database file",
        "the database's shared-memory index",
    ]
    assert "readable by its group (mode 0640)" in problems[0]


def test_starting_the_app_tightens_an_existing_installation(tmp_path, caplog) -> None:
    data = tmp_path / "data"
    data.mkdir()
    p = _loosen(data)
    settings = Settings(
        data_dir=data, database_url=f"sqlite:///{p['db']}", secret_key="s" * 32, testing=True
    )
    assert tighten(tmp_path / "missing") == []
    app = create_app(settings)
    app.extensions["docsvc.db"].dispose()
    assert _mode(data) == 0o700
    assert {_mode(p[n]) for n in ("db", "wal", "secret")} == {0o600}
    assert _mode(data / "store" / "objects") == 0o700
    made = [r.getMessage() for r in caplog.records if r.getMessage().startswith("made ")]
    assert f"made the data directory {data} private: mode 0700 was 0755" in made
    # Stored files are left to `docsvc verify`: the private data directory keeps others out.
    assert _mode(p["object"]) == 0o444
    [left] = loose_permissions(data)
    assert left.startswith(f"the file store {data / 'store'} has 3 stored files readable")


def test_verify_names_what_other_users_could_read(settings, database, run_cli) -> None:
    """`docsvc verify` reports a loose data directory and database file in words, with the
    fix, and exits 1; tightened again, it is clean."""
    assert run_cli("verify").exit_code == 0
    os.chmod(settings.data_dir, 0o755)
    db_file = sqlite_path(settings.database_url)
    if db_file is not None:
        os.chmod(db_file, 0o644)
    result = run_cli("verify")
    assert result.exit_code == 1
    assert (
        f"the data directory {settings.data_dir} is readable by other users (mode 0755); "
        f"run chmod 700 {settings.data_dir}"
    ) in result.output
    if db_file is not None:
        assert f"{db_file} is readable by other users (mode 0644)" in result.output
        os.chmod(db_file, 0o600)
    os.chmod(settings.data_dir, 0o700)
    assert run_cli("verify").exit_code == 0
