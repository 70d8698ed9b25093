"""The content-addressed file store: the local disk (the default) or an S3-compatible bucket
(`DOCSVC_STORE_URL=s3://bucket/prefix`), with the same guarantees (filestore.py, s3.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from docsvc.config import Settings
from docsvc.store.filestore import FileStore, IntegrityError, StorageError, StoredFile
from docsvc.store.s3 import S3Store

Store = FileStore | S3Store

__all__ = [
    "FileStore",
    "IntegrityError",
    "S3Store",
    "StorageError",
    "Store",
    "StoredFile",
    "open_store",
    "open_store_url",
]


def open_store_url(url: str, data_dir: Path, sse: str = "", kms_key_id: str = "") -> Store:
    """The store `url` names: "" (the data directory's own `store` folder), a local folder,
    or s3://bucket/prefix (this node's scratch space in the data directory)."""
    if not url:
        return FileStore(data_dir / "store")
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise ValueError(f"the store address {url!r} names no bucket: s3://bucket/prefix")
        return S3Store(parsed.netloc, parsed.path, data_dir / "scratch", sse, kms_key_id)
    if parsed.scheme in ("", "file"):
        return FileStore(Path(parsed.path).expanduser())
    raise ValueError(f"the store address {url!r} is neither a folder nor s3://bucket/prefix")


def open_store(settings: Settings) -> Store:
    return open_store_url(
        settings.store_url, settings.data_dir, settings.store_sse, settings.store_kms_key_id
    )
