"""An adversarial corpus for the leak scanner: every identifier of one complainant, in every
carrier a release file has been seen to hide one in, must be a finding of its kind.

The identities are this file's own: "Maria O'Brien-Nguyễn", a phone in seven formats, an
e-mail, and a home at "100 N Oak Avenue Apt 4B" on the same block as the property at "100 N
Main Street" (the neighbour's address must never be a finding; the complainant's always).
Carriers: the text layer; glyphs set one by one a few points apart; one text object per glyph;
a word hyphenated across a line; a black box drawn over live text; pixels only (a scan in a
PDF, a JPEG); metadata (PDF Info, XMP, EXIF Artist / Copyright / UserComment, a DOCX's author,
header and comment); file names; a photo's caption.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

import pikepdf
import pytest
from PIL import Image

from docsvc.disclosure.scan_targets import Targets
from docsvc.disclosure.scanner import Finding, scan_package
from tests import helpers
from tests.helpers import pdf_with, text_ops

NAME = "Maria O'Brien-Nguyễn"
PHONE = "(903) 555-0142"
EMAIL = "maria.obrien@example.org"
HOME = "100 N Oak Avenue Apt 4B, Tom Bean, TX 75489"
PROPERTY = "100 N Main Street"
TARGETS = Targets.of(NAME, PHONE, EMAIL, HOME)


@dataclass(frozen=True)
class Written:
    """One identifier as a file writes it: its kind, the text, and where a line may break it."""

    kind: str
    text: str
    ascii_text: str  # for carriers with no accents (Helvetica in WinAnsi, EXIF's ASCII)

    @property
    def broken(self) -> tuple[str, str]:
        """Hyphenated across a line in its longest word: ('Maria O'Bri-', 'en-Nguyen')."""
        words = self.ascii_text.split(" ")
        k = max(range(len(words)), key=lambda i: len(words[i]))
        cut = len(words[k]) // 2
        before = " ".join([*words[:k], words[k][:cut]])
        return f"{before}-", " ".join([words[k][cut:], *words[k + 1 :]])


PHONES = [
    "(903) 555-0142",
    "903-555-0142",
    "903.555.0142",
    "9035550142",
    "+1 903 555 0142",
    "1-903-555-0142",
    "555-0142",
]
WRITTEN = [
    Written("name", NAME, "Maria O'Brien-Nguyen"),
    *(Written("phone", p, p) for p in PHONES),
    Written("email", EMAIL, EMAIL),
    Written("address", "100 N Oak Avenue", "100 N Oak Avenue"),
    Written("address", "100 North Oak Ave.", "100 North Oak Ave."),
    Written("unit", "Apt 4B", "Apt 4B"),
]
IDS = [f"{w.kind}:{w.text}" for w in WRITTEN]


def package(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def scan(files: dict[str, bytes], ocr: bool = False) -> list[Finding]:
    return scan_package(package(files), TARGETS, ocr=ocr)


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def glyph_by_glyph(text: str, spread: float) -> bytes:
    """'Reported by' set as usual, then `text` one text object per glyph, `spread` points
    apart beyond each glyph's own width (Helvetica 11)."""
    widths = helpers._helvetica_widths()
    x, ops = 140.0, [text_ops("Reported by")]
    for ch in text:
        if ch != " ":
            ops.append(f"BT /F1 11 Tf {x:.2f} 700 Td ({_escaped(ch)}) Tj ET")
        x += widths.get(ch, 556) * 11 / 1000 + spread
    return pdf_with(" ".join(ops))


def with_xmp(data: bytes, creator: str) -> bytes:
    """The PDF with an XMP packet naming `creator` (and nothing else changed)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:creator"] = [creator]
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def exif_jpeg(tag: str, value: str) -> bytes:
    exif = Image.Exif()
    if tag == "Artist":
        exif[0x013B] = value
    elif tag == "Copyright":
        exif[0x8298] = value
    else:  # UserComment, in the Exif directory, with its character-code header
        exif.get_ifd(0x8769)[0x9286] = b"ASCII\0\0\0" + value.encode("ascii")
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "olive").save(out, "JPEG", exif=exif)
    return out.getvalue()


def docx_with(where: str, value: str) -> bytes:
    from docx import Document

    d = Document()
    d.add_paragraph("The owner says the fence will be fixed by Friday.")
    if where == "author":
        d.core_properties.author = value
    elif where == "header":
        d.sections[0].header.paragraphs[0].text = f"Forwarded by {value}"
    else:
        d.add_comment(d.paragraphs[0].runs, text=f"From {value}", author="Clerk")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def captioned_photo(caption: str) -> bytes:
    """A photo page as a case file holds one: the picture, and its caption as text below."""
    return helpers.pdf_with_photo(helpers.jpeg(exif=False), f"Photo 3. {caption}")


# Each carrier: (files for the package, whether OCR is what must read it).
Carrier = Callable[[Written], dict[str, bytes]]
TEXT_CARRIERS: dict[str, Carrier] = {
    "text layer": lambda w: {"r.pdf": pdf_with(text_ops(f"Reported: {w.ascii_text} today"))},
    "letter-spaced glyphs": lambda w: {"r.pdf": glyph_by_glyph(w.ascii_text, 3.0)},
    "per-glyph text objects": lambda w: {"r.pdf": glyph_by_glyph(w.ascii_text, 0.0)},
    "line-break hyphenation": lambda w: {"r.pdf": pdf_with(text_ops(*w.broken))},
    "black box over live text": lambda w: {
        "r.pdf": pdf_with(text_ops(w.ascii_text) + " 0 0 0 rg 66 694 300 18 re f")
    },
    "PDF Info": lambda w: {
        "r.pdf": pdf_with(text_ops("Notice"), info=f"/Author ({_escaped(w.ascii_text)})")
    },
    "XMP": lambda w: {"r.pdf": with_xmp(pdf_with(text_ops("Notice")), w.text)},
    "EXIF Artist": lambda w: {"p.jpg": exif_jpeg("Artist", w.ascii_text)},
    "EXIF Copyright": lambda w: {"p.jpg": exif_jpeg("Copyright", w.ascii_text)},
    "EXIF UserComment": lambda w: {"p.jpg": exif_jpeg("UserComment", w.ascii_text)},
    "DOCX author": lambda w: {"r.docx": docx_with("author", w.text)},
    "DOCX header": lambda w: {"r.docx": docx_with("header", w.text)},
    "DOCX comment": lambda w: {"r.docx": docx_with("comment", w.text)},
    "file name": lambda w: {f"letter from {w.text}.pdf": pdf_with(text_ops("Notice"))},
    "photo caption": lambda w: {"r.pdf": captioned_photo(f"Taken by {w.ascii_text}")},
}
PIXEL_CARRIERS: dict[str, Carrier] = {
    "image-only PDF": lambda w: {
        "r.pdf": helpers.text_image(["Complaint form", w.text], fmt="PDF", size=(1700, 400))
    },
    "JPEG": lambda w: {
        "p.jpg": helpers.text_image(["Complaint form", w.text], fmt="JPEG", size=(1700, 400))
    },
}


@pytest.mark.parametrize("written", WRITTEN, ids=IDS)
@pytest.mark.parametrize("carrier", list(TEXT_CARRIERS))
def test_every_identifier_in_every_carrier_is_found(carrier: str, written: Written) -> None:
    found = scan(TEXT_CARRIERS[carrier](written))
    assert written.kind in {f.kind for f in found}, (carrier, written.text)


@pytest.mark.slow
@pytest.mark.parametrize("written", WRITTEN, ids=IDS)
@pytest.mark.parametrize("carrier", list(PIXEL_CARRIERS))
def test_every_identifier_in_pixels_is_found_by_ocr(carrier: str, written: Written) -> None:
    found = scan(PIXEL_CARRIERS[carrier](written), ocr=True)
    assert written.kind in {f.kind for f in found if "OCR" in f.where}, (carrier, written.text)


@pytest.mark.slow
def test_nothing_is_found_in_a_clean_file_in_any_carrier() -> None:
    """The same carriers with what a release may show: the neighbour's address, the office's
    phone, the label that replaced the complainant, another Maria."""
    clean = Written(
        "none", "Maria Street office, 903-555-0199", "Maria Street office, 903-555-0199"
    )
    files: dict[str, bytes] = {}
    for n, make in enumerate([*TEXT_CARRIERS.values(), *PIXEL_CARRIERS.values()]):
        for name, data in make(clean).items():
            files[f"{n}-{name}"] = data
    files["neighbour.pdf"] = pdf_with(text_ops(f"Property: {PROPERTY}, owner Smith & Sons LLC"))
    assert scan(files, ocr=True) == []


@pytest.mark.parametrize(
    "ocr", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["text layer", "pixels"]
)
def test_the_neighbour_on_the_same_block_is_not_the_complainant(ocr: bool) -> None:
    """'100 N' is shared by the property and the complainant's home: only the whole street
    decides. Each line on its own page, so a finding says which one it was."""
    lines = {
        "property.pdf": f"Property: {PROPERTY}, Tom Bean",
        "home.pdf": "Complainant lives at 100 N Oak Avenue, Tom Bean",
    }
    files = {
        name: helpers.text_image([line], fmt="PDF", size=(1700, 300))
        if ocr
        else pdf_with(text_ops(line))
        for name, line in lines.items()
    }
    found = scan(files, ocr=ocr)
    assert {(f.file, f.kind) for f in found} == {("home.pdf", "address")}
