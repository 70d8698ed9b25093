"""The content-addressed store in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, ...), for
several nodes sharing one store.

The same guarantees as the local store, kept the object store's way:
- named by SHA-256 (`<prefix>objects/ab/cd/<sha256>`), never by anything a user supplied;
- written once: a conditional put (`If-None-Match: *`), so a second writer of the same content
  changes nothing (content-addressed: it was the same bytes); the SHA-256 is sent with the body
  for the server to check where it can;
- multipart above PART bytes, one part in memory at a time; an interrupted upload leaves
  nothing under the object's name (S3 makes the object only when the upload completes), and
  `clean_temp` aborts uploads older than a day;
- re-hashed on every read, streamed;
- server-side encryption when asked (AES256 or aws:kms);
- erasure deletes every version of the object and every delete marker, where the bucket keeps
  versions, and says how many it destroyed.

Endpoint, region and credentials come from boto3's usual sources (AWS_ENDPOINT_URL,
AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, instance roles).
A failure to reach the store or a refusal from it raises StorageError (unreachable): the
request that needed it keeps nothing and is answered 503 in words.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import io
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO, cast

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from docsvc.store.filestore import (
    CHUNK,
    IntegrityError,
    Spooling,
    StorageError,
    StoredFile,
    VerifyingReader,
    check_hash,
    object_name,
    private_dir,
    storing,
)

log = logging.getLogger("docsvc.store")
PART = 16 * 1024 * 1024  # multipart above this, one part in memory at a time (S3: >= 5 MiB)
MISSING = frozenset({"404", "NoSuchKey", "NotFound"})
ALREADY = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "412", "409"})
CACHE_FILES = 4000  # local copies kept for the renderer (photos in a bundle) before trimming
STALE_UPLOAD = timedelta(days=1)
# A store that hangs must not hold a request (and its gunicorn thread) for minutes: a few
# seconds to connect, half a minute for an answer, three tries in all (botocore's defaults are
# 60 s and 60 s with five tries: a hung bucket held a download for 90 s and readiness 150 s).
TALK = Config(
    connect_timeout=5, read_timeout=30, retries={"mode": "standard", "total_max_attempts": 3}
)
PROBE = Config(connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 1})


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3Store(Spooling):
    def __init__(
        self,
        bucket: str,
        prefix: str,
        scratch: Path,
        sse: str = "",
        kms_key_id: str = "",
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.tmp = scratch / "tmp"
        self.cache = scratch / "cache"
        for folder in (scratch, self.tmp, self.cache):
            private_dir(folder)
        self.sse = sse
        self.kms_key_id = kms_key_id
        self._client = client
        self._injected = client is not None
        self._probe_client: Any = None
        self._pid = os.getpid()

    # A client per process: gunicorn forks its workers from a master that may have made one,
    # and a connection pool must not be shared across a fork.
    @property
    def client(self) -> Any:
        if self._client is None or self._pid != os.getpid():
            self._client = boto3.client("s3", config=TALK)
            self._probe_client = None
            self._pid = os.getpid()
        return self._client

    @property
    def probe_client(self) -> Any:
        """Readiness asks once and briefly: a hung store fails the probe in seconds, not after
        the retries a real request deserves."""
        client = self.client  # (re)made for this process first
        if self._injected:
            return client
        if self._probe_client is None:
            self._probe_client = boto3.client("s3", config=PROBE)
        return self._probe_client

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.prefix} at {self.client.meta.endpoint_url}"

    # How many files `docsvc verify` (and a move's proof) reads at once: each read waits a
    # round trip, and botocore's pool keeps ten connections.
    parallel_reads = 8

    @property
    def erasure(self) -> str:
        """How erasure destroys a file, in the words of the certificate of destruction."""
        return (
            f"deleted from the object store (bucket {self.bucket}) with every version and "
            "delete marker the bucket kept of it"
        )

    def key(self, sha256: str) -> str:
        return f"{self.prefix}objects/{object_name(sha256)}"

    @contextmanager
    def _talking(self, key: str) -> Iterator[None]:
        """The store's failures as StorageError (unreachable), named and explained for the log."""
        try:
            yield
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            raise StorageError(
                errno.EIO, f"s3://{self.bucket}/{key}", f"{_code(exc)} (HTTP {status})"
            ) from exc
        except BotoCoreError as exc:
            raise StorageError(
                errno.ECONNREFUSED, f"s3://{self.bucket}/{key}", type(exc).__name__
            ) from exc

    def _encryption(self) -> dict[str, str]:
        if not self.sse:
            return {}
        args = {"ServerSideEncryption": self.sse}
        if self.kms_key_id:
            args["SSEKMSKeyId"] = self.kms_key_id
        return args

    def _unless_missing(self, key: str, call: Callable[[], Any]) -> Any | None:
        """What `call()` answers about `key`, or None where the store says it is not there."""
        try:
            with self._talking(key):
                return call()
        except StorageError as exc:
            if _answered(exc, MISSING):
                return None
            raise

    def _written_once(self, key: str, call: Callable[[], Any]) -> bool:
        """A conditional write (If-None-Match: *); False where the object was already there
        (another writer stored the same bytes: content-addressed, nothing to do)."""
        try:
            with self._talking(key):
                call()
        except StorageError as exc:
            if _answered(exc, ALREADY):
                return False
            raise
        return True

    def _head(self, key: str) -> dict[str, Any] | None:
        return cast(
            dict[str, Any] | None,
            self._unless_missing(key, lambda: self.client.head_object(Bucket=self.bucket, Key=key)),
        )

    def _body(self, key: str) -> Any | None:
        """The object's body as a stream, or None where it is not there."""
        got = self._unless_missing(key, lambda: self.client.get_object(Bucket=self.bucket, Key=key))
        return None if got is None else got["Body"]

    def exists(self, sha256: str) -> bool:
        return self._head(self.key(sha256)) is not None

    def size_of(self, sha256: str) -> int | None:
        head = self._head(self.key(sha256))
        return None if head is None else int(head["ContentLength"])

    def stored_at(self, sha256: str) -> datetime | None:
        head = self._head(self.key(sha256))
        return None if head is None else cast(datetime, head["LastModified"])

    def _commit_temp(self, tmp_path: Path, sha256: str, size: int) -> StoredFile:
        key = self.key(sha256)
        try:
            if not self.exists(sha256):
                if size <= PART:
                    self._put(tmp_path, key, sha256, size)
                else:
                    self._multipart(tmp_path, key, size)
        finally:
            tmp_path.unlink(missing_ok=True)  # the node's copy: the bucket holds it now, or nothing
        return StoredFile(sha256, size)

    def _put(self, path: Path, key: str, sha256: str, size: int) -> None:
        checksum = base64.b64encode(bytes.fromhex(sha256)).decode()
        with path.open("rb") as fh:
            self._written_once(
                key,
                lambda: self.client.put_object(
                    Bucket=self.bucket,
                    Key=key,
                    Body=fh,
                    ContentLength=size,
                    ChecksumSHA256=checksum,
                    IfNoneMatch="*",
                    **self._encryption(),
                ),
            )

    def _multipart(self, path: Path, key: str, size: int) -> None:
        with self._talking(key):
            upload = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=key, **self._encryption()
            )["UploadId"]
        try:
            parts = []
            with path.open("rb") as fh:
                number = 1
                while chunk := fh.read(PART):
                    with self._talking(key):
                        got = self.client.upload_part(
                            Bucket=self.bucket,
                            Key=key,
                            UploadId=upload,
                            PartNumber=number,
                            Body=chunk,
                        )
                    parts.append({"ETag": got["ETag"], "PartNumber": number})
                    number += 1
            completed = self._written_once(
                key,
                lambda: self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    UploadId=upload,
                    MultipartUpload={"Parts": parts},
                    IfNoneMatch="*",
                ),
            )
            if not completed:
                self._abort(key, upload)
        except BaseException:
            self._abort(key, upload)
            raise

    def _abort(self, key: str, upload: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload)
        except (ClientError, BotoCoreError):
            log.warning("could not abort the multipart upload of %s; clean_temp will", key)

    @contextmanager
    def open_stream(self, sha256: str) -> Iterator[BinaryIO]:
        body = self._body(self.key(sha256))
        if body is None:
            raise IntegrityError(f"stored file {sha256[:12]}… is missing")
        with io.BufferedReader(VerifyingReader(body, sha256), CHUNK) as fh:
            yield cast(BinaryIO, fh)

    def local_path(self, sha256: str) -> Path:
        """A verified copy on this node, for what must read a file by its path (the PDF
        renderer reading a photo again when it writes the page). Kept in the node's cache,
        written whole or not at all, trimmed oldest first."""
        path = self.cache / check_hash(sha256)
        if path.is_file():
            os.utime(path)
            return path
        with self.open_stream(sha256) as src, storing(self.cache):
            tmp = self.cache / f".{sha256}.{uuid.uuid4().hex}"
            try:
                with tmp.open("wb") as out:
                    while chunk := src.read(CHUNK):
                        out.write(chunk)
                os.replace(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        self._trim_cache()
        return path

    def _trim_cache(self) -> None:
        files = [p for p in self.cache.iterdir() if not p.name.startswith(".")]
        if len(files) <= CACHE_FILES:
            return
        files.sort(key=lambda p: p.stat().st_mtime)
        for p in files[: len(files) - CACHE_FILES]:
            p.unlink(missing_ok=True)

    def rehash(self, sha256: str) -> str | None:
        key = self.key(sha256)
        body = self._body(key)
        if body is None:
            return None
        digest = hashlib.sha256()
        with self._talking(key):  # a read that stalls or breaks off is the store's failure
            for chunk in iter(lambda: body.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest()

    def erase(self, sha256: str) -> int:
        """Destroy every version of the object and every delete marker (a versioned bucket
        keeps old versions after a plain delete); how many were destroyed (0: already gone)."""
        key = self.key(sha256)
        with self._talking(key):
            listing = self.client.list_object_versions(Bucket=self.bucket, Prefix=key)
        versions = [
            {"Key": key, "VersionId": v["VersionId"]}
            for kind in ("Versions", "DeleteMarkers")
            for v in listing.get(kind, [])
            if v["Key"] == key
        ]
        if versions:
            with self._talking(key):
                got = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": versions, "Quiet": True}
                )
            if got.get("Errors"):
                first = got["Errors"][0]
                raise StorageError(
                    errno.EIO, f"s3://{self.bucket}/{key}", f"{first.get('Code')} on erase"
                )
        (self.cache / sha256).unlink(missing_ok=True)
        return sum(1 for v in listing.get("Versions", []) if v["Key"] == key)

    def all_hashes(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=f"{self.prefix}objects/"
        )
        with self._talking(f"{self.prefix}objects/"):
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"].rsplit("/", 1)[-1]
                    if len(name) == 64:
                        yield name

    def probe(self) -> None:
        """Write and delete a tiny object (every version): raises StorageError when the
        bucket cannot take a write (readiness)."""
        key = f"{self.prefix}probe/{uuid.uuid4().hex}"
        client = self.probe_client
        with self._talking(key):
            put = client.put_object(Bucket=self.bucket, Key=key, Body=b"ok", **self._encryption())
            version = put.get("VersionId")
            args = {"VersionId": version} if version else {}
            client.delete_object(Bucket=self.bucket, Key=key, **args)

    def clean_temp(self) -> int:
        """The node's spooled uploads, and multipart uploads to the bucket left unfinished for a
        day (a node killed mid-upload): never referenced, never an object."""
        count = super().clean_temp()
        cutoff = time.time() - STALE_UPLOAD.total_seconds()
        with self._talking(self.prefix):
            listing = self.client.list_multipart_uploads(Bucket=self.bucket, Prefix=self.prefix)
        for upload in listing.get("Uploads", []):
            if upload["Initiated"].timestamp() < cutoff:
                self._abort(upload["Key"], upload["UploadId"])
                count += 1
        return count


def _answered(exc: StorageError, codes: frozenset[str]) -> bool:
    """The store answered the request with one of `codes` (it did not fail to answer)."""
    cause = exc.__cause__
    return isinstance(cause, ClientError) and _code(cause) in codes
