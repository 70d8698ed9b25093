"""Who may read the data directory: its owner alone.

It holds the database (complainants' names, password and token hashes), the keys and the
stored files. `loose_permissions` says in words what another local user could read (for
`docsvc verify`); `tighten` takes group and other bits off the data directory, the keys and
the database at start, where that is cheap (a handful of paths, not every stored file).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger("docsvc.store")

GROUP_OTHER = 0o077
# Top-level files of the data directory, in words; any other file there is "the file".
_NAMED = {
    "secret_key": "the session signing key",
    "audit_keys": "the audit signing keys",
    "audit_key": "the audit signing key",
}
_DB_SUFFIXES = {
    "": "the database file",
    "-wal": "the database's write-ahead log",
    "-shm": "the database's shared-memory index",
    "-journal": "the database's rollback journal",
}


def sqlite_path(database_url: str) -> Path | None:
    """The SQLite database file a URL names (None for a server database or memory)."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database:
        return None
    if url.database == ":memory:":
        return None
    return Path(url.database)


def _exposure(mode: int) -> str:
    """'readable by other users', 'writable by its group', ... for mode's loosest bits."""
    if mode & 0o007:
        who, bits = "other users", mode & 0o007
    else:
        who, bits = "its group", (mode & 0o070) >> 3
    what = [word for bit, word in ((4, "readable"), (2, "writable")) if bits & bit]
    return f"{' and '.join(what)} by {who}" if what else f"open to {who}"


def _describe(path: Path, data_dir: Path, database: Path | None) -> str:
    if path == data_dir:
        return "the data directory"
    for suffix, words in _DB_SUFFIXES.items():
        if database is not None and path == Path(f"{database}{suffix}"):
            return words
    if path.parent == data_dir:
        if path.name in _NAMED:
            return _NAMED[path.name]
        for suffix, words in _DB_SUFFIXES.items():
            if path.name.endswith((f".sqlite3{suffix}", f".sqlite{suffix}", f".db{suffix}")):
                return words
    return "the file" if path.is_file() else "the folder"


def _top_level(data_dir: Path, database: Path | None) -> list[Path]:
    """The data directory, its own files, and the database's files wherever they are."""
    paths = [data_dir]
    paths += sorted(p for p in data_dir.iterdir() if p.is_file() and not p.is_symlink())
    if database is not None:
        paths += [Path(f"{database}{s}") for s in _DB_SUFFIXES if Path(f"{database}{s}").exists()]
    return list(dict.fromkeys(paths))  # once each, when the database is in the data directory


def loose_permissions(data_dir: Path, database: Path | None = None) -> list[str]:
    """Each place under `data_dir` another local user could read or change, as a sentence
    with the command that fixes it: the data directory, its files (database, its -wal and
    -shm, keys), and the file store (every stored file and folder, counted in one line).
    `database`: the SQLite file when it is outside the data directory."""
    if not data_dir.is_dir():
        return []
    problems = []
    for path in _top_level(data_dir, database):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue  # gone meanwhile (a -wal at checkpoint)
        if mode & GROUP_OTHER:
            fix = "700" if path.is_dir() else "600"
            problems.append(
                f"{_describe(path, data_dir, database)} {path} is {_exposure(mode)} "
                f"(mode {mode:04o}); run chmod {fix} {path}"
            )
    store = data_dir / "store"
    if store.is_dir():
        problems += _store_problems(store)
    return problems


def _store_problems(store: Path) -> list[str]:
    """One pass over the store: stored files and folders others may read, counted."""
    files = folders = 0
    example: tuple[Path, int] | None = None
    for folder, dirnames, filenames in os.walk(store):
        for name in (*dirnames, *filenames):
            path = Path(folder, name)
            try:
                st = path.lstat()
            except OSError:
                continue
            mode = stat.S_IMODE(st.st_mode)
            if not mode & GROUP_OTHER or stat.S_ISLNK(st.st_mode):
                continue
            if stat.S_ISDIR(st.st_mode):
                folders += 1
            else:
                files += 1
            if example is None or (stat.S_ISREG(st.st_mode) and example[0].is_dir()):
                example = (path, mode)
    root_mode = stat.S_IMODE(store.stat().st_mode)
    if root_mode & GROUP_OTHER:
        folders += 1
        example = example or (store, root_mode)
    if example is None:
        return []
    counted = " and ".join(
        f"{n} {word}{'' if n == 1 else 's'}"
        for n, word in ((files, "stored file"), (folders, "folder"))
        if n
    )
    path, mode = example
    return [
        f"the file store {store} has {counted} {_exposure(mode)} "
        f"(for example {path}, mode {mode:04o}); run chmod -R go= {store}"
    ]


def tighten(data_dir: Path, database: Path | None = None) -> list[str]:
    """Take group and other bits off the data directory, its own files (keys, database) and
    the database's files at start; returns what changed, each logged once as a warning.
    Stored files are left to `docsvc verify` (there may be millions); a private data directory
    already keeps other users out of them."""
    changed: list[str] = []
    if not data_dir.is_dir():
        return changed
    for path in _top_level(data_dir, database):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
            if not mode & GROUP_OTHER:
                continue
            os.chmod(path, mode & ~GROUP_OTHER)
        except OSError as exc:  # not ours, or read-only: verify keeps reporting it
            log.warning("could not make %s private (%s)", path, exc.strerror)
            continue
        what = f"{_describe(path, data_dir, database)} {path}"
        log.warning("made %s private: mode %04o was %04o", what, mode & ~GROUP_OTHER, mode)
        changed.append(what)
    return changed
