"""Bates stamps: a line of text in a strip at the foot of each page, in an embedded font (court
e-filing systems refuse unembedded fonts), readable by any text extractor.

A generated page leaves the strip empty by its own margin. A stored page may print to its very
edge, so its content is scaled (about 96 %) towards the top of the page to free the strip: the
stamp never covers what the record shows. Rotated pages are stamped at the foot as displayed.
"""

from __future__ import annotations

import io
import subprocess
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pikepdf
from fontTools import subset
from fontTools.ttLib import TTFont
from pikepdf import Array, Dictionary, Matrix, Name, Pdf

STRIP = 26.0  # points kept for the stamp at the foot of every page
SIZE = 8.0  # type size of the stamp
FONT_NAME = "/FBates"
_FONT_FILES = ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",)


class _Metrics(NamedTuple):
    ascent: float  # in text space (1000 units to the em)
    descent: float
    bbox: tuple[int, int, int, int]  # in font units
    per_em: int


@cache
def _font_program() -> tuple[bytes, list[int], _Metrics]:
    """DejaVu Sans cut down to printable ASCII (what a Bates prefix and number use): the font
    program, its widths for codes 32-126 in text space, and its metrics."""
    path = next((p for p in _FONT_FILES if Path(p).is_file()), None) or _fc_match("DejaVu Sans")
    font = TTFont(path)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(unicodes=range(32, 127))
    sub.subset(font)
    per_em = font["head"].unitsPerEm
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    widths = [round(hmtx[cmap[c]][0] * 1000 / per_em) if c in cmap else 0 for c in range(32, 127)]
    head, hhea = font["head"], font["hhea"]
    metrics = _Metrics(
        ascent=hhea.ascent * 1000 / per_em,
        descent=hhea.descent * 1000 / per_em,
        bbox=(head.xMin, head.yMin, head.xMax, head.yMax),
        per_em=per_em,
    )
    out = io.BytesIO()
    font.save(out)
    return out.getvalue(), widths, metrics


def _fc_match(family: str) -> str:
    done = subprocess.run(
        ["fc-match", "-f", "%{file}", family], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def font(pdf: Pdf) -> pikepdf.Object:
    """The stamp font as an indirect object of `pdf` (one per output file)."""
    program, widths, m = _font_program()
    scale = 1000 / m.per_em
    descriptor = Dictionary(
        Type=Name.FontDescriptor,
        FontName=Name("/DJVBAT+DejaVuSans"),
        Flags=32,
        FontBBox=Array([round(v * scale) for v in m.bbox]),
        ItalicAngle=0,
        Ascent=round(m.ascent),
        Descent=round(m.descent),
        CapHeight=729,
        StemV=80,
        FontFile2=pdf.make_stream(program),
    )
    return pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.TrueType,
            BaseFont=Name("/DJVBAT+DejaVuSans"),
            FirstChar=32,
            LastChar=126,
            Widths=Array(widths),
            Encoding=Name.WinAnsiEncoding,
            FontDescriptor=pdf.make_indirect(descriptor),
        )
    )


def text_width(text: str, size: float = SIZE) -> float:
    _, widths, _ = _font_program()
    return sum(widths[ord(c) - 32] for c in text) * size / 1000


def _escape(text: str) -> bytes:
    if not text.isascii():
        raise ValueError("stamp text is ASCII")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode()


def _visual(page: pikepdf.Page) -> tuple[Matrix, float, float]:
    """The matrix from the page as displayed (origin bottom left, after /Rotate) to its own
    coordinates, and the displayed width and height."""
    x0, y0, x1, y1 = (float(v) for v in page.mediabox)
    w, h = x1 - x0, y1 - y0
    rotate = int(page.obj.get("/Rotate", 0)) % 360
    if rotate == 90:
        return Matrix(0, 1, -1, 0, x1, y0), h, w
    if rotate == 180:
        return Matrix(-1, 0, 0, -1, x1, y1), w, h
    if rotate == 270:
        return Matrix(0, -1, 1, 0, x0, y1), h, w
    return Matrix(1, 0, 0, 1, x0, y0), w, h


def _cm(m: Matrix) -> bytes:
    return m.encode() + b" cm"


def make_room(page: pikepdf.Page) -> None:
    """Scale a stored page's content (and its link areas) to free the strip at its foot."""
    to_media, width, height = _visual(page)
    s = (height - STRIP) / height
    shrink = Matrix(s, 0, 0, s, width * (1 - s) / 2, STRIP)
    # In the page's own coordinates: to the displayed frame, shrink there, and back.
    t = to_media.inverse() @ shrink @ to_media
    page.contents_add(b"q " + _cm(t) + b"\n", prepend=True)
    page.contents_add(b"\nQ")
    for annot in page.obj.get("/Annots", []):
        rect = annot.get("/Rect")
        if rect is None:
            continue
        xs, ys = zip(
            *(
                t.transform((float(rect[i]), float(rect[j])))
                for i, j in ((0, 1), (2, 3), (0, 3), (2, 1))
            ),
            strict=True,
        )
        annot.Rect = Array([min(xs), min(ys), max(xs), max(ys)])


def stamp(page: pikepdf.Page, font_ref: pikepdf.Object, left: str, right: str) -> None:
    """Write `left` and `right` (the Bates number) in the strip at the foot of the page."""
    to_media, width, _ = _visual(page)
    page.add_resource(font_ref, Name.Font, Name(FONT_NAME))
    y = (STRIP - SIZE) / 2 + 1
    margin = 36.0
    right_x = width - margin - text_width(right)
    ops = b"q " + _cm(to_media) + b" BT " + FONT_NAME.encode() + f" {SIZE} Tf".encode()
    ops += f" 1 0 0 1 {margin:.2f} {y:.2f} Tm (".encode() + _escape(left) + b") Tj"
    ops += f" 1 0 0 1 {right_x:.2f} {y:.2f} Tm (".encode() + _escape(right) + b") Tj ET Q"
    # The page's own content is closed in q/Q first: a generated page leaves its flipped
    # coordinate system set (WeasyPrint does), which would turn the stamp upside down.
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"\nQ\n" + ops + b"\n")
