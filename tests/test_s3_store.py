"""The store's guarantees, on both backends: the local disk, and an S3-compatible bucket on the
lane's S3 protocol server (moto's standalone server on loopback, started by scripts/test in the
PostgreSQL lane; the S3 cases skip where none runs). Written once, content-addressed, verified on
read, streamed, multipart, encrypted when asked, erased with every version."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import socket
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from docsvc.store import FileStore, IntegrityError, S3Store, StorageError, open_store_url
from docsvc.store import s3 as s3_module
from docsvc.store.filestore import TooLarge


@dataclass
class Backend:
    store: FileStore | S3Store
    overwrite: Callable[[str, bytes], None]  # change a stored file's bytes behind the store
    remove: Callable[[str], None]
    temp_files: Callable[[], list[Path]]


def _raw_client() -> object:
    import boto3

    return boto3.client("s3")


@pytest.fixture(params=["local", "s3"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "local":
        local = FileStore(tmp_path / "store")

        def overwrite(sha: str, data: bytes) -> None:
            path = local.path_for(sha)
            os.chmod(path, 0o600)
            path.write_bytes(data)

        yield Backend(
            local,
            overwrite,
            lambda sha: local.path_for(sha).unlink(),
            lambda: list(local.tmp.iterdir()),
        )
        return
    url = request.getfixturevalue("s3_url")
    remote = open_store_url(url, tmp_path / "data")
    assert isinstance(remote, S3Store)
    raw = _raw_client()

    def overwrite_s3(sha: str, data: bytes) -> None:
        raw.put_object(Bucket=remote.bucket, Key=remote.key(sha), Body=data)  # type: ignore[attr-defined]

    def remove_s3(sha: str) -> None:
        raw.delete_object(Bucket=remote.bucket, Key=remote.key(sha))  # type: ignore[attr-defined]

    yield Backend(remote, overwrite_s3, remove_s3, lambda: list(remote.tmp.iterdir()))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_written_once_under_its_hash_and_read_back_verified(backend: Backend) -> None:
    store = backend.store
    data = b"evidence photo \x00\xff bytes"
    first = store.put_bytes(data)
    again = store.put_stream(io.BytesIO(data))
    assert first.sha256 == again.sha256 == _sha(data) and first.size == len(data)
    assert list(store.all_hashes()) == [first.sha256]  # identical content kept once
    assert store.open_verified(first.sha256) == data
    with store.open_stream(first.sha256) as fh:
        assert fh.read(5) + fh.read() == data
    assert store.exists(first.sha256) and store.size_of(first.sha256) == len(data)
    assert store.rehash(first.sha256) == first.sha256
    assert backend.temp_files() == []  # nothing left on the node


def test_changed_bytes_are_refused_on_every_read(backend: Backend) -> None:
    store = backend.store
    f = store.put_bytes(b"the owner's letter")
    backend.overwrite(f.sha256, b"the owner's lettex")
    with pytest.raises(IntegrityError, match="no longer matches"):
        store.open_verified(f.sha256)
    with pytest.raises(IntegrityError), store.open_stream(f.sha256) as fh:
        while fh.read(4):  # a download streaming it out fails before it ends
            pass
    assert store.rehash(f.sha256) == _sha(b"the owner's lettex")


def test_a_missing_file_is_said_so(backend: Backend) -> None:
    store = backend.store
    f = store.put_bytes(b"a scan")
    backend.remove(f.sha256)
    with pytest.raises(IntegrityError, match="missing"):
        store.open_verified(f.sha256)
    assert store.rehash(f.sha256) is None and store.size_of(f.sha256) is None
    assert not store.exists(f.sha256)


def test_too_large_and_discarded_uploads_keep_nothing(backend: Backend) -> None:
    store = backend.store
    with pytest.raises(TooLarge):
        store.put_stream(io.BytesIO(b"x" * 5000), limit=4096)
    staged = store.stage_stream(io.BytesIO(b"an upload being checked"))
    assert staged.read_head(9) == b"an upload"
    staged.discard()
    assert list(store.all_hashes()) == [] and backend.temp_files() == []
    kept = store.stage_stream(io.BytesIO(b"an upload that passed")).commit()
    assert list(store.all_hashes()) == [kept.sha256] and backend.temp_files() == []


def test_a_large_file_streams_in_and_out_in_bounded_memory(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Multipart on S3 (5 MiB parts, S3's smallest): 23 MiB in five parts, never all in memory.
    monkeypatch.setattr(s3_module, "PART", 5 * 1024 * 1024)
    block = os.urandom(1024 * 1024)
    size = 23 * len(block)
    digest = hashlib.sha256()
    for _ in range(23):
        digest.update(block)

    class Source(io.RawIOBase):
        sent = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buf: memoryview) -> int:  # type: ignore[override]
            n = min(len(buf), size - self.sent, len(block))
            buf[:n] = block[:n]
            self.sent += n
            return n

    tracemalloc.start()
    try:
        stored = backend.store.put_stream(io.BufferedReader(Source()))
        read = hashlib.sha256()
        with backend.store.open_stream(stored.sha256) as fh:
            while chunk := fh.read(1024 * 1024):
                read.update(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.sha256 == digest.hexdigest() == read.hexdigest() and stored.size == size
    assert peak < 16 * 1024 * 1024, f"{peak / 2**20:.1f} MiB held for a 23 MiB file"


def test_erasure_destroys_every_version(backend: Backend) -> None:
    store = backend.store
    f = store.put_bytes(b"a complainant's photo")
    if isinstance(store, S3Store):
        # A versioned bucket: a second version and a delete marker under the same name.
        backend.overwrite(f.sha256, b"a complainant's photo")
        backend.remove(f.sha256)
        assert store.erase(f.sha256) == 2
        listing = _raw_client().list_object_versions(  # type: ignore[attr-defined]
            Bucket=store.bucket, Prefix=store.key(f.sha256)
        )
        assert listing.get("Versions", []) == [] and listing.get("DeleteMarkers", []) == []
    else:
        assert store.erase(f.sha256) == 1
    assert not store.exists(f.sha256) and store.erase(f.sha256) == 0


def test_local_copies_for_the_renderer_are_verified(backend: Backend) -> None:
    store = backend.store
    f = store.put_bytes(b"\xff\xd8 a photo")
    assert store.local_path(f.sha256).read_bytes() == b"\xff\xd8 a photo"
    if isinstance(store, S3Store):
        g = store.put_bytes(b"another photo")
        backend.overwrite(g.sha256, b"another phot0")
        with pytest.raises(IntegrityError):
            store.local_path(g.sha256)
        assert not (store.cache / g.sha256).exists()  # no bad copy left to serve later


def test_the_store_takes_a_write(backend: Backend) -> None:
    backend.store.probe()
    assert list(backend.store.all_hashes()) == []  # the probe leaves nothing behind


# --- S3 only --------------------------------------------------------------------------------


@pytest.fixture
def s3(s3_url: str, tmp_path: Path) -> S3Store:
    store = open_store_url(s3_url, tmp_path / "data")
    assert isinstance(store, S3Store)
    return store


def test_a_second_writer_of_the_same_content_changes_nothing(
    s3: S3Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two nodes storing the same photo at once: both pass the existence check; the
    # conditional put lets one in and tells the other it is there.
    monkeypatch.setattr(S3Store, "exists", lambda self, sha: False)
    first = s3.put_bytes(b"same photo from two nodes")
    second = s3.put_bytes(b"same photo from two nodes")
    assert first == second
    versions = _raw_client().list_object_versions(  # type: ignore[attr-defined]
        Bucket=s3.bucket, Prefix=s3.key(first.sha256)
    )["Versions"]
    assert len(versions) == 1  # written once


def test_server_side_encryption_when_asked(s3_url: str, tmp_path: Path) -> None:
    store = open_store_url(s3_url, tmp_path / "data", sse="AES256")
    assert isinstance(store, S3Store)
    f = store.put_bytes(b"encrypted at rest")
    head = _raw_client().head_object(Bucket=store.bucket, Key=store.key(f.sha256))  # type: ignore[attr-defined]
    assert head["ServerSideEncryption"] == "AES256"


def test_an_unfinished_multipart_upload_is_cleaned_up(s3: S3Store) -> None:
    # A node killed mid-upload leaves a multipart upload open (no object: S3 makes it only on
    # completion). The day's grace cannot be shown here: moto dates every upload 2010.
    raw = _raw_client()
    key = s3.key("0" * 64)
    raw.create_multipart_upload(Bucket=s3.bucket, Key=key)  # type: ignore[attr-defined]
    assert s3.clean_temp() == 1
    left = raw.list_multipart_uploads(Bucket=s3.bucket, Prefix=s3.prefix)  # type: ignore[attr-defined]
    assert left.get("Uploads", []) == []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_store_is_a_storage_error_and_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, s3_bucket: str
) -> None:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{_closed_port()}",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    store = S3Store(s3_bucket, "down", tmp_path / "scratch", client=client)
    with pytest.raises(StorageError) as caught:
        store.put_bytes(b"an upload while the store is down")
    assert caught.value.unreachable and "s3://" in caught.value.where()
    assert list(store.tmp.iterdir()) == []
    with pytest.raises(StorageError):
        store.probe()


def test_store_addresses_are_checked() -> None:
    from docsvc.config import _store_url

    assert _store_url("s3://city-records/docsvc") == "s3://city-records/docsvc"
    for bad in ("s3://", "s3://UPPER/x", "http://example.com/x", "relative/folder"):
        with pytest.raises(ValueError, match="DOCSVC_STORE_URL"):
            _store_url(bad)


def test_a_hung_store_fails_readiness_instead_of_holding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An endpoint that accepts connections and never answers (a hung server or load balancer).
    # Botocore's own defaults wait 60 s a try, five tries; readiness asks once, briefly.
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            with contextlib.suppress(OSError):  # the accept's timeout: look at `stop` again
                held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{listener.getsockname()[1]}")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "hung")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    store = open_store_url("s3://hung-bucket/x", tmp_path)
    try:
        probe_config = store.probe_client.meta.config  # type: ignore[union-attr]
        assert probe_config.read_timeout <= 5 and probe_config.retries["total_max_attempts"] == 1
        talk_config = store.client.meta.config  # type: ignore[union-attr]
        assert talk_config.read_timeout <= 30 and talk_config.connect_timeout <= 5
        assert talk_config.retries["total_max_attempts"] == 3
        with pytest.raises(StorageError) as caught:
            store.probe()
        assert caught.value.unreachable
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()
