"""Proposed boxes cover every identifier however a page sets it, and nothing beside it.

Each identifier (a name, a phone, an e-mail, an address) is set on a page five ways: as plain
text, one glyph per text object spread apart, hyphenated across a line, only as pixels on an
image-only page, and as pixels beside a black box that Tesseract's default mode reads past. The
box must cover where the identifier's glyphs are (read by pdftotext -bbox, which is not what
find_boxes reads, or from the font that drew the pixels), must leave the neighbouring words
alone, and once burned in by `rebuild`, neither pdftotext nor Tesseract finds the identifier.
"""

from __future__ import annotations

import html
import io
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from pypdf.generic import RectangleObject

from docsvc.disclosure import pages
from docsvc.disclosure.pages import Box, find_boxes, rebuild
from docsvc.identity.needles import Identity, kinds_found, squashed
from docsvc.search.extract import OcrWord, ocr_image
from tests import helpers
from tests.helpers import pdf_with, scan_pdf, scan_text_rect, spaced_pdf, text_ops

WHO = Identity(
    name="Maria O'Brien-Nguyen",
    phone="(903) 555-0142",
    email="maria.obrien@example.org",
    address="1420 Wellington Street, Tom Bean, TX",
)
NEEDLES = WHO.needles()

Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Shown:
    kind: str
    text: str  # as the page sets it
    covered: str  # the part a box must cover (an address's number and street)
    broken: tuple[str, str]  # hyphenated across a line break


SHOWN = [
    Shown("name", "Maria O'Brien-Nguyen", "Maria O'Brien-Nguyen", ("Maria O'Bri-", "en-Nguyen")),
    Shown("phone", "903-555-0142", "903-555-0142", ("903-555-", "0142")),
    Shown(
        "email",
        "maria.obrien@example.org",
        "maria.obrien@example.org",
        ("maria.obrien@exam-", "ple.org"),
    ),
    Shown("address", "1420 Wellington Street", "1420 Wellington", ("1420 Wel-", "lington Street")),
]
BEFORE, AFTER = "Reported on Monday by", "about the yard"
NEIGHBOURS = ("Reported", "Monday", "yard")  # one word from the identifier at the nearest


@dataclass
class Case:
    data: bytes
    glyphs: list[Rect]  # where the identifier's glyphs (or words) are, PDF points
    neighbours: list[Rect]  # words beside it that identify nobody


def _words(data: bytes, tmp_path: Path) -> list[tuple[str, Rect]]:
    """pdftotext's words and their boxes, turned to PDF points with the origin bottom left."""
    path = tmp_path / "page.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    page = re.search(r'<page width="[\d.]+" height="([\d.]+)"', out)
    assert page
    height = float(page.group(1))
    words = []
    for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out
    ):
        x0, top, x1, bottom = (float(v) for v in m.groups()[:4])
        words.append((html.unescape(m.group(5)), (x0, height - bottom, x1, height - top)))
    return words


def _text_case(data: bytes, covered: str, tmp_path: Path) -> Case:
    """The glyphs after "by" whose letters spell `covered`, and the neighbouring words."""
    words = _words(data, tmp_path)
    start = [w for w, _ in words].index("by") + 1
    want, got, glyphs = squashed(covered), "", []
    for word, rect in words[start:]:
        if len(got) >= len(want):
            break
        got += squashed(word)
        glyphs.append(rect)
    assert got.startswith(want), (got, want)
    neighbours = [rect for word, rect in words if word in NEIGHBOURS]
    assert len(neighbours) == len(NEIGHBOURS)
    return Case(data, glyphs, neighbours)


def plain(s: Shown, tmp_path: Path) -> Case:
    return _text_case(pdf_with(text_ops(f"{BEFORE} {s.text} {AFTER}")), s.covered, tmp_path)


def spaced(spread: float) -> Callable[[Shown, Path], Case]:
    def make(s: Shown, tmp_path: Path) -> Case:
        return _text_case(spaced_pdf(BEFORE, s.text, AFTER, spread), s.covered, tmp_path)

    make.__name__ = f"spaced_{spread:g}pt"
    return make


def hyphenated(s: Shown, tmp_path: Path) -> Case:
    first, second = s.broken
    data = pdf_with(text_ops(f"{BEFORE} {first}", f"{second} {AFTER}"))
    return _text_case(data, s.covered, tmp_path)


def _scan_case(
    lines: list[tuple[int, int, str]], s: Shown, boxes: list[tuple[int, int, int, int]]
) -> Case:
    x, y, line = lines[0]
    glyphs = [scan_text_rect(x, y, line, s.covered)]
    neighbours = [scan_text_rect(x, y, line, word) for word in NEIGHBOURS]
    return Case(scan_pdf(lines, boxes), glyphs, neighbours)


def scanned(s: Shown, tmp_path: Path) -> Case:
    lines = [(150, 400, f"{BEFORE} {s.text} {AFTER}"), (150, 300, "COMPLAINT FORM")]
    return _scan_case(lines, s, [])


def scanned_spaced(s: Shown, tmp_path: Path) -> Case:
    """Letter-spaced type on a scan: Tesseract reads it in pieces ("M a ria O 'B rien")."""
    text = "  ".join(s.text)
    spaced_shown = Shown(s.kind, text, "  ".join(s.covered), s.broken)
    return _scan_case([(150, 400, f"{BEFORE} {text} {AFTER}")], spaced_shown, [])


def scanned_hyphenated(s: Shown, tmp_path: Path) -> Case:
    first, second = s.broken
    lines = [(150, 400, f"{BEFORE} {first}"), (150, 460, f"{second} {AFTER}")]
    glyphs = [
        scan_text_rect(150, 400, lines[0][2], first),
        scan_text_rect(150, 460, lines[1][2], second.removesuffix(" Street")),
    ]
    neighbours = [
        scan_text_rect(150, 400, lines[0][2], "Reported"),
        scan_text_rect(150, 400, lines[0][2], "Monday"),
        scan_text_rect(150, 460, lines[1][2], "yard"),
    ]
    return Case(scan_pdf(lines, []), glyphs, neighbours)


def beside_a_box(s: Shown, tmp_path: Path) -> Case:
    """A form's field beside a black box (a prior redaction, a filled cell): Tesseract's
    default layout analysis takes the line for part of the box and reads none of it."""
    lines = [(150, 300, BEFORE), (700, 415, s.text), (150, 530, AFTER)]
    data = scan_pdf(lines, [(150, 380, 660, 490)])
    glyphs = [scan_text_rect(700, 415, s.text, s.covered)]
    neighbours = [
        scan_text_rect(150, 300, BEFORE, "Reported"),
        scan_text_rect(150, 300, BEFORE, "Monday"),
        scan_text_rect(150, 530, AFTER, "yard"),
    ]
    return Case(data, glyphs, neighbours)


SETTINGS = [
    plain,
    spaced(3),
    spaced(6),
    spaced(9),
    hyphenated,
    scanned,
    scanned_spaced,
    scanned_hyphenated,
    beside_a_box,
]


def _inside(inner: Rect, outer: Rect, slack: float = 1.0) -> bool:
    return (
        outer[0] - slack <= inner[0]
        and outer[1] - slack <= inner[1]
        and inner[2] <= outer[2] + slack
        and inner[3] <= outer[3] + slack
    )


def _hides(box: Rect, word: Rect) -> bool:
    """Whether a box hides a word, or any real part of it (not the sliver a box padded to a
    line's full height shares with the line above)."""
    across = max(0.0, min(box[2], word[2]) - max(box[0], word[0]))
    up = max(0.0, min(box[3], word[3]) - max(box[1], word[1]))
    return across * up > 0.1 * (word[2] - word[0]) * (word[3] - word[1])


def _rect(b: Box) -> Rect:
    return (b.x0, b.y0, b.x1, b.y1)


def _render(data: bytes, dpi: int = 300) -> list[Image.Image]:
    pdf = pdfium.PdfDocument(data)
    try:
        return [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(pdf))]
    finally:
        pdf.close()


def _cleared(image: Image.Image, boxes: list[Box]) -> Image.Image:
    k = image.height / 792
    out = image.copy()
    draw = ImageDraw.Draw(out)
    for b in boxes:
        draw.rectangle(((b.x0 * k, (792 - b.y1) * k), (b.x1 * k, (792 - b.y0) * k)), fill=255)
    return out


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "released.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.slow
@pytest.mark.parametrize("setting", SETTINGS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("shown", SHOWN, ids=lambda s: s.kind)
def test_a_box_covers_the_identifier_and_burning_it_removes_it(
    shown: Shown, setting: Callable[[Shown, Path], Case], tmp_path: Path
) -> None:
    case = setting(shown, tmp_path)
    boxes, sizes = find_boxes(case.data, NEEDLES)
    assert sizes == [(612.0, 792.0)]
    assert boxes and {b.page for b in boxes} == {1}
    assert shown.kind in {b.kind for b in boxes} or shown.kind == "email"  # a name-like e-mail
    for glyph in case.glyphs:
        assert any(_inside(glyph, _rect(b)) for b in boxes), (glyph, boxes)
    for word in case.neighbours:
        assert not any(_hides(_rect(b), word) for b in boxes), (word, boxes)

    released = rebuild(case.data, boxes, "Withheld", "Record")
    assert kinds_found(_pdftotext(released, tmp_path), NEEDLES) == set()
    (image,) = _render(released)
    # Tesseract often reads nothing of a line with a box in it: read it as it is, and with the
    # boxes painted white, which leaves every pixel of the page outside them to be read.
    cleared = _cleared(image, boxes)
    readings = [ocr_image(image, psm=3), ocr_image(image, psm=11), ocr_image(cleared, psm=3)]
    for reading in readings:
        assert kinds_found(reading, NEEDLES) == set(), readings
    assert "Monday" in readings[2] and "yard" in readings[2], readings  # not a blank page


@pytest.mark.slow
@pytest.mark.parametrize("shown", SHOWN, ids=lambda s: s.kind)
def test_the_default_mode_alone_misses_a_line_beside_a_box(shown: Shown, tmp_path: Path) -> None:
    """What the beside-a-box setting stands for: one reading is not enough (at the resolution
    find_boxes reads)."""
    (image,) = _render(beside_a_box(shown, tmp_path).data, dpi=pages.RENDER_DPI)
    assert shown.kind not in kinds_found(ocr_image(image, psm=3), NEEDLES)


@pytest.mark.slow
def test_a_line_between_two_boxes_that_every_mode_drops_is_read_with_the_boxes_cleared() -> None:
    line = "Call Maria O'Brien-Nguyen now"
    data = scan_pdf([(150, 430, line)], [(100, 380, 140, 490), (700, 380, 1600, 490)])
    (image,) = _render(data, dpi=pages.RENDER_DPI)
    for psm in (3, 6, 11):
        assert "name" not in kinds_found(ocr_image(image, psm=psm), NEEDLES), psm
    boxes, _ = find_boxes(data, NEEDLES)
    glyphs = scan_text_rect(150, 430, line, "Maria O'Brien-Nguyen")
    assert [b.kind for b in boxes] == ["name"]
    assert _inside(glyphs, _rect(boxes[0]))


def test_text_that_only_touches_a_name_at_a_word_boundary_is_left_alone() -> None:
    """Spacing removed, "to Brien" spells "obrien"; but a hit must start and end with words."""
    data = pdf_with(text_ops("Parcel next to Brien Street and the Nguyenville road, per Marian"))
    assert find_boxes(data, NEEDLES)[0] == []


@pytest.mark.slow
def test_a_text_layer_that_says_other_words_than_its_pixels_is_read_from_the_pixels() -> None:
    """An image of the name under invisible text about something else (as a careless OCR tool
    or a deliberate cover writes): the layer is good, the pixels are what a reader sees."""
    picture = helpers.text_image(["Complaint by Maria O'Brien-Nguyen"], fmt="PDF")
    cover = pdf_with(
        "BT 3 Tr /F1 11 Tf 72 700 Td (Routine inspection of the fence and the yard.) Tj ET"
    )
    writer = PdfWriter()
    page = writer.add_page(PdfReader(io.BytesIO(picture)).pages[0])
    page.merge_page(PdfReader(io.BytesIO(cover)).pages[0])
    out = io.BytesIO()
    writer.write(out)
    boxes, _ = find_boxes(out.getvalue(), NEEDLES)
    assert [b.kind for b in boxes] == ["name"]
    (image,) = _render(rebuild(out.getvalue(), boxes, "Withheld", "Record"))
    assert kinds_found(ocr_image(image, psm=11), NEEDLES) == set()


def _with_note(data: bytes, text: str) -> bytes:
    """The page with a free-text annotation showing `text`: drawn on the page (and burned with
    it when the page has a box), never part of its text layer."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(data))
    font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
    )
    look = pikepdf.Stream(pdf, f"BT /F1 11 Tf 2 6 Td ({text}) Tj ET".encode("latin-1"))
    look.stream_dict = pikepdf.Dictionary(
        Type=pikepdf.Name.XObject,
        Subtype=pikepdf.Name.Form,
        BBox=[0, 0, 200, 20],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
    )
    note = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.FreeText,
        Rect=[300, 500, 500, 520],
        Contents=pikepdf.String(text),
        DA=pikepdf.String("/Helv 11 Tf 0 g"),
        AP=pikepdf.Dictionary(N=look),
    )
    pdf.pages[0].Annots = pikepdf.Array([pdf.make_indirect(note)])
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.mark.slow
def test_ocr_passes_are_bounded_by_what_the_text_layer_leaves_unexplained(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    modes: list[int | None] = []
    real = pages.ocr_words

    def counting(image: Image.Image, psm: int | None = None) -> list[OcrWord]:
        modes.append(psm)
        return real(image, psm=psm)

    monkeypatch.setattr(pages, "ocr_words", counting)

    def passes(data: bytes) -> tuple[list[int | None], list[str]]:
        modes.clear()
        boxes, _ = find_boxes(data, NEEDLES)
        return list(modes), [b.kind for b in boxes]

    letter = text_ops("Notice of violation for the fence at the rear of the yard.")
    # A good layer and nothing drawn but its glyphs: nothing to read.
    assert passes(pdf_with(letter)) == ([], [])
    # A rule under it is ink the layer does not explain: one look, no words, no more.
    assert passes(pdf_with(letter + " 72 690 300 1 re f")) == ([3], [])
    # A note's appearance is drawn and is not in the layer: read every way, and boxed.
    with_note = _with_note(pdf_with(letter), "Maria O'Brien-Nguyen")
    assert passes(with_note) == ([3, 11], ["name"])
    # A scan is read whole, and with its black areas cleared when it has any.
    assert passes(scan_pdf([(150, 400, "Notice of violation for the fence")], [])) == (
        [3, 11],
        [],
    )
    assert passes(beside_a_box(SHOWN[0], Path()).data) == ([3, 11, 3], ["name"])


@pytest.mark.slow
def test_a_name_in_a_note_on_a_page_with_another_box_is_burned_with_it(tmp_path: Path) -> None:
    """A page with a box is released as its image, annotations drawn: a note's name must be
    boxed too, or the burned page shows it."""
    data = _with_note(pdf_with(text_ops(f"{BEFORE} 903-555-0142 {AFTER}")), "Maria O'Brien-Nguyen")
    boxes, _ = find_boxes(data, NEEDLES)
    assert sorted(b.kind for b in boxes) == ["name", "phone"]
    (image,) = _render(rebuild(data, boxes, "Withheld", "Record"))
    for reading in (ocr_image(image, psm=11), ocr_image(_cleared(image, boxes), psm=3)):
        assert kinds_found(reading, NEEDLES) == set(), reading


@pytest.mark.slow
def test_one_identifier_seen_by_every_reading_is_one_box() -> None:
    data = scan_pdf(
        [(150, 400, "Name: Maria O'Brien-Nguyen"), (150, 500, "Phone: 903-555-0142")], []
    )
    boxes, _ = find_boxes(data, NEEDLES)
    assert sorted(b.kind for b in boxes) == ["name", "phone"]


@pytest.mark.slow
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_boxes_land_on_a_cropped_and_rotated_page_where_it_is_shown(rotate: int) -> None:
    """The text layer's coordinates are the page's own; what is rendered and burned is the page
    as shown, cropped and turned."""
    writer = PdfWriter()
    page = writer.add_page(
        PdfReader(io.BytesIO(pdf_with(text_ops(f"{BEFORE} Maria O'Brien-Nguyen", y=500)))).pages[0]
    )
    page.cropbox = RectangleObject([40, 120, 560, 700])
    if rotate:
        page.rotate(rotate)
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    boxes, sizes = find_boxes(data, NEEDLES)
    assert sizes == [(520.0, 580.0) if rotate % 180 == 0 else (580.0, 520.0)]
    assert boxes
    released = rebuild(data, boxes, "Withheld", "Record")
    burned = PdfReader(io.BytesIO(released)).pages[0]
    assert (float(burned.mediabox.width), float(burned.mediabox.height)) == sizes[0]  # unstretched
    (image,) = _render(released)
    readings = [ocr_image(image.rotate(turn, expand=True), psm=11) for turn in (0, 90, 180, 270)]
    assert any("Reported" in r for r in readings)  # the page is there, the right way up once
    assert all(kinds_found(r, NEEDLES) == set() for r in readings), readings


@pytest.mark.slow
@pytest.mark.parametrize("spread", [3, 5, 7, 9])
def test_a_short_page_with_a_surname_set_a_glyph_at_a_time_is_boxed(
    spread: int, tmp_path: Path
) -> None:
    """The testers' page: too little text for the layer to count as text (it was left to OCR,
    which read the spread glyphs as something else and boxed nothing), and Tesseract reading
    the released page found the name."""
    data = helpers.per_glyph_pdf(spread)
    words = _words(data, tmp_path)
    assert [word for word, _ in words[:3]] == ["Reported", "by", "Maria"]
    assert "".join(word for word, _ in words[3:]) == "OBrien"
    glyphs = [rect for _, rect in words[3:]]
    boxes, _ = find_boxes(data, NEEDLES)
    for glyph in glyphs:
        assert any(_inside(glyph, _rect(b)) for b in boxes), (glyph, boxes)
    released = rebuild(data, boxes, "Withheld", "Record")
    assert kinds_found(_pdftotext(released, tmp_path), NEEDLES) == set()
    (image,) = _render(released)
    for reading in (ocr_image(image, psm=3), ocr_image(_cleared(image, boxes), psm=3)):
        assert "name" not in kinds_found(reading, NEEDLES), reading
