"""Settings, read once from the environment (or a test's overrides)."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "docsvc"
MB = 1024 * 1024


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    max_upload_bytes: int = 50 * MB
    # Pillow's decompression-bomb guard; 12 MP phone photos are ~12e6, leave room for 50 MP.
    max_image_pixels: int = 80_000_000
    # A DOCX whose parts inflate past this is treated as a zip bomb.
    max_docx_uncompressed_bytes: int = 200 * MB
    secret_key: str = field(default="", repr=False)
    # DOCSVC_AUDIT_KEY: the audit keys for nodes sharing one database; empty, they are in the
    # data directory's `audit_keys` file (docsvc/audit/keys.py, docs/AUDIT.md).
    audit_key: str = field(default="", repr=False)
    testing: bool = False
    # Behind TLS: session cookies only over HTTPS, and Strict-Transport-Security on responses.
    secure_cookies: bool = False
    # How many reverse proxies in front may set X-Forwarded-For/-Proto (0: trust none, the
    # peer's address is the client's; the header is anyone's to forge).
    trusted_proxies: int = 0
    # The address the public reaches the service at ("https://records.example.gov"): release
    # links are built on it, not on whatever Host a request named (an internal name, or one
    # a caller chose). Empty: the request's own host, as on a demo.
    public_url: str = ""
    # Where stored files live: "" for the data directory's own folder, or s3://bucket/prefix
    # (docsvc/store/s3.py; endpoint, region and credentials from the usual AWS variables).
    store_url: str = ""
    # Server-side encryption asked of an S3 store: "", "AES256" or "aws:kms" (with a key id).
    store_sse: str = ""
    store_kms_key_id: str = ""

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _secret_key(data_dir: Path) -> str:
    """A per-installation key for signing session cookies, created on first use."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def _flag(name: str, value: str) -> bool:
    if value.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if value.strip().lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1 or 0 (true or false), not {value!r}")


def _count(name: str, value: str) -> int:
    if not value.strip().isdigit():
        raise ValueError(
            f"{name} must be the number of proxies in front (0, 1, 2...), not {value!r}"
        )
    return int(value)


def _base_url(name: str, value: str) -> str:
    url = value.strip().rstrip("/")
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?(/[\x21-\x7e]*)?", url):
        raise ValueError(
            f"{name} must be the service's public address, like https://records.example.gov, "
            f"not {value!r}"
        )
    return url


def _store_url(value: str) -> str:
    url = value.strip()
    if url and not re.fullmatch(r"s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[\x21-\x7e]*)?|/\S*", url):
        raise ValueError(
            "DOCSVC_STORE_URL must be s3://bucket/prefix (a bucket name in lowercase letters, "
            f"digits, dots and hyphens) or a folder's absolute path, not {value!r}"
        )
    return url


def _sse(value: str) -> str:
    if value.strip() not in ("", "AES256", "aws:kms"):
        raise ValueError(f"DOCSVC_STORE_SSE must be AES256 or aws:kms, not {value!r}")
    return value.strip()


def load_settings(**overrides: Any) -> Settings:
    """Settings from `overrides` (any Settings field by name), else the environment."""
    os.umask(0o077)  # every entry starts here: what the process creates is its owner's alone
    data_dir = Path(
        str(
            overrides.pop("data_dir", None) or os.environ.get("DOCSVC_DATA_DIR") or DEFAULT_DATA_DIR
        )
    ).expanduser()
    database_url = str(
        overrides.pop("database_url", None)
        or os.environ.get("DOCSVC_DATABASE_URL")
        or f"sqlite:///{data_dir / 'docsvc.sqlite3'}"
    )
    env_max = os.environ.get("DOCSVC_MAX_UPLOAD_MB")
    if env_max and "max_upload_bytes" not in overrides:
        overrides["max_upload_bytes"] = int(float(env_max) * MB)
    env_secure = os.environ.get("DOCSVC_SECURE_COOKIES", "")
    if env_secure and "secure_cookies" not in overrides:
        overrides["secure_cookies"] = _flag("DOCSVC_SECURE_COOKIES", env_secure)
    env_proxies = os.environ.get("DOCSVC_PROXY_FIX", "")
    if env_proxies and "trusted_proxies" not in overrides:
        overrides["trusted_proxies"] = _count("DOCSVC_PROXY_FIX", env_proxies)
    env_public = os.environ.get("DOCSVC_PUBLIC_URL", "")
    if env_public and "public_url" not in overrides:
        overrides["public_url"] = _base_url("DOCSVC_PUBLIC_URL", env_public)
    if "store_url" not in overrides:
        overrides["store_url"] = _store_url(os.environ.get("DOCSVC_STORE_URL", ""))
    if "store_sse" not in overrides:
        overrides["store_sse"] = _sse(os.environ.get("DOCSVC_STORE_SSE", ""))
    if "store_kms_key_id" not in overrides:
        overrides["store_kms_key_id"] = os.environ.get("DOCSVC_STORE_KMS_KEY_ID", "").strip()
    secret = str(overrides.pop("secret_key", None) or os.environ.get("DOCSVC_SECRET_KEY") or "")
    if not secret:
        secret = _secret_key(data_dir)
    if "audit_key" not in overrides:
        overrides["audit_key"] = os.environ.get("DOCSVC_AUDIT_KEY", "")
    return Settings(data_dir=data_dir, database_url=database_url, secret_key=secret, **overrides)
