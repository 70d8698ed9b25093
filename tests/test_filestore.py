"""The content-addressed store: atomic, deduplicated, verified on read."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from docsvc.store import FileStore, IntegrityError
from docsvc.store.filestore import TooLarge


def test_stores_by_hash_once(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    a = store.put_bytes(b"same bytes")
    b = store.put_stream(io.BytesIO(b"same bytes"))
    assert a.sha256 == b.sha256 == hashlib.sha256(b"same bytes").hexdigest()
    assert list(store.all_hashes()) == [a.sha256]
    assert store.open_verified(a.sha256) == b"same bytes"
    assert not any(store.tmp.iterdir())


def test_a_changed_byte_is_refused_on_read(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    f = store.put_bytes(b"evidence photo bytes")
    os.chmod(store.path_for(f.sha256), 0o644)
    store.path_for(f.sha256).write_bytes(b"evidence photo byteZ")
    with pytest.raises(IntegrityError, match="no longer matches"):
        store.open_verified(f.sha256)
    assert store.rehash(f.sha256) != f.sha256


def test_too_large_keeps_nothing(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(TooLarge):
        store.put_stream(io.BytesIO(b"x" * 5000), limit=4096)
    assert list(store.all_hashes()) == []
    assert not any(store.tmp.iterdir())


def test_paths_come_only_from_hashes(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")


def test_leftover_temp_files_are_cleaned(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    (store.tmp / "incoming-abc").write_bytes(b"half a file")
    assert store.clean_temp() == 1
    assert not any(store.tmp.iterdir())
