"""The leak scanner: reads a release package as it will leave and fails closed.

Independent of the code that redacted it, twice over. It looks for the complainant's
identifiers as the case record holds them (`scan_targets`: its own derivation and matching,
never the redaction's needles), and it looks at every way a reader could get text out of each
file, not at what the redaction meant to remove. For a PDF: the text two extractors give
(poppler's pdftotext in two modes, and PDFium), every string and stream in the file after
decompression (content streams, Info, XMP, outlines, annotations and links, form fields,
embedded files), the metadata of every embedded image, and OCR of every page as rendered, in
a second Tesseract mode where the first may have dropped a line. For an image: its metadata,
its raw bytes and OCR. For XML and JSON (a DOCX's parts): the text with its markup and escapes
undone. For the ZIP: each entry's name and the comment. Each text is matched with the spacing
between letters removed and line-break hyphens joined (see scan_targets). A finding names the
file, where, and the kind of identifier: never the value.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
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
from PIL import Image, ImageFilter, ImageOps
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from docsvc.disclosure.scan_targets import Targets
from docsvc.pdflock import PDFIUM
from docsvc.search.extract import ocr_image

OCR_DPI = 200  # enough for 8-point type; the release's own pages are 150-300 dpi
# Tesseract's page-segmentation modes: 3 (automatic layout) reads every page; 11 (sparse text,
# no layout analysis) reads again a page whose pixels hold text beyond its text layer, where
# layout analysis drops a line beside a black box or inside a form's rules. Mode 6 was
# measured too: it read nothing 3 and 11 missed, and took ten times as long on a photo.
FIRST_MODE = 3
SECOND_MODE = 11
# A first reading "worth a second look": this many words of three or more letters (noise in a
# photo reads as a few scraps, a page of text as dozens).
SECOND_LOOK_WORDS = 3
UNREAD_SHARE = 0.05  # of a first reading's words not in the layer: more than misreadings
MIN_LAYER_CHARS = 25  # fewer letters and digits than this in a page's layer: a scan
# Solid black areas (burned-in boxes, bars) on 8-pixel cells: a cell this dark on average with
# its eight neighbours (24 px, 8.6 pt at 200 dpi: thicker than any stroke of body text).
CELL = 8
SOLID_GREY = 64
PICTURE_SHARE = 0.5  # of a page's pixels mid-grey: a photo (measured: pages of text 2-5 %)
# Runs of text in binary data, as `strings` finds them, in single-byte and UTF-16 encodings:
# image data between them is noise that would only slow the search.
_TEXT_RUN = re.compile(rb"[\t\n\r\x20-\x7e\xa0-\xff]{3,}")
_UTF16_RUN = re.compile(rb"(?:[\x20-\x7e]\x00){3,}|(?:\x00[\x20-\x7e]){3,}")
_MARKUP = re.compile(r"<[^>]*>")
_WORD = re.compile(r"[^\W\d_]{3,}")
MAX_WALK = 200_000  # PDF objects visited per file: a bound on a hostile file


@dataclass(frozen=True)
class Finding:
    file: str
    where: str
    kind: str

    def key(self) -> str:
        return f"{self.file}|{self.where}|{self.kind}"


@dataclass
class _Page:
    """A rendered page (or image) waiting for OCR, with what decides a second reading."""

    file: str
    where: str
    image: Image.Image
    layer: str | None  # the page's text layer; None for an image file (pixels only)


class _Ocr:
    """OCR for the whole package through one pool: Tesseract runs as its own process, a core
    each, fed pages from every file (a package of one-page records would otherwise use one
    core), with only a few rendered pages held in memory at a time. A page's second reading is
    queued when its first comes back and shows it is worth one."""

    def __init__(self, targets: Targets) -> None:
        self.targets = targets
        self.workers = max(1, os.cpu_count() or 1)
        self.pool = ThreadPoolExecutor(max_workers=self.workers)
        self.pending: deque[tuple[_Page, int, Future[str]]] = deque()
        self.found: set[Finding] = set()

    def submit(self, page: _Page) -> None:
        while len(self.pending) >= 2 * self.workers:
            self._collect()
        self._queue(page, FIRST_MODE, page.image)

    def _queue(self, page: _Page, mode: int, image: Image.Image) -> None:
        self.pending.append((page, mode, self.pool.submit(ocr_image, image, psm=mode)))

    def _collect(self) -> None:
        page, mode, future = self.pending.popleft()
        text = future.result()
        where = page.where if mode == FIRST_MODE else f"{page.where} (mode {mode})"
        self.found |= _check(page.file, where, text, self.targets)
        if mode == FIRST_MODE:
            second = _second_look(page, text)
            if second is not None:
                self._queue(page, SECOND_MODE, second)

    def finish(self) -> set[Finding]:
        try:
            while self.pending:
                self._collect()
        finally:
            self.pool.shutdown(cancel_futures=True)
        return self.found


def _second_look(page: _Page, first: str) -> Image.Image | None:
    """The image to read again in the second mode, or None when the first reading suffices.

    Read again: a page of text with solid black areas (burned-in boxes: a line beside one is
    what layout analysis drops), and a page whose pixels hold text beyond its layer (a scan,
    an image file, or a first reading with words the layer lacks: an image of a letter, text
    drawn as outlines, an invisible layer over other words). Not read again: a page whose OCR
    only repeats its layer (a letter with a logo too), a photo in which the first reading
    found no words (its dark areas are not boxes). The second reading is of the page with its
    solid dark areas painted white: with the box gone, both modes read the line beside it."""
    cleared = _without_solid_areas(page.image)
    words = _WORD.findall(first)
    if cleared is not None and not _mostly_picture(page.image):
        worth = True
    elif len(words) < SECOND_LOOK_WORDS:
        worth = False
    elif page.layer is None or sum(ch.isalnum() for ch in page.layer) < MIN_LAYER_CHARS:
        worth = True
    else:
        held = "".join(ch for ch in page.layer.casefold() if ch.isalnum())
        unread = sum(w.casefold() not in held for w in words)
        worth = unread >= max(SECOND_LOOK_WORDS, UNREAD_SHARE * len(words))
    if not worth:
        return None
    return cleared or page.image


def _mostly_picture(image: Image.Image) -> bool:
    """A photo, not a page: most of its pixels are mid-greys (a page of text, scanned or
    rendered, is paper and ink, with a few per cent of anti-aliased edges)."""
    histogram = image.convert("L").histogram()
    return sum(histogram[48:208]) > PICTURE_SHARE * sum(histogram)


def _without_solid_areas(image: Image.Image) -> Image.Image | None:
    """The image with its solid dark areas (black on average, cell by cell) painted white, or
    None when it has none."""
    grey = image.convert("L")
    # A cell stays dark only if all its neighbours are: an area, not a stroke of a letter.
    dark = grey.reduce(CELL).filter(ImageFilter.MaxFilter(3))
    solid = dark.point(lambda v: 255 if v <= SOLID_GREY else 0)
    if solid.getbbox() is None:
        return None
    mask = solid.filter(ImageFilter.MaxFilter(3)).resize(grey.size, Image.Resampling.NEAREST)
    cleared = grey.copy()
    cleared.paste(255, mask=mask)
    return cleared


def scan_package(
    data: bytes,
    targets: Targets,
    *,
    ocr: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> list[Finding]:
    """Every finding in a ZIP package, sorted; an empty list is the only pass. With no targets
    (an anonymous complaint) there is nothing to find. `progress` hears (files read, files) as
    the package's own entries are read."""
    if not isinstance(targets, Targets):  # the redaction's needles: never the scanner's
        raise TypeError("scan_package looks for Targets (scan_targets.targets_for / Targets.of)")
    if not targets:
        return []
    reader = _Ocr(targets) if ocr else None
    try:
        found = _zip(data, "", targets, reader, progress)
    finally:
        found_by_ocr = reader.finish() if reader else set()
    return sorted(found | found_by_ocr, key=Finding.key)


def _zip(
    data: bytes,
    prefix: str,
    targets: Targets,
    ocr: _Ocr | None,
    progress: Callable[[int, int], None] | None = None,
) -> set[Finding]:
    found: set[Finding] = set()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        if zf.comment:
            comment = zf.comment.decode("utf-8", "replace")
            found |= _check(prefix or "(zip)", "archive comment", comment, targets)
        entries = zf.infolist()
        for n, info in enumerate(entries):
            if progress:
                progress(n, len(entries))
            name = prefix + info.filename
            found |= _check(name, "file name", info.filename, targets)
            if info.comment:
                comment = info.comment.decode("utf-8", "replace")
                found |= _check(name, "entry comment", comment, targets)
            found |= _file(name, zf.read(info), targets, ocr)
    return found


def _file(name: str, data: bytes, targets: Targets, ocr: _Ocr | None) -> set[Finding]:
    lower = name.lower()
    views: Iterator[tuple[str, str]]
    if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data)):
        # DOCX, XLSX and nested archives: every part, by name and content.
        return _zip(data, f"{name}/", targets, ocr)
    if data[:5] == b"%PDF-" or lower.endswith(".pdf"):
        views = _pdf_views(name, data, ocr)
    elif lower.endswith((".jpg", ".jpeg", ".png", ".tif", ".tiff", ".gif", ".webp", ".heic")):
        views = _image_views(name, data, ocr)
    else:
        views = _text_views(data)
    found: set[Finding] = set()
    for where, text in views:
        found |= _check(name, where, text, targets)
    return found


def _text_views(data: bytes) -> Iterator[tuple[str, str]]:
    text = data.decode("utf-8", "replace")
    yield "text", text
    yield "bytes", strings(data)
    if "<" in text and ">" in text:
        # XML splits a word wherever its formatting changes (a DOCX run per spelling mark:
        # "<w:t>Mar</w:t></w:r><w:r><w:t>ia</w:t>") and escapes apostrophes (O&apos;Brien).
        yield "text (markup removed)", html.unescape(_MARKUP.sub("", text))
        yield "text (markup as spaces)", html.unescape(_MARKUP.sub(" ", text))
    with contextlib.suppress(ValueError, RecursionError):
        # JSON escapes what is not ASCII ("O\u2019Brien"): its values, decoded.
        yield "text (JSON values)", "\n".join(_json_strings(json.loads(text)))


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _json_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)


def _check(file: str, where: str, text: str, targets: Targets) -> set[Finding]:
    # A file's raw bytes (font programs, compressed streams, PDF names like /A#20B) hold "#"
    # beside a digit by chance: a "# 2" unit is looked for in what a reader sees, not there.
    raw = "bytes" in where or "strings and streams" in where
    return {Finding(file, where, kind) for kind in targets.kinds_in(text, raw=raw)}


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
    with PDFIUM:  # held across the yields: PDFium is read by this thread alone meanwhile
        yield from _pdfium_pages(name, data, ocr)


def _pdfium_pages(name: str, data: bytes, ocr: _Ocr | None) -> Iterator[tuple[str, str]]:
    pdf = pdfium.PdfDocument(data)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                textpage = page.get_textpage()
                layer = textpage.get_text_range()
                textpage.close()
                yield f"page {i + 1} text (pdfium)", layer
                if ocr is not None:
                    image = page.render(scale=OCR_DPI / 72, grayscale=True).to_pil()
                    ocr.submit(_Page(name, f"page {i + 1} OCR", image, layer))
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
    """Every text an image carries that Pillow reads: its info (PNG text chunks decompressed,
    JPEG comment, XMP), and every EXIF tag of the main, Exif and GPS directories (Artist,
    Copyright, ImageDescription, UserComment, Windows' XPAuthor and XPComment...)."""
    try:
        with Image.open(io.BytesIO(raw)) as img:
            bits = [f"{k}: {_as_text(v)}" for k, v in img.info.items()]
            exif = img.getexif()
            tags = dict(exif.items())
            for ifd in (0x8769, 0x8825, 0xA005):  # Exif, GPS, interoperability
                with contextlib.suppress(Exception):
                    tags.update(exif.get_ifd(ifd))
            bits += [f"{k}: {_as_text(v)}" for k, v in tags.items()]
            return "\n".join(bits)
    except Exception:  # not an image Pillow reads (a raw bitmap stream): bytes were checked
        return ""


def _as_text(value: Any) -> str:
    """A tag's value as text: bytes read as UTF-16 (XP tags, a UNICODE UserComment) and as
    Latin-1 (ASCII comments, with their 8-byte charset header), both kept."""
    if isinstance(value, bytes):
        body = value[8:] if value[:8] in (b"ASCII\0\0\0", b"UNICODE\0", b"JIS\0\0\0\0\0") else value
        return " ".join(
            (
                body.decode("latin-1"),
                body.decode("utf-16-le", "replace"),
                body.decode("utf-16-be", "replace"),
            )
        )
    if isinstance(value, (tuple, list)):
        return " ".join(_as_text(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k} {_as_text(v)}" for k, v in value.items())
    return str(value)


def _image_views(name: str, data: bytes, ocr: _Ocr | None) -> Iterator[tuple[str, str]]:
    yield "bytes", strings(_metadata_bytes(data))
    yield "metadata", _image_metadata(data)
    if ocr is not None:
        try:
            with Image.open(io.BytesIO(data)) as img:
                image = ImageOps.exif_transpose(img).convert("L")  # upright: OCR reads rows
        except Exception:  # not decodable: its bytes and metadata were read above
            return
        ocr.submit(_Page(name, "OCR", image, None))
