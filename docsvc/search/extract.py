"""The text of a stored file, for the index: a PDF's text layer, OCR where it has none, DOCX and
e-mail text. Runs in the background worker, never on a request.

OCR is Tesseract run as a separate program (Apache-2.0), fed page images that pypdfium2
(BSD/Apache) renders; a page counts as scanned when its text layer has almost no words.
"""

from __future__ import annotations

import email
import io
import os
import subprocess
import warnings
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, MIMEPart
from html.parser import HTMLParser

import pi_heif
import pypdfium2 as pdfium
from docx import Document as DocxDocument
from PIL import Image, ImageOps, ImageSequence
from pypdf import PdfReader

from docsvc.attachments.sniff import DOCX, EML, IMAGES, PDF
from docsvc.pdflock import serialized

pi_heif.register_heif_opener()

MAX_CHARS = 200_000  # an index entry's text; the file itself is kept whole
MAX_OCR_PAGES = 50  # a longer scan is indexed by its first pages (noted in the text)
MIN_LAYER_CHARS = 25  # fewer word characters than this on a page: treat it as scanned
OCR_DPI = 300  # Tesseract's accuracy falls off sharply below 300 dpi
OCR_MAX_SIDE = 5000  # pixels; a larger photo is scaled down before OCR
OCR_TIMEOUT = 180  # seconds a page may take


class ExtractionError(Exception):
    """The file could not be read for text; the job records this and is retried."""


@dataclass(frozen=True)
class Extracted:
    text: str
    source: str  # "text": read from the file; "ocr": some or all of it recognised from images


def extract(data: bytes, media_type: str) -> Extracted:
    if media_type == PDF:
        return _pdf(data)
    if media_type in IMAGES:
        return Extracted(_cap(_ocr_frames(data)), "ocr")
    if media_type == DOCX:
        return Extracted(_cap(docx_text(data)), "text")
    if media_type == EML:
        return Extracted(_cap(eml_text(data)), "text")
    return Extracted("", "text")


def _cap(text: str) -> str:
    return text[:MAX_CHARS]


def _word_chars(text: str) -> int:
    return sum(ch.isalnum() for ch in text)


@serialized
def _render(data: bytes, index: int) -> Image.Image:
    """One page at 300 dpi, but never past OCR_MAX_SIDE pixels: a poster-sized page would
    otherwise render to gigabytes."""
    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[index]
        try:
            width, height = page.get_size()
            scale = min(OCR_DPI / 72, OCR_MAX_SIDE / max(width, height, 1))
            return page.render(scale=scale).to_pil()
        finally:
            page.close()
    finally:
        pdf.close()


def _pdf(data: bytes) -> Extracted:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        layers = [page.extract_text() or "" for page in reader.pages]
    scanned = [i for i, t in enumerate(layers) if _word_chars(t) < MIN_LAYER_CHARS]
    if not scanned:
        return Extracted(_cap("\n\n".join(layers)), "text")
    pages = list(layers)
    for i in scanned[:MAX_OCR_PAGES]:
        pages[i] = ocr_image(_render(data, i))
    if len(scanned) > MAX_OCR_PAGES:
        pages.append(f"[pages after {MAX_OCR_PAGES} scanned pages were not recognised]")
    return Extracted(_cap("\n\n".join(pages)), "ocr")


def _ocr_frames(data: bytes) -> str:
    """Every page of a scan (a multi-page TIFF holds a whole fax), upright as EXIF says."""
    texts = []
    try:
        with Image.open(io.BytesIO(data)) as image:
            for i, frame in enumerate(ImageSequence.Iterator(image)):
                if i == MAX_OCR_PAGES:
                    texts.append(f"[pages after {MAX_OCR_PAGES} were not recognised]")
                    break
                texts.append(ocr_image(ImageOps.exif_transpose(frame)))
    except (OSError, SyntaxError, ValueError) as exc:
        raise ExtractionError(f"the image could not be decoded for OCR ({exc})") from exc
    return "\n\n".join(texts)


def _tesseract(image: Image.Image, *config: str) -> str:
    image = image.convert("L")
    if max(image.size) > OCR_MAX_SIDE:
        image.thumbnail((OCR_MAX_SIDE, OCR_MAX_SIDE))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", "eng", *config],
            input=buf.getvalue(),
            capture_output=True,
            timeout=OCR_TIMEOUT,
            check=False,
            # One thread a page: the worker runs beside the web server on the same machine.
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    except FileNotFoundError as exc:
        raise ExtractionError("tesseract is not installed (apt-get install tesseract-ocr)") from exc
    except subprocess.TimeoutExpired as exc:
        raise ExtractionError(f"OCR of one page took longer than {OCR_TIMEOUT} s") from exc
    if done.returncode != 0:
        raise ExtractionError(
            f"tesseract failed ({done.returncode}): {done.stderr.decode(errors='replace')[-300:]}"
        )
    return done.stdout.decode("utf-8", errors="replace")


def ocr_image(image: Image.Image, psm: int | None = None) -> str:
    """Tesseract's reading of one image (English); `psm` its page-segmentation mode (3, the
    default, reads blocks; 6 one uniform block; 11 sparse text, lines beside a box)."""
    return _tesseract(image, *_psm(psm)).strip()


def _psm(psm: int | None) -> tuple[str, ...]:
    return ("--psm", str(psm)) if psm is not None else ()


@dataclass(frozen=True)
class OcrWord:
    text: str
    box: tuple[int, int, int, int]  # left, top, right, bottom, in the image's pixels
    line: tuple[int, int, int]  # block, paragraph, line: words of one line share it


def ocr_words(image: Image.Image, psm: int | None = None) -> list[OcrWord]:
    """Each word Tesseract reads, with where it is on the image (for boxing what it found).
    Boxes are in the image's own pixels even when it was scaled down for OCR."""
    scale = max(image.size) / OCR_MAX_SIDE if max(image.size) > OCR_MAX_SIDE else 1.0
    words = []
    for row in _tesseract(image, *_psm(psm), "tsv").splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or not cols[11].strip():
            continue
        left, top, width, height = (int(int(c) * scale) for c in cols[6:10])
        words.append(
            OcrWord(
                cols[11],
                (left, top, left + width, top + height),
                (int(cols[2]), int(cols[3]), int(cols[4])),
            )
        )
    return words


def docx_text(data: bytes) -> str:
    doc = DocxDocument(io.BytesIO(data))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(line for line in lines if line.strip())


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _part_text(part: MIMEPart) -> str:
    """A text part's content; a charset Python does not know is read as UTF-8, replacing
    what does not decode, rather than failing the whole message."""
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError):
        raw = part.get_payload(decode=True)
        return raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else ""


def eml_text(data: bytes) -> str:
    message = email.message_from_bytes(data, policy=policy.default)
    assert isinstance(message, EmailMessage)
    head = [f"{h}: {message[h]}" for h in ("From", "To", "Cc", "Date", "Subject") if message[h]]
    plain = message.get_body(preferencelist=("plain",))
    if plain is not None:
        body = _part_text(plain)
    else:
        html = message.get_body(preferencelist=("html",))
        body = ""
        if html is not None:
            parser = _HTMLText()
            parser.feed(_part_text(html))
            body = " ".join(parser.parts)
    names = [n for part in message.iter_attachments() if (n := part.get_filename())]
    tail = [f"Attached: {', '.join(names)}"] if names else []
    return "\n".join([*head, "", body, *tail])
