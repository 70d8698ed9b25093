"""The leak scanner catches each way a complainant's identity has leaked from real releases.

Each attack is a file as a careless tool would have produced it; the scanner must name the
file, where it looked, and the kind of identifier, and must stay silent on a clean package.
What it looks for comes from the case record through its own code (scan_targets), never from
the redaction's needles. The corpus of every identifier in every carrier is in
test_leak_corpus.py.
"""

from __future__ import annotations

import ast
import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from docsvc.disclosure import scan_targets, scanner
from docsvc.disclosure.scan_targets import Targets, parse_street, targets_for
from docsvc.disclosure.scanner import scan_package
from docsvc.models import Case
from tests import helpers
from tests.conftest import complaint_case
from tests.helpers import pdf_with, text_ops

WHO = {
    "name": "Maria O'Brien-Nguyễn",
    "phone": "(903) 555-0142",
    "email": "maria.obrien@example.org",
    "address": "100 N Oak Avenue Apt 4B, Tom Bean, TX",
}
TARGETS = Targets.of(**WHO)
FORBIDDEN = ("docsvc.identity.needles", "docsvc.cases.normalize")


def package(**files: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def kinds(findings) -> set[str]:
    return {f.kind for f in findings}


def scan(ocr: bool = False, **files: bytes):
    return scan_package(package(**files), TARGETS, ocr=ocr)


# --- what the scanner looks for --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Maria O'Brien-Nguyễn",
        "MARIA OBRIEN NGUYEN",
        "maria o brien nguyen",
        "O\u2019Brien\u00adNguyen, Maria",
        "Nguyen, Maria",
        "Ms. O'Brien",
        "M a r i a  O ' B r i e n",
        "M  a  r  i  a  O  B  r  i  e  n",
        "Complaint from Maria O'Bri-\nen about the yard",
        "Reported by MariaOBrien",  # glued to the word before it: the case change splits
    ],
)
def test_the_name_however_it_is_written(text: str) -> None:
    assert "name" in TARGETS.kinds_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "(903) 555-0142",
        "903-555-0142",
        "903.555.0142",
        "9035550142",
        "+1 903 555 0142",
        "1-903-555-0142",
        "19035550142",
        "555-0142",
        "9 0 3 5 5 5 0 1 4 2",
        "Tel:903-555-0142x12",
    ],
)
def test_the_phone_in_any_format(text: str) -> None:
    assert TARGETS.kinds_in(text) == {"phone"}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("100 N Oak Avenue", {"address"}),
        ("100 North Oak Ave.", {"address"}),
        ("100 n oak", {"address"}),
        ("100 Oak Avenue", {"address"}),
        ("1 0 0  N  O a k", {"address"}),
        ("100 N Oak Ave #4B", {"address", "unit"}),
        ("Apt 4B", {"unit"}),
        ("Apartment 4B", {"unit"}),
        ("Unit 4B", {"unit"}),
        ("# 4B", {"unit"}),
        ("#4B", {"unit"}),
        ("Suite 4B", {"unit"}),
        ("Ste. 4-B", {"unit"}),
        # Neighbours and look-alikes are someone else.
        ("100 N Main Street", set()),
        ("100 N", set()),
        ("2100 N Oak Ave", set()),
        ("100 S Oak Ave", set()),
        ("100 N Oakwood Dr", set()),
        ("100 N Oak Street", set()),  # another street type: another street
        ("Apt 14B", set()),
        ("4B", set()),
    ],
)
def test_the_address_whole_and_the_unit_with_its_designator(text: str, found: set[str]) -> None:
    assert TARGETS.kinds_in(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Anna went to Brien Street",  # the letters of "obrien" across two words
        "Call 903-555-0199 for the office",
        "29035550142",
        "Maria Street is two blocks away",
        "Inspector Nguy on site",
    ],
)
def test_near_misses_are_not_findings(text: str) -> None:
    assert TARGETS.kinds_in(text) == set()


def test_the_email_whole_and_its_local_part() -> None:
    assert TARGETS.kinds_in("write to maria.obrien@example.org") >= {"email"}
    assert "email" in TARGETS.kinds_in("mailto:maria.obrien%40example.org")
    only = Targets.of(email="zq.complainant@example.org")
    assert only.kinds_in("user zq.complainant signed in") == {"email"}
    assert only.kinds_in("example.org") == set()
    shared = Targets.of(email="info@oak-bakery.example")
    assert shared.kinds_in("write to info@oak-bakery.example") == {"email"}
    assert shared.kinds_in("for more info, call the office") == set()


def test_skipped_kinds_are_the_only_ones_left_out() -> None:
    public = Targets.of(**WHO, skip={"name", "address"})
    assert public.kinds == {"phone", "email", "unit"}
    # The property's address is public; the complainant's unit in it is not.
    assert public.kinds_in("100 N Oak Avenue Apt 4B") == {"unit"}
    assert public.kinds_in("Maria Nguyen") == set()


def test_an_address_is_parsed_by_its_own_code() -> None:
    line = parse_street("100 North Oak Ave., Apt 4B, Tom Bean")
    assert line is not None
    assert (line.number, line.direction, line.name, line.street_type, line.unit) == (
        "100",
        "n",
        ("oak",),
        "ave",
        ("4b",),
    )
    assert parse_street("PO Box 12, Tom Bean") is None
    assert Targets.of(address="PO Box 12").kinds_in("send to P.O. Box 12") == {"address"}


def test_targets_never_show_their_values() -> None:
    assert "obrien" not in repr(TARGETS).lower() and "555" not in repr(TARGETS)


@pytest.mark.parametrize("module", [scanner, scan_targets], ids=lambda m: m.__name__)
def test_the_scanner_does_not_use_the_redactions_matching(module) -> None:
    """Independence: a mistake in the redaction's needles or normalisation must not be made a
    second time by the code that checks it."""
    source = Path(module.__file__).read_text()
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
            imported |= {f"{node.module}.{a.name}" for a in node.names}
    assert not {m for m in imported for f in FORBIDDEN if m == f or m.startswith(f + ".")}
    assert "import_module" not in source and "__import__" not in source
    # Nor anything of theirs reached by another name.
    for value in vars(module).values():
        assert getattr(value, "__module__", None) not in FORBIDDEN, value


def test_targets_come_from_the_case_record_less_only_what_is_waived(
    client, officer, database
) -> None:
    # The complainant lives on the property's block: "100 N" is shared, the street is not.
    body = complaint_case(address="100 N Main Street", complainant=WHO)
    case = client.post("/api/cases", headers=officer.headers, json=body).json
    anonymous_body = complaint_case(anonymous=True)
    anonymous_body["complaint"].pop("complainant")
    anonymous = client.post("/api/cases", headers=officer.headers, json=anonymous_body).json
    with database.session() as s:
        ids = {c.case_number: c.id for c in s.scalars(select(Case))}
        cid, anon = ids[case["case_number"]], ids[anonymous["case_number"]]
        every = targets_for(s, [cid, anon])
        waived = targets_for(s, [cid], {cid: {"address"}})
        assert targets_for(s, [anon]).kinds == set()
    assert every.kinds == {"name", "phone", "email", "address", "unit"}
    assert every.kinds_in("Complainant at 100 N Oak Avenue") == {"address"}
    assert every.kinds_in("Property: 100 N Main Street") == set()
    assert waived.kinds == {"name", "phone", "email", "unit"}


# --- where the scanner looks -----------------------------------------------------------------


@pytest.mark.slow
def test_a_clean_package_passes() -> None:
    clean = pdf_with(
        text_ops(
            "Notice of violation. Case TB-2026-000001.",
            "Property: 100 N Main Street. Owner: Smith & Sons LLC.",
            "Complainant: [Informer identity withheld, Gov't Code 552.101]",
            "Maria Street is two blocks away; call 903-555-0199 for the office.",
        ),
        info="/Producer (docsvc)",
    )
    assert scan(ocr=True, **{"TB-2026-000001-001.pdf": clean}) == []


def test_nothing_to_look_for_finds_nothing_and_reads_nothing() -> None:
    bad = pdf_with(text_ops("Maria O'Brien-Nguyen"))
    assert scan_package(package(**{"a.pdf": bad}), Targets()) == []


def test_name_split_across_lines() -> None:
    bad = pdf_with(text_ops("Complaint received from Maria O'Bri-", "en-Nguyen about the yard."))
    found = scan(**{"0001.pdf": bad})
    assert "name" in kinds(found)
    assert {f.where for f in found} >= {"text (pdftotext -layout)", "text (pdftotext -raw)"}


@pytest.mark.parametrize("spread", [0, 3, 9], ids=["set-naturally", "a-few-points", "spaced-out"])
def test_per_glyph_text(spread: int) -> None:
    """Each glyph its own text object at its own position, as many generators write them."""
    found = scan(**{"0001.pdf": helpers.per_glyph_pdf(spread)})
    assert {"name"} <= {f.kind for f in found if "pdftotext" in f.where}


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


@pytest.mark.slow
def test_name_in_a_docx_comment_header_and_author() -> None:
    found = scan(**{"0001.docx": helpers.leaky_docx("903.555.0142")})
    where = {f.file for f in found}
    assert {"0001.docx/docProps/core.xml", "0001.docx/word/header1.xml"} <= where
    assert ("0001.docx/word/comments.xml", "phone") in {(f.file, f.kind) for f in found}


def test_a_name_split_across_word_runs_and_escaped_in_xml() -> None:
    """Word starts a new run wherever formatting changes, mid-word; XML escapes apostrophes."""
    part = (
        '<w:p><w:r><w:t xml:space="preserve">Reported by Ma</w:t></w:r><w:r><w:rPr><w:b/>'
        "</w:rPr><w:t>ria O&apos;Bri</w:t></w:r><w:r><w:t>en</w:t></w:r></w:p>"
    )
    found = scan(**{"word/document.xml": part.encode()})
    assert ("text (markup removed)", "name") in {(f.where, f.kind) for f in found}
    assert "text" not in {f.where for f in found}  # the raw XML alone would have missed it


def test_a_name_escaped_in_json() -> None:
    data = b'{"note": "from M. O\\u2019Brien"}'
    found = scan(**{"index.json": data})
    assert [(f.where, f.kind) for f in found] == [("text (JSON values)", "name")]


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


def test_a_unicode_user_comment_and_a_windows_author_tag() -> None:
    """EXIF text the raw bytes do not show as ASCII: UTF-16 in the Exif directory and in
    Windows' XP tags, read as text from the tags."""
    exif = Image.Exif()
    exif[0x9C9D] = "Maria O'Brien".encode("utf-16-le")  # XPAuthor
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\0" + "Call 903 555 0142".encode("utf-16-le")
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "gray").save(out, "JPEG", exif=exif)
    found = scan(**{"0001.jpg": out.getvalue()})
    assert {("metadata", "name"), ("metadata", "phone")} <= {(f.where, f.kind) for f in found}


def test_name_in_a_file_name() -> None:
    found = scan(**{"complaint-OBrien-Nguyen.pdf": pdf_with(text_ops("Notice"))})
    assert [(f.where, f.kind) for f in found] == [("file name", "name")]


def test_email_in_a_mailto_link() -> None:
    link = (
        "<< /Type /Annot /Subtype /Link /Rect [72 690 200 710] "
        "/A << /S /URI /URI (mailto:maria.obrien@example.org) >> >>"
    )
    found = scan(**{"0001.pdf": pdf_with(text_ops("Write to the complainant"), annots=link)})
    assert ("strings and streams (pypdf)", "email") in {(f.where, f.kind) for f in found}


@pytest.mark.slow
def test_name_in_an_image_only_scan() -> None:
    scan_pdf = helpers.text_image(["Complaint form", "Name: Maria O'Brien-Nguyen"], fmt="PDF")
    found = scan(ocr=True, **{"0001.pdf": scan_pdf})
    assert {f.where for f in found if f.kind == "name"} <= {"page 1 OCR", "page 1 OCR (mode 11)"}
    assert "page 1 OCR" in {f.where for f in found if f.kind == "name"}


@pytest.mark.slow
def test_a_line_between_two_burned_boxes_is_read_in_the_second_mode() -> None:
    """Layout analysis (mode 3) takes a line between two boxes for part of them and misreads
    it; the second reading, sparse text on the page with its boxes painted out, reads it."""
    line = "Phone 903 555 0142"
    page = helpers.scan_pdf(
        [(120, 300, "Name"), (560, 300, line)], [(300, 290, 540, 340), (1000, 290, 1400, 340)]
    )
    found = scan(ocr=True, **{"0001.pdf": page})
    assert ("page 1 OCR (mode 11)", "phone") in {(f.where, f.kind) for f in found}


@pytest.mark.slow
def test_the_second_reading_is_only_where_it_is_worth_one(monkeypatch) -> None:
    """Plain text pages (a picture on one too) and photos without words are read once; a scan,
    a page with a burned-in box, and a page showing words its layer lacks, twice."""
    modes: list[tuple[int, int]] = []
    real = scanner.ocr_image

    def counting(image, psm=None):
        modes.append((image.size[0], psm))
        return real(image, psm=psm)

    monkeypatch.setattr(scanner, "ocr_image", counting)
    text_page = pdf_with(text_ops(*(["Inspection of the yard and the fence."] * 12)))
    photo = io.BytesIO()
    Image.effect_noise((800, 600), 40).convert("RGB").save(photo, "JPEG")
    logo = helpers.pdf_with_photo(helpers.jpeg(exif=False), *(["The fence is down."] * 12))
    scan(ocr=True, **{"text.pdf": text_page, "photo.jpg": photo.getvalue(), "logo.pdf": logo})
    assert sorted(psm for _, psm in modes) == [3, 3, 3]
    modes.clear()
    scanned = helpers.text_image(["Complaint form", "Yard, fence and tall weeds"], fmt="PDF")
    boxed = pdf_with(text_ops("Complainant: [withheld]") + " 0 0 0 rg 72 600 200 40 re f")
    # A letter with a picture of other words on it (a pasted scan): more than its layer.
    picture = io.BytesIO()
    Image.open(
        io.BytesIO(helpers.text_image(["Tall weeds in the back yard", "fence down"]))
    ).convert("RGB").save(picture, "JPEG")
    pasted = helpers.pdf_with_photo(picture.getvalue(), "Letter about the property.")
    scan(ocr=True, **{"scan.pdf": scanned, "boxed.pdf": boxed, "pasted.pdf": pasted})
    assert sorted(psm for _, psm in modes) == [3, 3, 3, 11, 11, 11]
