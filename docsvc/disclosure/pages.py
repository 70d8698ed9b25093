"""Finding identifiers on PDF pages, and rebuilding a PDF with them burned out.

Boxes are in PDF points, origin at the bottom left of the page as it is shown (after its crop
box and rotation), as the API gives them. Each page is searched two ways and the hits are
united:

- its text layer, PDFium's characters in content order, with `find_spans` and once more with
  the spacing between glyphs removed: a name set a glyph at a time ("O B r i e n"), with
  glyphs set in pairs or hyphenated across a line, is still the name;
- its pixels, read by Tesseract, because what is drawn need not be the text layer. A page
  that draws an image (a scan, a photo, a stamp), has text that is not drawn (an OCR'd scan's
  layer; invisible words over an image of others), or whose layer is thin or unmapped, is
  read whole, three ways: mode 3 (automatic layout, reads blocks as a person would); mode 11
  (sparse text, no layout analysis), which reads the lines beside a black box or in a form
  that layout analysis throws away with the box; and, where the page has solid black areas,
  mode 3 again with them painted white, which reads a line caught between two boxes that
  every mode drops. A page whose layer is good is read only where its ink is not the layer's
  glyphs (their boxes painted white: annotations' appearances, text drawn as outlines): not
  at all when nothing is left, in mode 3 when something is, and in all three ways when that
  turns out to be words. At most three passes a page; none for a generated letter. (What is
  trusted is that a good layer's glyphs show its characters: a font whose map lies letter
  for letter is not caught here; the leak scanner reads every released page's pixels.)

A page with a box is released as an image of itself with the box painted in and labelled:
nothing of what was under it survives. A page without one keeps its text, but the whole file
is rewritten from its pages alone: no document information, XMP, outline, annotations, links,
form fields, attachments or scripts, and every embedded image re-encoded from its pixels (no
EXIF, XMP or comments).
"""

from __future__ import annotations

import ctypes
import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageDraw, ImageFont
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import NameObject

from docsvc.cases.normalize import APOSTROPHES
from docsvc.identity.needles import Needle, find_spans, squashed
from docsvc.pdflock import serialized
from docsvc.search.extract import MIN_LAYER_CHARS, OcrWord, ocr_words

RENDER_DPI = 200  # redacted pages: sharp enough to read, a fraction of 300 dpi's size
PAD = 2.0  # points around each hit
MIN_BOX_WIDTH = 72.0  # points; widths are rounded up to a multiple of this quantum too, so a
BOX_QUANTUM = 24.0  # box's width does not give away the length of the name under it
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

FIRST_MODE = 3  # Tesseract's automatic layout: reads blocks and columns as a person would
SPARSE_MODE = 11  # no layout analysis: every scrap of text, lines beside boxes included
OCR_MARGIN = 0.1  # of a word's width, past a letter's share of it (letters are not all as wide)
MIN_SPACED = 5  # shortest needle looked for with the spacing between glyphs removed
MIN_INK = 40  # dark pixels left once a good layer's glyphs are painted out, before OCR
UNMAPPED_SHARE = 0.05  # of a layer's characters with no Unicode: it does not say what is drawn
# Solid black areas (burned-in boxes, bars) are found on 8-pixel cells: a cell at most this
# grey on average, in a run of at least SOLID_CELLS cells each way (24 px, 8.6 pt at 200 dpi,
# thicker than any stroke of body text).
CELL = 8
SOLID_GREY = 64
SOLID_CELLS = 3
# Characters that join what is on either side of them: pdfium's mark for a hyphen it removed
# at a line's end, the soft hyphen, zero-width space and joiners, word joiner, byte-order mark.
_JOINERS = frozenset("\x02\ufffe\u00ad\u200b\u200c\u200d\u2060\ufeff") | frozenset(APOSTROPHES)
_PRIORITY = {"name": 0, "email": 1, "phone": 2, "address": 3}

Rect = tuple[float, float, float, float]  # x0, y0, x1, y1 in points, origin bottom left


@dataclass(frozen=True)
class Box:
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    kind: str


@dataclass(frozen=True)
class _Stream:
    """A page's text as one reading saw it, with where each character is (None: a space or
    line break that reading put in)."""

    text: str
    rects: list[Rect | None]
    shown: Callable[[Rect], Rect] | None = None  # from the reading's coordinates to the page's


def _pad(
    page_w: float, x0: float, y0: float, x1: float, y1: float
) -> tuple[float, float, float, float]:
    width = max(MIN_BOX_WIDTH, x1 - x0 + 2 * PAD)
    width = BOX_QUANTUM * -(-width // BOX_QUANTUM)
    mid = (x0 + x1) / 2
    left = min(max(0.0, mid - width / 2), max(0.0, page_w - width))
    return left, y0 - PAD, min(page_w, left + width), y1 + PAD


def _line_boxes(rects: list[Rect]) -> list[Rect]:
    """Character or word rectangles merged into one per line (a name may wrap)."""
    lines: list[list[float]] = []
    for x0, y0, x1, y1 in sorted(rects, key=lambda r: (-r[3], r[0])):
        for line in lines:
            if abs(line[1] - y0) < (y1 - y0) * 0.6 or abs(line[3] - y1) < (y1 - y0) * 0.6:
                line[0], line[1] = min(line[0], x0), min(line[1], y0)
                line[2], line[3] = max(line[2], x1), max(line[3], y1)
                break
        else:
            lines.append([x0, y0, x1, y1])
    return [(a, b, c, d) for a, b, c, d in lines]


@serialized
def find_boxes(data: bytes, needles: list[Needle]) -> tuple[list[Box], list[tuple[float, float]]]:
    """Every identifier on every page, boxed; and each page's size in points."""
    boxes: list[Box] = []
    sizes: list[tuple[float, float]] = []
    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                width, height = page.get_size()
                sizes.append((width, height))
                textpage = page.get_textpage()
                try:
                    layer = _layer_stream(page, textpage, width, height)
                finally:
                    textpage.close()
                scale = RENDER_DPI / 72
                render = page.render(scale=scale, grayscale=True).to_pil()
                trusted = _layer_is_good(layer.text) and not _draws_more_than_its_layer(page)
            finally:
                page.close()
            found = _stream_hits(layer, needles)
            # A good layer is drawn where it says: only the rest of the ink is read (and
            # Tesseract's boxes are rough where the layer's are exact).
            pixels = _ink_beyond(layer, render, scale, height) if trusted else render
            read = []
            if pixels is not None:
                for stream in _ocr_streams(pixels, not trusted, scale, height):
                    read.extend(_stream_hits(stream, needles))
            for rect, kind in _merge(found + read):
                boxes.append(Box(index + 1, *_pad(width, *rect), kind))
    finally:
        pdf.close()
    return boxes, sizes


def _layer_stream(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, width: float, height: float
) -> _Stream:
    """The text layer a character at a time: each code point as PDFium holds it (its text
    ranges are UTF-16, which splits a character outside the BMP in two). Boxes stay in the
    page's own coordinates, where a line of text is level, until its hits are merged."""
    chars: list[str] = []
    rects: list[Rect | None] = []
    for i in range(textpage.count_chars()):
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        if code == 2:
            ch = "\ufffe"  # a hyphen PDFium took out at a line's end, as its text ranges say
        elif 0 < code < 0x110000 and not 0xD800 <= code < 0xE000:
            ch = chr(code)
        else:
            ch = "\ufffd"
        if pdfium_c.FPDFText_HasUnicodeMapError(textpage, i):
            ch = "\ufffd"
        chars.append(ch)
        rect = None
        if not ch.isspace():
            x0, y0, x1, y1 = textpage.get_charbox(i, loose=True)
            if x1 > x0:
                rect = (x0, y0, x1, y1)
        rects.append(rect)
    return _Stream("".join(chars), rects, _shown(page, width, height))


_REACH = 1000.0  # points: far apart, so PDFium's whole-unit answers make a precise mapping


def _shown(page: pdfium.PdfPage, width: float, height: float) -> Callable[[Rect], Rect]:
    """The mapping from the page's own coordinates to those of the page as shown, which is what
    is rendered and burned: the crop box's corner is the origin and /Rotate is applied. Read
    from PDFium's own mapping at three points, so the two can never disagree."""
    device = []
    dx, dy = ctypes.c_int(), ctypes.c_int()
    for px, py in ((0.0, 0.0), (_REACH, 0.0), (0.0, _REACH)):
        pdfium_c.FPDF_PageToDevice(page, 0, 0, round(width * 100), round(height * 100), 0,
                                   px, py, dx, dy)  # fmt: skip
        device.append((dx.value / 100, height - dy.value / 100))
    (ox, oy), (ax, ay), (bx, by) = device
    ux, uy, vx, vy = (ax - ox) / _REACH, (ay - oy) / _REACH, (bx - ox) / _REACH, (by - oy) / _REACH

    def to_shown(rect: Rect) -> Rect:
        xs, ys = [], []
        for x, y in ((rect[0], rect[1]), (rect[2], rect[3])):
            xs.append(ox + x * ux + y * vx)
            ys.append(oy + x * uy + y * vy)
        return min(xs), min(ys), max(xs), max(ys)

    return to_shown


_UNSEEN = (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)


def _draws_more_than_its_layer(page: pdfium.PdfPage) -> bool:
    """Whether the page's pixels may hold text its layer does not: it draws an image (a scan,
    a photo, a stamp), or it has text that is not drawn (the layer of an OCR'd scan, or a
    cover over an image of other words)."""
    kinds = [pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_TEXT]
    for obj in page.get_objects(filter=kinds):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            return True
        if pdfium_c.FPDFTextObj_GetTextRenderMode(obj) in _UNSEEN:
            return True
    return False


def _layer_is_good(text: str) -> bool:
    """Enough text, nearly all of it mapped to Unicode: a layer that says what is drawn."""
    unmapped = sum(
        ch == "\ufffd" or 0xE000 <= ord(ch) < 0xF900 or (ch < " " and ch not in "\r\n\t")
        for ch in text
    )
    words = sum(ch.isalnum() for ch in text)
    return words >= MIN_LAYER_CHARS and unmapped <= UNMAPPED_SHARE * len(text)


def _ink_beyond(
    layer: _Stream, image: Image.Image, scale: float, height: float
) -> Image.Image | None:
    """The page with every glyph of its text layer painted white (its loose box, which holds
    the whole glyph), or None when no ink is left."""
    pixels = np.array(image.convert("L"))
    rows, cols = pixels.shape
    for rect in layer.rects:
        if rect is None:
            continue
        x0, y0, x1, y1 = layer.shown(rect) if layer.shown else rect
        left, right = max(0, int(x0 * scale) - 1), min(cols, int(x1 * scale) + 2)
        top, bottom = (
            max(0, int((height - y1) * scale) - 1),
            min(rows, int((height - y0) * scale) + 2),
        )
        pixels[top:bottom, left:right] = 255
    if int((pixels < 128).sum()) < MIN_INK:
        return None
    return Image.fromarray(pixels)


def _ocr_streams(image: Image.Image, whole: bool, scale: float, height: float) -> list[_Stream]:
    """The pixels read in mode 3; and, if they are a `whole` page or that reading found words
    in what a good layer left, in mode 11 and with solid black areas cleared."""
    first = ocr_words(image, psm=FIRST_MODE)
    words = [first]
    if whole or any(sum(ch.isalnum() for ch in w.text) >= 3 for w in first):
        words.append(ocr_words(image, psm=SPARSE_MODE))
        cleared = _without_solid_areas(image)
        if cleared is not None:
            words.append(ocr_words(cleared, psm=FIRST_MODE))
    return [_ocr_stream(w, scale, height) for w in words]


def _without_solid_areas(image: Image.Image) -> Image.Image | None:
    """The page with its solid black areas and the ink touching them painted white, or None
    when it has none: Tesseract's layout analysis takes a line beside a box for part of the
    box, and with the box gone reads it as text."""
    grey = np.asarray(image.convert("L"))
    rows, cols = grey.shape[0] // CELL, grey.shape[1] // CELL
    cells = grey[: rows * CELL, : cols * CELL].reshape(rows, CELL, cols, CELL).mean(axis=(1, 3))
    solid = _opened(cells < SOLID_GREY, SOLID_CELLS)
    if not solid.any():
        return None
    mask = np.zeros(grey.shape, dtype=bool)
    mask[: rows * CELL, : cols * CELL] = solid.repeat(CELL, axis=0).repeat(CELL, axis=1)
    # The cells stop short of a box's edge: grow into dark pixels by up to a cell's width.
    dark = grey < 128
    for _ in range(CELL + 2):
        grown = mask.copy()
        grown[1:] |= mask[:-1]
        grown[:-1] |= mask[1:]
        grown[:, 1:] |= mask[:, :-1]
        grown[:, :-1] |= mask[:, 1:]
        mask |= grown & dark
    out = grey.copy()
    out[mask] = 255
    return Image.fromarray(out)


def _opened(cells: np.ndarray, k: int) -> np.ndarray:
    """Morphological opening by a k-by-k square: what is left is only the runs of at least k
    cells each way (a stroke of text is never that wide)."""
    eroded = cells.copy()
    for axis in (0, 1):
        source = eroded.copy()
        for s in range(1, k):
            shifted = np.zeros_like(source)
            if axis == 0:
                shifted[:-s] = source[s:]
            else:
                shifted[:, :-s] = source[:, s:]
            eroded &= shifted
    opened = eroded.copy()
    for axis in (0, 1):
        source = opened.copy()
        for s in range(1, k):
            if axis == 0:
                opened[s:] |= source[:-s]
            else:
                opened[:, s:] |= source[:, :-s]
    return opened


def _ocr_stream(words: list[OcrWord], scale: float, height: float) -> _Stream:
    """OCR words as one text. Tesseract boxes words, not letters, and sometimes glues a label
    to what follows ("Name:Maria"): each letter gets its share of its word's width, widened by
    OCR_MARGIN of the word each way, so a hit in part of a word boxes that part, generously.
    On letter-spaced type it may also stretch a word's box over the words after it on the
    line; the box stops where the next word begins."""
    chars: list[str] = []
    rects: list[Rect | None] = []
    for n, w in enumerate(words):
        if n:
            chars.append(" " if w.line == words[n - 1].line else "\n")
            rects.append(None)
        left, top, right, bottom = (v / scale for v in w.box)
        after = words[n + 1] if n + 1 < len(words) else None
        if after is not None and after.line == w.line and left < after.box[0] / scale < right:
            right = after.box[0] / scale
        share = (right - left) / max(len(w.text), 1)
        margin = share + OCR_MARGIN * (right - left)
        for i, ch in enumerate(w.text):
            x0 = max(left, left + i * share - margin)
            x1 = min(right, left + (i + 1) * share + margin)
            chars.append(ch)
            rects.append((x0, height - bottom, x1, height - top))
    return _Stream("".join(chars), rects)


def _stream_hits(stream: _Stream, needles: list[Needle]) -> list[tuple[Rect, str]]:
    out: list[tuple[Rect, str]] = []
    for a, b, kind in [*find_spans(stream.text, needles), *_spaced_spans(stream.text, needles)]:
        rects = [r for r in stream.rects[a:b] if r is not None]
        lines = _line_boxes(rects)
        out.extend((stream.shown(r) if stream.shown else r, kind) for r in lines)
    return out


@lru_cache(maxsize=4096)
def _squash(text: str) -> str:
    return squashed(text)


_LOOKAROUND = re.compile(r"\(\?<?[!=](?:\[\\[wd]\]|\\[wd])\)")
_GAP = re.compile(r"\\s[+*?]")


def _spaced_forms(needles: list[Needle]) -> list[tuple[str, str]]:
    """Each needle as letters and digits alone: its squashed form, or its pattern's when that
    is a plain phrase or digit string; only those long enough not to turn up by chance."""
    out = []
    for needle in needles:
        form = needle.squashed_form
        if not form:
            core = _GAP.sub("", _LOOKAROUND.sub("", needle.word_pattern.pattern))
            form = core if re.fullmatch(r"[a-z0-9]+", core) else None
        if form and len(form) >= MIN_SPACED:
            out.append((form, needle.kind))
    return out


def _spaced_spans(text: str, needles: list[Needle]) -> list[tuple[int, int, str]]:
    """Needles found in the letters and digits of `text` with every space and mark between
    them removed ("O B r i e n", "OBr ien", "O'Bri-\\nen"), where the hit starts at the start
    of a word and ends at the end of one: "to Brien" does not hold "obrien"."""
    forms = _spaced_forms(needles)
    if not forms:
        return []
    letters: list[str] = []
    where: list[int] = []
    starts: set[int] = set()
    gap = True
    for i, ch in enumerate(text):
        if ch in _JOINERS:
            continue
        folded = _squash(ch)
        if not folded:
            gap = True
            continue
        if gap:
            starts.add(len(letters))
            gap = False
        letters.extend(folded)
        where.extend([i] * len(folded))
    joined = "".join(letters)
    spans = []
    for form, kind in forms:
        at = joined.find(form)
        while at >= 0:
            end = at + len(form)
            if at in starts and (end == len(joined) or end in starts):
                spans.append((where[at], where[end - 1] + 1, kind))
            at = joined.find(form, at + 1)
    return spans


def _same_line(a: Rect, b: Rect) -> bool:
    """Whether two rectangles touch and share most of a line's height."""
    tall = min(a[3] - a[1], b[3] - b[1])
    across = min(a[2], b[2]) - max(a[0], b[0])
    return across >= -1.0 and min(a[3], b[3]) - max(a[1], b[1]) >= 0.5 * tall


def _merge(hits: list[tuple[Rect, str]]) -> list[tuple[Rect, str]]:
    """Hits on one line that overlap (one identifier seen by the text layer and by OCR, or by
    two OCR modes) as one rectangle, named by the most identifying kind among them."""
    merged = [(list(rect), kind) for rect, kind in hits]
    changed = True
    while changed:
        changed = False
        for i in range(len(merged)):
            for j in range(len(merged) - 1, i, -1):
                a, ka = merged[i]
                b, kb = merged[j]
                if not _same_line((a[0], a[1], a[2], a[3]), (b[0], b[1], b[2], b[3])):
                    continue
                a[:] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                merged[i] = (a, min(ka, kb, key=lambda k: _PRIORITY.get(k, 9)))
                del merged[j]
                changed = True
    return [((r[0], r[1], r[2], r[3]), k) for r, k in merged]


def _burned_page(
    pdf: pdfium.PdfDocument, index: int, boxes: list[Box], label: str
) -> tuple[Image.Image, tuple[float, float]]:
    """The page as shown, burned; and its size as shown (a cropped or turned page's image is
    that size, not its media box's)."""
    page = pdf[index]
    try:
        width, height = page.get_size()
        scale = RENDER_DPI / 72
        image = page.render(scale=scale).to_pil().convert("RGB")
    finally:
        page.close()
    draw = ImageDraw.Draw(image)
    for b in boxes:
        left, top = b.x0 * scale, (height - b.y1) * scale
        right, bottom = b.x1 * scale, (height - b.y0) * scale
        draw.rectangle((left, top, right, bottom), fill="black")
        size = max(8, int((bottom - top) * 0.45))
        font = ImageFont.truetype(FONT, size)
        text = label
        while text and draw.textlength(text, font=font) > (right - left) - 6:
            text = text[:-2] + "…" if len(text) > 2 else ""
        if text:
            draw.text((left + 3, top + (bottom - top - size) / 2), text, fill="white", font=font)
    return image, (width, height)


@serialized
def rebuild(data: bytes, boxes: list[Box], label: str, title: str) -> bytes:
    """The released PDF: boxed pages burned in as images, the rest kept, all of it rewritten."""
    by_page: dict[int, list[Box]] = {}
    for b in boxes:
        by_page.setdefault(b.page, []).append(b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data), strict=False)
        writer = PdfWriter()
        pdf = pdfium.PdfDocument(data)
        try:
            for index, page in enumerate(reader.pages):
                if index + 1 in by_page:
                    image, (width, height) = _burned_page(pdf, index, by_page[index + 1], label)
                    writer.add_page(_image_page(image, width, height))
                    continue
                added = writer.add_page(page)
                for key in ("/Annots", "/Metadata", "/PieceInfo", "/Thumb", "/AA", "/B"):
                    if key in added:
                        del added[NameObject(key)]
                for picture in added.images:
                    # From pixels: a photo's EXIF or a scanner's comment stays behind.
                    # Copied pixel by pixel: convert() keeps the image's info (a JPEG comment
                    # naming the complainant would be written back out).
                    assert picture.image is not None  # pypdf decodes every image it lists
                    rgb = picture.image.convert("RGB")
                    picture.replace(Image.frombytes("RGB", rgb.size, rgb.tobytes()), quality=85)
        finally:
            pdf.close()
        writer.add_metadata({"/Title": title, "/Producer": "docsvc"})
        out = io.BytesIO()
        writer.write(out)
    return _only_what_is_drawn(out.getvalue())


# What a page needs to be drawn; anything else on it (a producer's private note, a piece of
# another application's data) goes.
_PAGE_KEYS = {"/Type", "/Parent", "/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox",
              "/Rotate", "/UserUnit", "/Resources", "/Contents"}  # fmt: skip


def _only_what_is_drawn(data: bytes) -> bytes:
    """Each page with only the keys that draw it and the resources its content uses: a form or
    image listed in a page's resources but never drawn is never boxed (nobody sees it) and must
    not ride along with its text."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.remove_unreferenced_resources()
        for page in pdf.pages:
            for key in page.obj.keys() - _PAGE_KEYS:
                del page.obj[key]
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def _image_page(image: Image.Image, width: float, height: float) -> PageObject:
    buf = io.BytesIO()
    dpi = image.width * 72 / width
    image.save(buf, "PDF", resolution=dpi, title="", author="", subject="", creator="", producer="")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        page = PdfReader(io.BytesIO(buf.getvalue())).pages[0]
    page.mediabox.upper_right = (width, height)
    return page


def image_pdf(data: bytes) -> bytes:
    """A photo or scan as a one-page PDF rebuilt from its pixels (upright, as EXIF said)."""
    from PIL import ImageOps

    with Image.open(io.BytesIO(data)) as img:
        pixels = ImageOps.exif_transpose(img).convert("RGB")
    clean = Image.frombytes("RGB", pixels.size, pixels.tobytes())  # no info, no EXIF
    buf = io.BytesIO()
    # Fit the long side to 11 inches so a page prints at a sensible size.
    dpi = max(72.0, max(clean.size) / 11)
    clean.save(buf, "PDF", resolution=dpi, title="", author="", subject="", creator="", producer="")
    return buf.getvalue()
