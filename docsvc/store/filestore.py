"""The content-addressed file store: what every backend guarantees, and the local disk's.

A Store (this module's FileStore, or store/s3.py's S3Store) names files by their SHA-256 and
never by anything a user supplied, writes each once, and re-hashes on every read. Uploads are
spooled to the node's own scratch folder (`tmp`) while they are hashed and inspected, then
committed to the backend whole or not at all; the database's `blobs` rows are the source of
truth for what is kept (`docsvc verify` reports the rest).

The local backend:

Files are named by their SHA-256 and never by anything a user supplied. A write goes to a
temporary file in the same file system, is fsynced, then renamed into place and the folder
fsynced: a crash leaves either the whole file or nothing at its final name. Identical content
is stored once. Reads re-hash and refuse bytes that no longer match their name.

Everything it makes is its owner's alone (folders 0700, files 0400): stored files hold
complainants' names and evidence. A write the disk refuses (full, read-only) raises
StorageError, which names the errno and the path, so it can be said in words.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

CHUNK = MB = 1024 * 1024
_SHA = re.compile(r"^[0-9a-f]{64}$")
DIR_MODE = 0o700
FILE_MODE = 0o400  # stored files never change: read-only, and for the owner alone
FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
READ_ONLY = frozenset({errno.EROFS, errno.EACCES, errno.EPERM})
log = logging.getLogger("docsvc.store")


UNREACHABLE = frozenset({errno.EIO, errno.ECONNREFUSED, errno.ETIMEDOUT, errno.EHOSTUNREACH})


class StorageError(OSError):
    """The store refused a write: full (`full`), not writable (`read_only`), or an object
    store that did not answer or refused the request (`unreachable`). Still an OSError
    (errno, strerror, filename), so nothing that catches those changes."""

    def __init__(self, code: int, path: Path | str, detail: str = "") -> None:
        super().__init__(code, os.strerror(code), str(path))
        self.path = Path(path)
        self.detail = detail

    @property
    def full(self) -> bool:
        return self.errno in FULL

    @property
    def read_only(self) -> bool:
        return self.errno in READ_ONLY

    @property
    def unreachable(self) -> bool:
        return self.errno in UNREACHABLE

    def where(self) -> str:
        """For the log: errno's name, the path, its mount point and the space left there (for
        an object store, what it answered)."""
        name = errno.errorcode.get(self.errno or 0, self.errno)
        if self.detail:
            return f"{name} on {self.filename}: {self.detail}"
        return f"{name} on {self.path} ({disk(self.path)})"


def disk(path: Path) -> str:
    """The mount point `path` is on and its free space, in words (for logs)."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    mount = existing.resolve()
    while not os.path.ismount(mount) and mount != mount.parent:
        mount = mount.parent
    try:
        st = os.statvfs(mount)
    except OSError:
        return f"mounted at {mount}"
    free, size = st.f_bavail * st.f_frsize / MB, st.f_blocks * st.f_frsize / MB
    return f"mounted at {mount}, {free:.1f} MB free of {size:.1f} MB"


@contextmanager
def storing(path: Path) -> Iterator[None]:
    """Writes to `path` (or below it) whose failure is the disk's become StorageError."""
    try:
        yield
    except StorageError:
        raise
    except OSError as exc:
        if exc.errno in FULL or exc.errno in READ_ONLY:
            raise StorageError(exc.errno, exc.filename or path) from exc
        raise


def private_dir(path: Path) -> None:
    """Make `path` and any missing parents 0700 (mkdir(parents=True) gives the parents the
    umask's mode), and take group and other bits off it if it already existed."""
    missing = []
    walk = path
    while not walk.exists():
        missing.append(walk)
        walk = walk.parent
    for folder in reversed(missing):
        folder.mkdir(mode=DIR_MODE, exist_ok=True)
    if path.stat().st_mode & 0o077:
        try:
            os.chmod(path, DIR_MODE)
        except OSError as exc:  # not ours, or a read-only mount: `docsvc verify` says so
            log.warning("could not make %s private (%s)", path, exc.strerror)


class IntegrityError(Exception):
    """A stored file's bytes no longer hash to its name, or it is missing."""


class TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def check_hash(sha256: str) -> str:
    if not _SHA.match(sha256):
        raise ValueError("not a SHA-256 hex digest")
    return sha256


def object_name(sha256: str) -> str:
    """A stored file's name under the store's `objects` folder or prefix, the same on every
    backend: two levels of fan-out, then the hash (checked to be one before it names anything)."""
    check_hash(sha256)
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


class VerifyingReader(io.RawIOBase):
    """A stored file read as a stream, hashed as it goes: the last read raises IntegrityError
    when the bytes were not the ones named, so a caller streaming them out (a download, a
    copy) never finishes on a corrupt file, and nothing is held in memory."""

    def __init__(self, raw: BinaryIO, sha256: str) -> None:
        self._raw = raw
        self._sha256 = sha256
        self._digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        if not data:
            if self._digest.hexdigest() != self._sha256:
                raise IntegrityError(f"stored file {self._sha256[:12]}… no longer matches its hash")
            return 0
        self._digest.update(data)
        n = len(data)
        buffer[:n] = data
        return n

    def readall(self) -> bytes:
        parts = []
        while chunk := self._raw.read(CHUNK):
            self._digest.update(chunk)
            parts.append(chunk)
        self.readinto(bytearray(1))  # at the end: checks the hash
        return b"".join(parts)

    def close(self) -> None:
        self._raw.close()
        super().close()


class Spooling:
    """What both backends share: the node's scratch folder, where a write is spooled and
    hashed before it is committed (the content's name is known only once it is all read)."""

    tmp: Path

    def put_bytes(self, data: bytes) -> StoredFile:
        return self._commit_temp(*self._write_temp(iter([data]), limit=None))

    def put_stream(self, stream: BinaryIO, limit: int | None = None) -> StoredFile:
        """Store a stream; raises TooLarge (and keeps nothing) past `limit` bytes."""
        return self._commit_temp(*self._write_temp(iter(lambda: stream.read(CHUNK), b""), limit))

    def stage_stream(self, stream: BinaryIO, limit: int | None = None) -> StagedFile:
        """Spool a stream to a temporary file to inspect before deciding to keep it."""
        tmp_path, digest, size = self._write_temp(iter(lambda: stream.read(CHUNK), b""), limit)
        return StagedFile(self, tmp_path, digest, size)

    def _write_temp(self, chunks: Iterator[bytes], limit: int | None) -> tuple[Path, str, int]:
        with storing(self.tmp):
            return self._spool(chunks, limit)

    def _spool(self, chunks: Iterator[bytes], limit: int | None) -> tuple[Path, str, int]:
        digest = hashlib.sha256()
        size = 0
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="incoming-")  # 0600
        tmp_path = Path(name)
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    size += len(chunk)
                    if limit is not None and size > limit:
                        raise TooLarge(limit)
                    digest.update(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            tmp_path.unlink(missing_ok=True)
            raise
        return tmp_path, digest.hexdigest(), size

    def _commit_temp(self, tmp_path: Path, sha256: str, size: int) -> StoredFile:
        raise NotImplementedError

    def open_verified(self, sha256: str) -> bytes:
        """The stored bytes, after checking they still hash to their name (small files: a
        stream, `open_stream`, for anything that may be large)."""
        with self.open_stream(sha256) as fh:
            return fh.read()

    def open_stream(self, sha256: str) -> contextlib.AbstractContextManager[BinaryIO]:
        raise NotImplementedError

    def clean_temp(self) -> int:
        """Remove temporary files left by interrupted writes; they were never referenced."""
        count = 0
        for path in self.tmp.glob("incoming-*"):
            path.unlink(missing_ok=True)
            count += 1
        return count


class FileStore(Spooling):
    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.tmp = root / "tmp"
        for folder in (root, self.objects, self.tmp):
            private_dir(folder)

    def describe(self) -> str:
        return f"the local store at {self.root}"

    # How erasure destroys a file, in the words of the certificate of destruction.
    erasure = "overwritten and deleted"
    # How many files `docsvc verify` reads at once: a disk, one.
    parallel_reads = 1

    def path_for(self, sha256: str) -> Path:
        return self.objects / object_name(sha256)

    def local_path(self, sha256: str) -> Path:
        """A local file holding the stored bytes: here, the stored file itself (read it,
        never write it). The caller has read it through `open_verified` or will re-check."""
        return self.path_for(sha256)

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def size_of(self, sha256: str) -> int | None:
        try:
            return self.path_for(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def stored_at(self, sha256: str) -> datetime | None:
        try:
            return datetime.fromtimestamp(self.path_for(sha256).stat().st_mtime, UTC)
        except FileNotFoundError:
            return None

    def probe(self) -> None:
        """Write, sync and remove a tiny file: raises StorageError when the store cannot take
        a write (readiness)."""
        with storing(self.tmp):
            fd, name = tempfile.mkstemp(dir=self.tmp, prefix="incoming-probe-")
            try:
                os.write(fd, b"ok")
                os.fsync(fd)
            finally:
                os.close(fd)
                os.unlink(name)

    def _commit_temp(self, tmp_path: Path, sha256: str, size: int) -> StoredFile:
        final = self.path_for(sha256)
        if final.is_file():
            tmp_path.unlink(missing_ok=True)  # same content already stored once
            return StoredFile(sha256, size)
        try:
            with storing(final):
                private_dir(final.parent)
                os.chmod(tmp_path, FILE_MODE)
                os.replace(tmp_path, final)
                _fsync_dir(final.parent)
        except BaseException:
            tmp_path.unlink(missing_ok=True)  # never referenced: nothing half-kept
            raise
        return StoredFile(sha256, size)

    @contextmanager
    def open_stream(self, sha256: str) -> Iterator[BinaryIO]:
        try:
            raw = self.path_for(sha256).open("rb")
        except FileNotFoundError as exc:
            raise IntegrityError(f"stored file {sha256[:12]}… is missing") from exc
        with io.BufferedReader(VerifyingReader(raw, sha256), CHUNK) as fh:
            yield cast(BinaryIO, fh)

    def rehash(self, sha256: str) -> str | None:
        """The file's current hash, streamed (None if missing): the fixity check."""
        path = self.path_for(sha256)
        if not path.is_file():
            return None
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def erase(self, sha256: str) -> int:
        """Destroy a stored file: its bytes overwritten with zeros, then unlinked (so a copy of
        the directory taken later does not hold them). How many copies were destroyed: 1, or 0
        if it was already gone (a disk keeps no versions)."""
        path = self.path_for(sha256)
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return 0
        with storing(path):
            os.chmod(path, 0o600)
            with path.open("r+b") as fh:
                left = size
                while left > 0:
                    n = min(left, CHUNK)
                    fh.write(b"\0" * n)
                    left -= n
                fh.flush()
                os.fsync(fh.fileno())
            path.unlink()
            _fsync_dir(path.parent)
        return 1

    def all_hashes(self) -> Iterator[str]:
        for path in self.objects.glob("*/*/*"):
            if _SHA.match(path.name):
                yield path.name


class StagedFile:
    """An upload spooled to disk, hashed, not yet in the store."""

    def __init__(self, store: Spooling, path: Path, sha256: str, size: int) -> None:
        self.store = store
        self.path = path
        self.sha256 = sha256
        self.size = size

    def read_head(self, n: int = 8192) -> bytes:
        with self.path.open("rb") as fh:
            return fh.read(n)

    def commit(self) -> StoredFile:
        return self.store._commit_temp(self.path, self.sha256, self.size)

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)
