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
import subprocess
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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
MAX_WALK = 200_000  # PDF objects visited per file: a bound on a hostile file


@dataclass(frozen=True)
class Finding:
    file: str
    where: str
    kind: str

    def key(self) -> str:
        return f"{self.file}|{self.where}|{self.kind}"


def scan_package(data: bytes, needles: list[Needle], *, ocr: bool = True) -> list[Finding]:
    """Every finding in a ZIP package, sorted; an empty list is the only pass."""
    return sorted(_zip(data, "", needles, ocr), key=Finding.key)


def _zip(data: bytes, prefix: str, needles: list[Needle], ocr: bool) -> set[Finding]:
    found: set[Finding] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if zf.comment:
            comment = zf.comment.decode("utf-8", "replace")
            found |= _check(prefix or "(zip)", "archive comment", comment, needles)
        for info in zf.infolist():
            name = prefix + info.filename
            found |= _check(name, "file name", info.filename, needles)
            found |= set(scan_file(name, zf.read(info), needles, ocr=ocr))
    return found


def scan_file(name: str, data: bytes, needles: list[Needle], *, ocr: bool = True) -> list[Finding]:
    lower = name.lower()
    views: Iterator[tuple[str, str]]
    if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data)):
        # DOCX, XLSX and nested archives: every part, by name and content.
        return sorted(_zip(data, f"{name}/", needles, ocr), key=Finding.key)
    if data[:5] == b"%PDF-" or lower.endswith(".pdf"):
        views = _pdf_views(data, ocr)
    elif lower.endswith((".jpg", ".jpeg", ".png", ".tif", ".tiff", ".gif", ".webp", ".heic")):
        views = _image_views(data, ocr)
    else:
        views = iter([("text", data.decode("utf-8", "replace")), ("bytes", data.decode("latin-1"))])
    found: set[Finding] = set()
    for where, text in views:
        found |= _check(name, where, text, needles)
    return sorted(found, key=Finding.key)


def _check(file: str, where: str, text: str, needles: list[Needle]) -> set[Finding]:
    return {Finding(file, where, kind) for kind in kinds_found(text, needles)}


# --- PDF ---------------------------------------------------------------------------------------


def _pdf_views(data: bytes, ocr: bool) -> Iterator[tuple[str, str]]:
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
            yield "decompressed bytes (qpdf)", qdf.read_bytes().decode("latin-1")
    yield from _pdfium_views(data, ocr)
    yield from _structure_views(data)


def _pdfium_views(data: bytes, ocr: bool) -> Iterator[tuple[str, str]]:
    pdf = pdfium.PdfDocument(data)
    workers = max(1, os.cpu_count() or 1)
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            batch: list[tuple[int, Image.Image]] = []
            for i in range(len(pdf)):
                page = pdf[i]
                try:
                    textpage = page.get_textpage()
                    yield f"page {i + 1} text (pdfium)", textpage.get_text_range()
                    textpage.close()
                    if ocr:
                        image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
                        batch.append((i, image))
                finally:
                    page.close()
                if len(batch) == 2 * workers or (batch and i == len(pdf) - 1):
                    # Tesseract runs as its own process: a core each, a few pages in memory.
                    texts = pool.map(lambda item: ocr_image(item[1]), batch)
                    for (n, _), text in zip(batch, texts, strict=True):
                        yield f"page {n + 1} OCR", text
                    batch = []
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
        yield f"embedded image {n} bytes", raw.decode("latin-1")
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


# --- images ------------------------------------------------------------------------------------


def _image_metadata(raw: bytes) -> str:
    try:
        with Image.open(io.BytesIO(raw)) as img:
            bits = [f"{k}: {v!r}" for k, v in img.info.items()]
            bits += [f"{k}: {v!r}" for k, v in img.getexif().items()]
            return "\n".join(bits)
    except Exception:  # not an image Pillow reads (a raw bitmap stream): bytes were checked
        return ""


def _image_views(data: bytes, ocr: bool) -> Iterator[tuple[str, str]]:
    yield "bytes", data.decode("latin-1")
    yield "metadata", _image_metadata(data)
    if ocr:
        try:
            with Image.open(io.BytesIO(data)) as img:
                yield "OCR", ocr_image(img)
        except Exception:
            yield "OCR", ""
