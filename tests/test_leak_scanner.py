"""The leak scanner catches each way a complainant's identity has leaked from real releases.

Each attack is a file as a careless tool would have produced it; the scanner must name the
file, where it looked, and the kind of identifier, and must stay silent on a clean package.
"""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from docsvc.disclosure.identity import Identity, kinds_found
from docsvc.disclosure.scanner import scan_package
from tests import helpers
from tests.helpers import pdf_with, text_ops

WHO = Identity(
    name="Maria O'Brien-Nguyễn",
    phone="(903) 555-0142",
    email="maria.obrien@example.org",
    address="1420 Elm Street, Tom Bean, TX",
)
NEEDLES = WHO.needles()


def package(**files: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def kinds(findings) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.kind for f in findings}


def scan(ocr: bool = False, **files: bytes):  # type: ignore[no-untyped-def]
    return scan_package(package(**files), NEEDLES, ocr=ocr)


def test_a_clean_package_passes() -> None:
    clean = pdf_with(
        text_ops(
            "Notice of violation. Case TB-2026-000001.",
            "Property: 1418 Elm Street. Owner: Smith & Sons LLC.",
            "Complainant: [Informer identity withheld, Gov't Code 552.101]",
            "Maria Street is two blocks away; call 903-555-0199 for the office.",
        ),
        info="/Producer (docsvc)",
    )
    assert scan(ocr=True, **{"TB-2026-000001-001.pdf": clean}) == []


def test_name_split_across_lines() -> None:
    bad = pdf_with(text_ops("Complaint received from Maria O'Bri-", "en-Nguyen about the yard."))
    found = scan(**{"0001.pdf": bad})
    assert "name" in kinds(found)
    assert {f.where for f in found} >= {"text (pdftotext -layout)", "text (pdftotext -raw)"}


@pytest.mark.parametrize("spread", [0, 9], ids=["set-naturally", "spaced-out"])
def test_per_glyph_text(spread: int) -> None:
    """Each glyph its own text object at its own position, as many generators write them."""
    found = scan(**{"0001.pdf": helpers.per_glyph_pdf(spread)})
    assert "name" in kinds(found)


def test_a_black_box_over_live_text() -> None:
    ops = text_ops("Complainant: Maria O'Brien-Nguyen") + " 0 0 0 rg 140 695 160 16 re f"
    found = scan(**{"0001.pdf": pdf_with(ops)})
    assert any(f.kind == "name" and "pdftotext" in f.where for f in found)


def test_name_in_pdf_metadata_and_outline() -> None:
    bad = pdf_with(
        text_ops("Notice"),
        info="/Author (Maria O'Brien-Nguyen) /Title <FEFF004D0061007200690061>",
        outline="Letter from M. O'Brien-Nguyen",
    )
    found = scan(**{"0001.pdf": bad})
    assert "name" in kinds(found)
    assert "strings and streams (pypdf)" in {f.where for f in found}


def test_name_in_a_docx_comment_header_and_author() -> None:
    found = scan(**{"0001.docx": helpers.leaky_docx("903.555.0142")})
    where = {f.file for f in found}
    assert {"0001.docx/docProps/core.xml", "0001.docx/word/header1.xml"} <= where
    assert ("0001.docx/word/comments.xml", "phone") in {(f.file, f.kind) for f in found}


def test_name_in_exif_artist_and_a_jpeg_comment() -> None:
    img = Image.new("RGB", (64, 48), "gray")
    exif = Image.Exif()
    exif[0x013B] = "Maria OBrien-Nguyen"  # Artist
    with_exif = io.BytesIO()
    img.save(with_exif, "JPEG", exif=exif)
    with_comment = io.BytesIO()
    img.save(with_comment, "JPEG", comment=b"shot by maria.obrien@example.org")
    found = scan(**{"0001.jpg": with_exif.getvalue(), "0002.jpg": with_comment.getvalue()})
    assert ("0001.jpg", "name") in {(f.file, f.kind) for f in found}
    assert ("0002.jpg", "email") in {(f.file, f.kind) for f in found}


def test_name_in_a_file_name() -> None:
    found = scan(**{"complaint-OBrien-Nguyen.pdf": pdf_with(text_ops("Notice"))})
    assert [(f.where, f.kind) for f in found] == [("file name", "name")]


@pytest.mark.parametrize(
    "phone",
    ["(903) 555-0142", "903.555.0142", "+1 903 555 0142", "9035550142", "903-555-0142"],
)
def test_phone_in_any_format(phone: str) -> None:
    found = scan(**{"0001.pdf": pdf_with(text_ops(f"Call back at {phone} after 5."))})
    assert "phone" in kinds(found)


def test_email_in_a_mailto_link() -> None:
    link = (
        "<< /Type /Annot /Subtype /Link /Rect [72 690 200 710] "
        "/A << /S /URI /URI (mailto:maria.obrien@example.org) >> >>"
    )
    found = scan(**{"0001.pdf": pdf_with(text_ops("Write to the complainant"), annots=link)})
    assert ("strings and streams (pypdf)", "email") in {(f.where, f.kind) for f in found}


def test_name_in_an_image_only_scan() -> None:
    scan_pdf = helpers.text_image(["Complaint form", "Name: Maria O'Brien-Nguyen"], fmt="PDF")
    found = scan(ocr=True, **{"0001.pdf": scan_pdf})
    assert [(f.where, f.kind) for f in found if f.kind == "name"] == [("page 1 OCR", "name")]


def test_address_and_variants_of_the_name() -> None:
    assert kinds_found("lives at 1420 ELM ST., apt 2", NEEDLES) == {"address"}
    # Surname first; the e-mail's local part (maria.obrien) is also in it, and says so.
    assert kinds_found("NGUYEN, MARIA O'BRIEN", NEEDLES) == {"name", "email"}
    assert kinds_found("Maria O\u2019Brien\u00adNguyễn", NEEDLES) == {"name"}
    assert kinds_found("M a r i a  O ' B r i e n", NEEDLES) == {"name"}
    assert kinds_found("Maria went to Brien Street", NEEDLES) == set()
