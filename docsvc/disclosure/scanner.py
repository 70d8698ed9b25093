"""The leak scanner: reads a release package as it will leave and fails closed.

Independent of the code that redacted it: it looks at every way a reader could get text out of
each file, not at what the redaction meant to remove. For a PDF: the text two extractors give
(poppler's pdftotext in two modes, and PDFium), every string and stream in the file after
decompression (content streams, Info, XMP, outlines, annotations and links, form fields,
embedded files), the metadata of every embedded image, and OCR of every page as rendered. For
an image: its metadata, its raw bytes and OCR. For the ZIP: each entry's name and the comment.
A finding names the file, where, and the kind of identifier: never the value.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import tempfile
import warnings
import zipfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from docsvc.disclosure.identity import Needle, kinds_found
from docsvc.search.extract import ocr_image

OCR_DPI = 200  # enough for 8-point type; the release's own pages are 150-300 dpi
# Runs of text in binary data, as `strings` finds them, in single-byte and UTF-16 encodings:
# image data between them is noise that would only slow the search.
_TEXT_RUN = re.compile(rb"[\t\n\r\x20-\x7e\xa0-\xff]{3,}")
_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e]\x00){3,}|(?:\x00[\x20-\x7e]){3,}")
MAX_WALK = 200_000  # PDF objects visited per file: a bound on a hostile file


@dataclass(frozen=True)
class Finding:
    file: str
    where: str
    kind: str

    def key(self) -> str:
        return f"{self.file}|{self.where}|{self.kind}"


class _Ocr:
    """OCR for the whole package through one pool: Tesseract runs as its own process, a core
    each, fed pages from every file (a package of one-page records would otherwise use one
    core), with only a few rendered pages held in memory at a time."""

    def __init__(self, needles: list[Needle]) -> None:
        self.needles = needles
        self.workers = max(1, os.cpu_count() or 1)
        self.pool = ThreadPoolExecutor(max_workers=self.workers)
        self.pending: deque[tuple[str, str, Future[str]]] = deque()
        self.found: set[Finding] = set()

    def submit(self, file: str, where: str, image: Image.Image) -> None:
        while len(self.pending) >= 2 * self.workers:
            self._collect()
        self.pending.append((file, where, self.pool.submit(ocr_image, image)))

    def _collect(self) -> None:
        file, where, future = self.pending.popleft()
        self.found |= _check(file, where, future.result(), self.needles)

    def finish(self) -> set[Finding]:
        try:
            while self.pending:
                self._collect()
        finally:
            self.pool.shutdown(cancel_futures=True)
        return self.found


def scan_package(
    data: bytes,
    needles: list[Needle],
    *,
    ocr: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[Finding]:
    """Every finding in a ZIP package, sorted; an empty list is the only pass. `progress` hears
    (files read, files) as the package's own entries are read."""
    reader = _Ocr(needles) if ocr else None
    try:
        found = _zip(data, "", needles, reader, progress)
    finally:
        found_by_ocr = reader.finish() if reader else set()
    return sorted(found | found_by_ocr, key=Finding.key)


def _zip(
    data: bytes,
    prefix: str,
    needles: list[Needle],
    ocr: _Ocr | None,
    progress: Callable[[int, int], None] | None = None,
) -> set[Finding]:
    found: set[Finding] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if zf.comment:
            comment = zf.comment.decode("utf-8", "replace")
            found |= _check(prefix or "(zip)", "archive comment", comment, needles)
        entries = zf.infolist()
        for n, info in enumerate(entries):
            if progress:
                progress(n, len(entries))
            name = prefix + info.filename
            found |= _check(name, "file name", info.filename, needles)
            found |= _file(name, zf.read(info), needles, ocr)
    return found


def _file(name: str, data: bytes, needles: list[Needle], ocr: _Ocr | None) -> set[Finding]:
    lower = name.lower()
    views: Iterator[tuple[str, str]]
    if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data)):
        # DOCX, XLSX and nested archives: every part, by name and content.
        return _zip(data, f"{name}/", needles, ocr)
    if data[:5] == b"%PDF-" or lower.endswith(".pdf"):
        views = _pdf_views(name, data, ocr)
    elif lower.endswith((".jpg", ".jpeg", ".png", ".tif", ".tiff", ".gif", ".webp", ".heic")):
        views = _image_views(name, data, ocr)
    else:
        views = iter([("text", data.decode("utf-8", "replace")), ("bytes", strings(data))])
    found: set[Finding] = set()
    for where, text in views:
        found |= _check(name, where, text, needles)
    return found


def _check(file: str, where: str, text: str, needles: list[Needle]) -> set[Finding]:
    return {Finding(file, where, kind) for kind in kinds_found(text, needles)}


# --- PDF ---------------------------------------------------------------------------------------


def _pdf_views(name: str, data: bytes, ocr: _Ocr | None) -> Iterator[tuple[str, str]]:
    with tempfile.TemporaryDirectory(prefix="docsvc-scan-") as tmp:
        path = Path(tmp) / "f.pdf"
        path.write_bytes(data)
        for mode in ("-layout", "-raw"):
            done = subprocess.run(
                ["pdftotext", mode, "-enc", "UTF-8", str(path), "-"],
                capture_output=True,
                timeout=120,
                check=False,
            )
            yield f"text (pdftotext {mode})", done.stdout.decode("utf-8", "replace")
        qdf = Path(tmp) / "qdf.pdf"
        subprocess.run(
            ["qpdf", "--qdf", "--object-streams=disable", str(path), str(qdf)],
            capture_output=True,
            timeout=120,
            check=False,
        )
        # qpdf exits 3 on warnings and still writes the file; whatever it wrote is read.
        if qdf.exists():
            yield "decompressed bytes (qpdf)", strings(_without_image_data(qdf.read_bytes()))
    yield from _pdfium_views(name, data, ocr)
    yield from _structure_views(data)


def _without_image_data(qdf: bytes) -> bytes:
    """The decompressed file with each image's pixel data left out (its dictionary kept):
    pixels hold no text, and each image's metadata is read on its own below."""
    out = []
    for chunk in qdf.split(b"endobj"):
        head, sep, _ = chunk.partition(b"stream\n")
        out.append(head + sep if sep and b"/Subtype /Image" in head else chunk)
    return b"endobj".join(out)


def _pdfium_views(name: str, data: bytes, ocr: _Ocr | None) -> Iterator[tuple[str, str]]:
    pdf = pdfium.PdfDocument(data)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                textpage = page.get_textpage()
                yield f"page {i + 1} text (pdfium)", textpage.get_text_range()
                textpage.close()
                if ocr is not None:
                    image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
                    ocr.submit(name, f"page {i + 1} OCR", image)
            finally:
                page.close()
    finally:
        pdf.close()


def _structure_views(data: bytes) -> Iterator[tuple[str, str]]:
    """Every string, name and decodable stream reachable from the trailer, decoded as pypdf
    decodes text strings (so UTF-16 and PDFDocEncoding values are read as text)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        parts: list[str] = []
        images: list[bytes] = []
        _walk(reader.trailer, parts, images, set())
    yield "strings and streams (pypdf)", "\n".join(parts)
    for n, raw in enumerate(images, 1):
        yield f"embedded image {n} bytes", strings(_metadata_bytes(raw))
        yield f"embedded image {n} metadata", _image_metadata(raw)


def _walk(obj: Any, parts: list[str], images: list[bytes], seen: set[int]) -> None:
    stack = [obj]
    while stack and len(seen) < MAX_WALK:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            try:
                item = item.get_object()
            except Exception:  # a broken reference: nothing to read behind it
                continue
        if isinstance(item, StreamObject):
            if item.get("/Subtype") == "/Image":
                with contextlib.suppress(Exception):  # unreadable: its bytes stay unread
                    images.append(item._data if item.get("/Filter") else item.get_data())
            else:
                try:
                    parts.append(item.get_data().decode("latin-1"))
                except Exception:
                    parts.append(bytes(item._data or b"").decode("latin-1"))
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key not in ("/Parent", "/P"):
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(item)
        elif isinstance(item, (NameObject, str)):
            parts.append(str(item))
        elif isinstance(item, bytes):
            parts.append(item.decode("latin-1"))


def strings(data: bytes) -> str:
    """The readable runs of a binary file: single-byte text (read as Latin-1, which also
    keeps UTF-8's bytes together) and UTF-16 in either byte order."""
    runs = [m.group(0).decode("latin-1") for m in _TEXT_RUN.finditer(data)]
    for m in _UTF16_RUN.finditer(data):
        raw = m.group(0)
        runs.append(raw.decode("utf-16-be" if raw[0] == 0 else "utf-16-le", "replace"))
    return "\n".join(runs)


# --- images ------------------------------------------------------------------------------------


def _metadata_bytes(raw: bytes) -> bytes:
    """Where an image file keeps text: a JPEG's segments before its scan data (EXIF, XMP,
    comments), a PNG's chunks other than pixel data; anything else whole."""
    if raw[:2] == b"\xff\xd8":
        sos = raw.find(b"\xff\xda")
        return raw if sos < 0 else raw[:sos]
    if raw[:8] == b"\x89PNG\r\n\x1a\n":
        out, at = [], 8
        while at + 8 <= len(raw):
            length = int.from_bytes(raw[at : at + 4], "big")
            kind = raw[at + 4 : at + 8]
            if kind != b"IDAT":
                out.append(raw[at + 4 : at + 8 + length])
            at += 12 + length
        return b"".join(out)
    return raw


def _image_metadata(raw: bytes) -> str:
    try:
        with Image.open(io.BytesIO(raw)) as img:
            bits = [f"{k}: {v!r}" for k, v in img.info.items()]
            bits += [f"{k}: {v!r}" for k, v in img.getexif().items()]
            return "\n".join(bits)
    except Exception:  # not an image Pillow reads (a raw bitmap stream): bytes were checked
        return ""


def _image_views(name: str, data: bytes, ocr: _Ocr | None) -> Iterator[tuple[str, str]]:
    yield "bytes", strings(_metadata_bytes(data))
    yield "metadata", _image_metadata(data)
    if ocr is not None:
        try:
            with Image.open(io.BytesIO(data)) as img:
                image = img.convert("L")
        except Exception:  # not decodable: its bytes and metadata were read above
            return
        ocr.submit(name, "OCR", image)
