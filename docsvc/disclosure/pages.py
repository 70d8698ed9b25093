"""Finding identifiers on PDF pages, and rebuilding a PDF with them burned out.

Boxes are in PDF points, origin at the page's bottom left, as the API gives them. A page's
text layer (PDFium's characters and their boxes) is searched first; a page with no usable text
layer (a scan) is read by OCR, word by word. A page with a box is released as an image of
itself with the box painted in and labelled: nothing of what was under it survives. A page
without one keeps its text, but the whole file is rewritten from its pages alone: no document
information, XMP, outline, annotations, links, form fields, attachments or scripts, and every
embedded image re-encoded from its pixels (no EXIF, XMP or comments).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from docsvc.disclosure.identity import Needle, find_spans
from docsvc.search.extract import MIN_LAYER_CHARS, ocr_words

RENDER_DPI = 200  # redacted pages: sharp enough to read, a fraction of 300 dpi's size
PAD = 2.0  # points around each hit
MIN_BOX_WIDTH = 72.0  # points; widths are rounded up to a multiple of this quantum too, so a
BOX_QUANTUM = 24.0  # box's width does not give away the length of the name under it
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@dataclass(frozen=True)
class Box:
    page: int  # 1-based
    x0: float
    y0: float
    x1: float
    y1: float
    kind: str


def _pad(
    page_w: float, x0: float, y0: float, x1: float, y1: float
) -> tuple[float, float, float, float]:
    width = max(MIN_BOX_WIDTH, x1 - x0 + 2 * PAD)
    width = BOX_QUANTUM * -(-width // BOX_QUANTUM)
    mid = (x0 + x1) / 2
    left = min(max(0.0, mid - width / 2), max(0.0, page_w - width))
    return left, y0 - PAD, min(page_w, left + width), y1 + PAD


def _line_boxes(
    rects: list[tuple[float, float, float, float]],
) -> list[tuple[float, float, float, float]]:
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
                    count = textpage.count_chars()
                    text = textpage.get_text_range(0, count) if count else ""
                    layer = sum(ch.isalnum() for ch in text)
                    if layer >= MIN_LAYER_CHARS and len(text) == count:
                        for a, b, kind in find_spans(text, needles):
                            rects = [textpage.get_charbox(i, loose=True) for i in range(a, b)]
                            rects = [r for r in rects if r[2] > r[0]]
                            for x0, y0, x1, y1 in _line_boxes(rects):
                                boxes.append(Box(index + 1, *_pad(width, x0, y0, x1, y1), kind))
                        continue
                finally:
                    textpage.close()
                scale = RENDER_DPI / 72
                image = page.render(scale=scale, grayscale=True).to_pil()
            finally:
                page.close()
            boxes.extend(_ocr_boxes(image, needles, index + 1, width, height, scale))
    finally:
        pdf.close()
    return boxes, sizes


def _ocr_boxes(
    image: Image.Image, needles: list[Needle], page: int, width: float, height: float, scale: float
) -> list[Box]:
    words = ocr_words(image)
    text, owner = "", []
    for n, w in enumerate(words):
        sep = "" if n == 0 else (" " if w.line == words[n - 1].line else "\n")
        text += sep
        owner.extend([n] * len(sep))
        text += w.text
        owner.extend([n] * len(w.text))
    out = []
    for a, b, kind in find_spans(text, needles):
        hit = sorted({owner[i] for i in range(a, b)})
        rects = []
        for n in hit:
            left, top, right, bottom = words[n].box
            rects.append(
                (left / scale, height - bottom / scale, right / scale, height - top / scale)
            )
        for x0, y0, x1, y1 in _line_boxes(rects):
            out.append(Box(page, *_pad(width, x0, y0, x1, y1), kind))
    return out


def _burned_page(pdf: pdfium.PdfDocument, index: int, boxes: list[Box], label: str) -> Image.Image:
    page = pdf[index]
    try:
        height = page.get_size()[1]
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
    return image


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
                    width, height = float(page.mediabox.width), float(page.mediabox.height)
                    image = _burned_page(pdf, index, by_page[index + 1], label)
                    writer.add_page(_image_page(image, width, height))
                    continue
                added = writer.add_page(page)
                for key in ("/Annots", "/Metadata", "/PieceInfo", "/Thumb", "/AA", "/B"):
                    if key in added:
                        del added[NameObject(key)]
                for picture in added.images:
                    # From pixels: a photo's EXIF or a scanner's comment stays behind.
                    picture.replace(picture.image.convert("RGB"), quality=85)
        finally:
            pdf.close()
        writer.add_metadata({"/Title": title, "/Producer": "docsvc"})
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue()


def _image_page(image: Image.Image, width: float, height: float):  # type: ignore[no-untyped-def]
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
