"""Notices on paper (issue 21): the signature block, the seal, the #10 window envelope, the
compliance date, one page for a plain notice of violation, photographs in a grid, the DOCX."""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from docsvc.documents.deadlines import Rule
from docsvc.documents.pdfa import structure_problems
from docsvc.models import Document, Jurisdiction, User
from docsvc.profiles.schema import DEFAULT_WINDOW
from tests.documents_helpers import (
    build_case,
    docx_text,
    docx_xml,
    issue,
    pdf_text,
    qpdf_check,
)

POINTS = 72  # PDF points per inch

CONTACT = {
    "title": "Code Compliance Officer",
    "phone": "(903) 546-6012",
    "email": "dana.ruiz@example.org",
}


@dataclass
class Signer:
    headers: dict[str, str]
    name: str


@pytest.fixture
def signer(database) -> Signer:
    """An officer whose user record has a title, a telephone and an e-mail."""
    from docsvc.auth.credentials import create_user, issue_token

    with database.session() as s:
        u = create_user(s, "druiz", "officer", display_name="Dana Ruiz", badge="1047", **CONTACT)
        token = issue_token(s, u)
        s.commit()
    return Signer({"Authorization": f"Bearer {token}"}, "Dana Ruiz")


def fetch(client, headers, doc) -> tuple[bytes, bytes]:
    pdf = client.get(doc["pdf_url"], headers=headers)
    docx = client.get(doc["docx_url"], headers=headers)
    assert pdf.status_code == 200 and docx.status_code == 200
    return pdf.data, docx.data


def words_of(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    page: int


def bbox_words(data: bytes, tmp: Path) -> list[Word]:
    """Every word pdftotext finds, with its box in PDF points from the page's top-left."""
    path = tmp / "bbox.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    words: list[Word] = []
    for page, body in enumerate(out.split("<page ")[1:], 1):
        for x0, y0, x1, y1, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            body,
        ):
            words.append(Word(html.unescape(text), *map(float, (x0, y0, x1, y1)), page))
    return words


def window_rect(window: dict[str, float]) -> tuple[float, float, float, float]:
    """The envelope window on the sheet, in points: (left, top, right, bottom)."""
    return (
        window["left"] * POINTS,
        window["top"] * POINTS,
        (window["left"] + window["width"]) * POINTS,
        (window["top"] + window["height"]) * POINTS,
    )


def inside(w: Word, rect: tuple[float, float, float, float]) -> bool:
    left, top, right, bottom = rect
    return w.page == 1 and w.x0 >= left and w.x1 <= right and w.y0 >= top and w.y1 <= bottom


def touches(w: Word, rect: tuple[float, float, float, float]) -> bool:
    left, top, right, bottom = rect
    return w.page == 1 and w.x0 < right and w.x1 > left and w.y0 < bottom and w.y1 > top


def set_letters(database, code: str, **letters: object) -> None:
    """Change the loaded profile's `letters` (the jurisdiction row is what issuing reads)."""
    with database.session() as s:
        row = s.get(Jurisdiction, code)
        profile = dict(row.profile)
        profile["letters"] = {**profile["letters"], **letters}
        row.profile = profile
        s.commit()


def image_xobjects(data: bytes) -> list[str]:
    """The subtypes of the XObjects page 1 draws (an image: /Image; SVG text: /Form)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        xobjects = pdf.pages[0].Resources.get("/XObject", {})
        return [str(x.get("/Subtype")) for _, x in xobjects.items()]


def no_photos(built, **over):
    return {"photo_ids": [], **over}


# --- the signature block ------------------------------------------------------------------


def test_signature_block_prints_the_officers_title_telephone_and_email(
    client, signer, tmp_path
) -> None:
    built = build_case(client, signer.headers, "tom-bean-tx")
    doc = issue(client, signer.headers, built, "notice_of_violation")
    pdf, docx = fetch(client, signer.headers, doc)
    text = words_of(pdf_text(pdf, tmp_path))
    assert "Dana Ruiz, badge 1047 Code Compliance Officer, City of Tom Bean" in text
    assert "Telephone (903) 546-6012 · E-mail dana.ruiz@example.org" in text
    dtext = docx_text(docx)
    assert "Dana Ruiz, badge 1047" in dtext
    assert "Code Compliance Officer, City of Tom Bean" in dtext
    assert "Telephone (903) 546-6012 · E-mail dana.ruiz@example.org" in dtext


def test_signature_block_leaves_out_what_the_user_record_lacks(
    client, officer, database, tmp_path
) -> None:
    with database.session() as s:  # a telephone only: no title, no e-mail
        user = s.get(User, officer.id)
        user.phone = "(903) 546-6099"
        s.commit()
    built = build_case(client, officer.headers, "tom-bean-tx")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    pdf, docx = fetch(client, officer.headers, doc)
    text = words_of(pdf_text(pdf, tmp_path))
    assert "Officer 1, badge 1047 City of Tom Bean Telephone (903) 546-6099" in text
    assert "E-mail" not in text and "None" not in text.split()
    dtext = docx_text(docx)
    assert "Telephone (903) 546-6099" in dtext
    assert "E-mail" not in dtext and "None" not in dtext.split()


def test_user_create_takes_title_telephone_and_email(run_cli, database) -> None:
    run_cli("init")
    result = run_cli(
        "user", "create", "pat", "--role", "officer", "--badge", "22",
        "--title", "Senior Code Officer", "--phone", "(408) 354-6800 x 12",
        "--email", "pat@example.org",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    blank = run_cli("user", "create", "lee", "--role", "officer", "--title", "  ")
    assert blank.exit_code == 0, blank.output
    with database.session() as s:
        pat = s.query(User).filter_by(username="pat").one()
        assert (pat.title, pat.phone, pat.email) == (
            "Senior Code Officer",
            "(408) 354-6800 x 12",
            "pat@example.org",
        )
        lee = s.query(User).filter_by(username="lee").one()
        assert (lee.title, lee.phone, lee.email) == (None, None, None)  # never the text "None"
    bad = run_cli("user", "create", "kim", "--role", "officer", "--email", "kim at city")
    assert bad.exit_code != 0 and "looks like name@example.org" in bad.output
    bad = run_cli("user", "create", "kim", "--role", "officer", "--phone", "call me")
    assert bad.exit_code != 0 and "telephone number" in bad.output


# --- the seal -----------------------------------------------------------------------------


@pytest.fixture
def no_shipped_seals(monkeypatch, tmp_path):
    """The shipped profile folders hold no seal (a jurisdiction that has none)."""
    empty = tmp_path / "records"
    (empty / "jurisdictions").mkdir(parents=True)
    monkeypatch.setattr("docsvc.documents.seals.records_dir", lambda: empty)


def test_the_shipped_sample_seal_prints_in_the_letterhead(client, officer, tmp_path) -> None:
    built = build_case(client, officer.headers, "tom-bean-tx")
    doc = issue(client, officer.headers, built, "warning_notice", **no_photos(built))
    pdf, _ = fetch(client, officer.headers, doc)
    assert "/Form" in image_xobjects(pdf)  # the SVG, drawn as vector art and its text
    assert "SAMPLE SEAL" in pdf_text(pdf, tmp_path)
    assert qpdf_check(pdf, tmp_path).returncode == 0
    assert structure_problems(pdf) == []


def test_a_png_seal_is_an_image_on_page_one_and_in_the_docx(
    client, officer, settings, no_shipped_seals, tmp_path
) -> None:
    from tests import helpers

    folder = settings.data_dir / "jurisdictions" / "los-gatos-ca"
    folder.mkdir(parents=True)
    (folder / "seal.png").write_bytes(helpers.png((240, 240)))
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = issue(client, officer.headers, built, "warning_notice", **no_photos(built))
    pdf, docx = fetch(client, officer.headers, doc)
    assert image_xobjects(pdf) == ["/Image"]  # the seal: a warning prints no photographs
    assert qpdf_check(pdf, tmp_path).returncode == 0
    assert structure_problems(pdf) == []  # PDF/A-2b, transparency and all
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        assert [n for n in zf.namelist() if n.startswith("word/media/")]


def test_no_seal_file_no_image_and_nothing_broken(
    client, officer, no_shipped_seals, database, tmp_path
) -> None:
    built = build_case(client, officer.headers, "tom-bean-tx")
    doc = issue(client, officer.headers, built, "warning_notice", **no_photos(built))
    pdf, docx = fetch(client, officer.headers, doc)
    assert image_xobjects(pdf) == []
    text = pdf_text(pdf, tmp_path)
    assert "SAMPLE SEAL" not in text and "City of Tom Bean" in text
    assert qpdf_check(pdf, tmp_path).returncode == 0
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        assert not [n for n in zf.namelist() if n.startswith("word/media/")]
    with database.session() as s:
        assert s.get(Document, doc["id"]).context["seal"] is None


# --- the window envelope ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "address", "lines"),
    [
        (
            "Smith & Sons <LLC>",
            "PO Box 9, Springfield, ST 00000",
            ["PO Box 9", "Springfield, ST 00000"],
        ),
        (
            "O'Brien-Nguyễn, Trần",
            "1418 Elm Street, Apt 4B, Tom Bean, TX 75489",
            ["1418 Elm Street", "Apt 4B", "Tom Bean, TX 75489"],
        ),
    ],
)
def test_the_address_lies_in_the_window_and_nothing_else_does(
    client, officer, tmp_path, name, address, lines
) -> None:
    built = build_case(client, officer.headers, "tom-bean-tx", owner_name=name)
    party = client.post(
        f"/api/cases/{built.case}/parties",
        headers=officer.headers,
        json={"role": "agent", "name": name, "mailing_address": address},
    ).json["id"]
    doc = issue(client, officer.headers, built, "notice_of_violation")  # to the owner first
    doc = issue(client, officer.headers, built, "notice_of_violation", recipient_party_id=party)
    pdf, _ = fetch(client, officer.headers, doc)
    words = bbox_words(pdf, tmp_path)
    rect = window_rect(DEFAULT_WINDOW)
    expected = (name + " " + " ".join(lines)).split()
    in_window = [w for w in words if touches(w, rect)]
    # Every word of the name and address, wholly inside the window; nothing else touches it.
    assert sorted(w.text for w in in_window) == sorted(expected)
    assert all(inside(w, rect) for w in in_window)
    # USPS style: the name first, then each line, "City, ST ZIP" on one line.
    rows: dict[float, list[str]] = {}
    for w in sorted(in_window, key=lambda w: (round(w.y0), w.x0)):
        rows.setdefault(round(w.y0), []).append(w.text)
    assert [" ".join(r) for r in rows.values()] == [name, *lines]
    # The case number, the title and the body are elsewhere on the page.
    outside = {w.text for w in words if w.page == 1 and not touches(w, rect)}
    assert {built.case, "Notice", "Violation", "Corrective"} <= outside


def test_the_window_switch_off_is_the_plain_layout(client, officer, database, tmp_path) -> None:
    def title_and_to(built) -> tuple[Word, bool]:
        doc = issue(client, officer.headers, built, "notice_of_violation")
        pdf, _ = fetch(client, officer.headers, doc)
        words = bbox_words(pdf, tmp_path)
        title = next(w for w in words if w.text == "Notice")
        return title, any(w.text == "To:" for w in words)

    on_title, on_to = title_and_to(build_case(client, officer.headers, "tom-bean-tx"))
    set_letters(database, "tom-bean-tx", window_envelope=False)
    off_title, off_to = title_and_to(build_case(client, officer.headers, "tom-bean-tx"))
    window_right = (DEFAULT_WINDOW["left"] + DEFAULT_WINDOW["width"]) * POINTS
    # On: the title beside the window, no "To:"; off: the title at the left margin, "To:".
    assert on_title.x0 > window_right and not on_to
    assert off_title.x0 < 1 * POINTS and off_to


def test_the_window_geometry_is_profile_data(client, officer, database, tmp_path) -> None:
    moved = {**DEFAULT_WINDOW, "left": 1.0, "top": 3.3}
    set_letters(database, "tom-bean-tx", window=moved)
    built = build_case(client, officer.headers, "tom-bean-tx")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    pdf, _ = fetch(client, officer.headers, doc)
    words = bbox_words(pdf, tmp_path)
    name = [w for w in words if w.text in ("Smith", "Sons", "<LLC>")]
    assert len(name) == 3 and all(inside(w, window_rect(moved)) for w in name)
    assert not any(inside(w, window_rect(DEFAULT_WINDOW)) for w in name)


# --- the compliance date ------------------------------------------------------------------


def test_served_at_issue_prints_the_date(client, officer, clock, tmp_path) -> None:
    clock("2030-11-20T10:20:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = issue(
        client,
        officer.headers,
        built,
        "warning_notice",
        served={"method": "personal", "served_at": "2030-11-20T10:15:00-08:00"},
    )
    pdf, docx = fetch(client, officer.headers, doc)
    text = words_of(pdf_text(pdf, tmp_path))
    # Ten days from Wednesday November 20 is a Saturday: Los Gatos rolls it to Monday.
    assert "Correct the violations by December 2, 2030 (10 days after service)." in text
    assert "To be corrected by December 2, 2030" in text
    assert "proof of service" not in text
    assert "Correct the violations by December 2, 2030 (10 days after service)." in docx_text(docx)


def test_not_served_says_how_to_count_from_the_proof_of_service(client, officer, tmp_path) -> None:
    built = build_case(client, officer.headers, "jefferson-county-wa")
    vid = client.post(
        f"/api/cases/{built.case}/violations",
        headers=officer.headers,
        json={
            "violation_type": "junk-vehicle",
            "description": "A junk vehicle on blocks in the driveway",
            "observed_at": "2026-11-17T10:00:00-08:00",
        },
    ).json["id"]
    doc = issue(client, officer.headers, built, "warning_notice", violation_ids=[vid], photo_ids=[])
    pdf, docx = fetch(client, officer.headers, doc)
    text = words_of(pdf_text(pdf, tmp_path))
    wanted = (
        "Correct the violations within 15 days after service (the date on the proof of service)."
    )
    assert wanted in text and wanted in docx_text(docx)
    assert "To be corrected within 15 days after service" in text
    assert "of service." not in text.replace("proof of service", "")
    assert doc["deadline_rule"] == "within 15 days after service (the date on the proof of service)"


def test_each_kind_of_rule_is_worded_for_paper() -> None:
    assert Rule("calendar_days", 15).text() == (
        "within 15 days after service (the date on the proof of service)"
    )
    assert Rule("business_days", 5).text() == (
        "within 5 business days after service (the date on the proof of service)"
    )
    assert Rule("hours", 48).text() == (
        "within 48 hours after service (the time on the proof of service)"
    )
    assert Rule("hours", 48).after() == "48 hours after service"
    assert Rule("immediate", None).text() == "immediately upon service"
    assert Rule("stop_work_order", None).text() == (
        "all work must stop immediately upon service of this order"
    )
    assert Rule("business_days", 2).of_event("receipt") == "within 2 business days of receipt"


def test_a_dated_deadline_in_hours_prints_the_time() -> None:
    from datetime import UTC, datetime

    from docsvc.documents.service import due_text
    from docsvc.profiles import load_profile_file, shipped_profile_paths

    profile = next(
        load_profile_file(p) for p in shipped_profile_paths() if p.parent.name == "los-gatos-ca"
    )
    due = datetime(2030, 11, 22, 18, 15, tzinfo=UTC)
    assert due_text("hours", due, profile) == "November 22, 2030 at 10:15 AM PST"
    assert due_text("calendar_days", due, profile) == "November 22, 2030"


# --- one page, photographs, DOCX --------------------------------------------------------


@pytest.mark.parametrize("jurisdiction", ["tom-bean-tx", "los-gatos-ca"])
def test_a_one_violation_notice_with_one_photo_is_one_page(
    client, signer, jurisdiction, tmp_path
) -> None:
    built = build_case(client, signer.headers, jurisdiction)
    doc = issue(client, signer.headers, built, "notice_of_violation")
    assert len(doc["violation_ids"]) == 1 and len(doc["photo_ids"]) == 1
    pdf, _ = fetch(client, signer.headers, doc)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = words_of(pdf_text(pdf, tmp_path))
    # All of it is there: nothing was dropped to make it fit.
    for phrase in ("Right to appeal", "If the violations are not corrected", "E-mail"):
        assert phrase in text
    assert qpdf_check(pdf, tmp_path).returncode == 0
    assert structure_problems(pdf) == []


def test_a_notice_with_a_help_list_keeps_the_signed_notice_on_page_one(
    client, signer, tmp_path
) -> None:
    # Lee's Summit prints its community help list on a notice of violation (LS II.B.2): when
    # it does not fit, it moves whole to page 2 as an enclosure; the notice and its signature
    # stay on page 1, and the list is never split.
    built = build_case(client, signer.headers, "lees-summit-mo")
    doc = issue(client, signer.headers, built, "notice_of_violation")
    pdf, _ = fetch(client, signer.headers, doc)
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) <= 2
    first = words_of(pages[0].extract_text())
    for phrase in ("Right to appeal", "If the violations are not corrected", "E-mail"):
        assert phrase in first
    if len(pages) == 2:
        second = words_of(pages[1].extract_text())
        assert "Help with the corrections" in second and "Help with the corrections" not in first
        assert "Right to appeal" not in second and "E-mail" not in second


def test_photos_print_in_a_captioned_grid_two_to_a_row(client, officer, tmp_path) -> None:
    from tests import helpers

    built = build_case(client, officer.headers, "los-gatos-ca")
    more = [
        helpers.upload(
            client,
            officer.headers,
            built.case,
            helpers.jpeg(color=color),
            f"{color}.jpg",
            caption=f"Side yard {color}",
        ).json["id"]
        for color in ("blue", "red")
    ]
    photos = [built.photo, *more]
    doc = issue(client, officer.headers, built, "notice_of_violation", photo_ids=photos)
    pdf, docx = fetch(client, officer.headers, doc)
    words = bbox_words(pdf, tmp_path)
    heads = [
        next(w for w, nxt in pairwise(words)
             if w.text == "Photograph" and nxt.text == f"{n}:")
        for n in (1, 2, 3)
    ]  # fmt: skip
    # 1 and 2 side by side, 3 under 1.
    assert heads[0].page == heads[1].page == heads[2].page
    assert abs(heads[0].y0 - heads[1].y0) < 1 and heads[1].x0 > heads[0].x0 + 2 * POINTS
    assert heads[2].y0 > heads[0].y0 + POINTS and abs(heads[2].x0 - heads[0].x0) < 1
    text = words_of(pdf_text(pdf, tmp_path))
    assert "Photograph 2: Side yard blue" in text
    assert "Photograph by the investigating officer" in text and "SHA-256" in text
    # The DOCX: a table, two photographs to a row, each captioned.
    from docx import Document as Docx

    tables = Docx(io.BytesIO(docx)).tables
    grid = next(t for t in tables if "Photograph 1" in t.rows[0].cells[0].text)
    assert len(grid.rows) == 2 and len(grid.columns) == 2
    assert "Photograph 2: Side yard blue" in grid.rows[0].cells[1].text
    assert "Photograph 3: Side yard red" in grid.rows[1].cells[0].text
    assert grid.rows[1].cells[1].text.strip() == ""


def test_the_docx_opens_with_the_notice_in_it(client, signer) -> None:
    from docx import Document as Docx

    built = build_case(client, signer.headers, "tom-bean-tx")
    doc = issue(client, signer.headers, built, "notice_of_violation")
    _, docx = fetch(client, signer.headers, doc)
    docx_xml(docx)  # strict XML: escaping intact
    d = Docx(io.BytesIO(docx))
    text = docx_text(docx)
    assert "Smith & Sons <LLC>" in text and "Springfield, ST 00000" in text
    assert "within 10 days after service (the date on the proof of service)" in text
    assert d.sections[0].page_width == 7772400  # letter, in EMU
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:  # the seal's PNG and the photograph
        assert len([n for n in zf.namelist() if n.startswith("word/media/")]) == 2


@pytest.mark.slow
def test_libreoffice_converts_the_docx(client, signer, tmp_path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is required for the DOCX check"
    built = build_case(client, signer.headers, "tom-bean-tx")
    doc = issue(client, signer.headers, built, "notice_of_violation")
    _, docx = fetch(client, signer.headers, doc)
    src = tmp_path / "notice.docx"
    src.write_bytes(docx)
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path / "out"), str(src)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    out = (tmp_path / "out" / "notice.pdf").read_bytes()
    text = words_of(pdf_text(out, tmp_path))
    assert "Notice of Violation" in text and "Smith & Sons <LLC>" in text
    assert "Dana Ruiz, badge 1047" in text and "Telephone (903) 546-6012" in text


def test_the_warning_gives_the_officers_own_telephone_and_email(client, signer, tmp_path) -> None:
    built = build_case(client, signer.headers, "los-gatos-ca")
    doc = issue(client, signer.headers, built, "warning_notice")
    text = words_of(pdf_text(fetch(client, signer.headers, doc)[0], tmp_path))
    assert (
        "Contact Dana Ruiz, badge 1047, at (903) 546-6012 or dana.ruiz@example.org. "
        f"Please mention case {built.case}." in text
    )


def test_a_context_frozen_before_issue_21_still_renders(
    client, officer, database, settings, tmp_path
) -> None:
    """A notice issued before the signature block, seal and window existed re-renders (a public
    rendition does) in the plain layout, without a seal."""
    from docsvc.documents.env import Env
    from docsvc.documents.service import rendered
    from docsvc.profiles.loader import profile_for
    from docsvc.store import FileStore

    built = build_case(client, officer.headers, "tom-bean-tx")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    with database.session() as s:
        context = dict(s.get(Document, doc["id"]).context)
        profile = profile_for(s, "tom-bean-tx")
    del context["letters"], context["seal"]
    context["officer"] = {k: context["officer"][k] for k in ("name", "badge", "role")}
    context["deadline"] = {k: v for k, v in context["deadline"].items() if k != "after_text"}
    env = Env(FileStore(settings.store_dir), settings)
    pdf, docx = rendered(env, profile, context, preview=False)
    text = words_of(pdf_text(pdf, tmp_path))
    assert "To: Smith & Sons <LLC>" in text and "SAMPLE SEAL" not in text
    assert "Officer 1, badge 1047 City of Tom Bean" in text and "Smith & Sons <LLC>" in docx_text(
        docx
    )
