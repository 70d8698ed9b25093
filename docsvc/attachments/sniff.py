"""What a file is, judged from its bytes; and what the uploader claimed it was."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

JPEG, PNG, TIFF, HEIC = "image/jpeg", "image/png", "image/tiff", "image/heic"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EML = "message/rfc822"
ACCEPTED = (JPEG, PNG, HEIC, TIFF, PDF, DOCX, EML)
IMAGES = (JPEG, PNG, HEIC, TIFF)
LABELS = {
    JPEG: "JPEG",
    PNG: "PNG",
    TIFF: "TIFF",
    HEIC: "HEIC",
    PDF: "PDF",
    DOCX: "DOCX",
    EML: "EML",
}

_EXTENSIONS = {
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".jpe": JPEG,
    ".png": PNG,
    ".tif": TIFF,
    ".tiff": TIFF,
    ".heic": HEIC,
    ".heif": HEIC,
    ".pdf": PDF,
    ".docx": DOCX,
    ".eml": EML,
}
_CLAIMED_TYPES = {
    "image/jpeg": JPEG,
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
    "image/png": PNG,
    "image/tiff": TIFF,
    "image/heic": HEIC,
    "image/heif": HEIC,
    "application/pdf": PDF,
    DOCX: DOCX,
    "message/rfc822": EML,
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_HEADER = re.compile(rb"^[A-Za-z][A-Za-z0-9-]{1,40}:[ \t]?")
_MAIL_HEADERS = {b"from", b"date", b"subject", b"to", b"received", b"message-id", b"mime-version"}


def detect(path: Path, head: bytes) -> str | None:
    """The accepted type these bytes are, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return TIFF
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return HEIC
    if b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return DOCX if _is_docx(path) else None
    if _looks_like_email(head):
        return EML
    return None


def _is_docx(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def _looks_like_email(head: bytes) -> bool:
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    seen: set[bytes] = set()
    for line in lines[:60]:
        if not line:
            break  # end of the header block
        if line[:1] in (b" ", b"\t"):
            continue  # folded header line
        if not _HEADER.match(line):
            return False
        seen.add(line.split(b":", 1)[0].lower())
    return len(seen & _MAIL_HEADERS) >= 2


def claimed_type(filename: str | None, content_type: str | None) -> tuple[str | None, str | None]:
    """(type claimed by the file name's extension, type claimed by the Content-Type header)."""
    by_name = _EXTENSIONS.get(Path(filename).suffix.lower()) if filename else None
    ct = (content_type or "").split(";")[0].strip().lower()
    return by_name, _CLAIMED_TYPES.get(ct)
