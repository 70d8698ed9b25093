"""Mailing issued notices: the certified-mail cover sheet (its barcode read back from the printed
page, the address inside a #10 envelope's window) and Avery 5160 label sheets (30 a page, each
label's text inside its label); who may print them, and that the complainant is printed only
where the document is addressed to them, for a role that may see them, each print audited."""

from __future__ import annotations

import re
import subprocess
from html import unescape
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from sqlalchemy import func, select

from docsvc.auth import permissions
from docsvc.documents import mailing
from docsvc.documents.env import Env
from docsvc.models import AuditEvent, ServiceRecord
from docsvc.store import FileStore
from tests import helpers
from tests.documents_helpers import (
    article_number,
    build_case,
    issue,
    mailed_notice,
    pdf_text,
    qpdf_check,
)
from tests.test_browser import live_server, page  # noqa: F401  (fixtures: the served app, Chromium)

# --- Code 128, independently of python-barcode ---------------------------------------------
# Each symbol value's bar and space widths in modules (ISO/IEC 15417, table 1), 0..106; 105 is
# Start C, 106 the stop pattern (with its final bar).
WIDTHS = re.findall(
    r"\d+",
    """212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212
112232 122132 122231 113222 123122 123221 223211 221132 221231 213212 223112 312131 311222 321122
321221 312212 322112 322211 212123 212321 232121 111323 131123 131321 112313 132113 132311 211313
231113 231311 112133 112331 132131 113123 113321 133121 313121 211331 231131 213113 213311 213131
311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 111422 121124 121421 141122
141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 111242 121142
121241 114212 124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113
114311 411113 411311 113141 114131 311141 411131 211412 211214 211232 2331112""",
)
START_C, STOP = 105, 106


def code128c(digits: str) -> list[int]:
    """The symbol values of an even run of digits in code set C: Start C, one value per pair,
    the check (start + sum of position x value, mod 103), stop."""
    values = [int(digits[i : i + 2]) for i in range(0, len(digits), 2)]
    check = (START_C + sum(i * v for i, v in enumerate(values, 1))) % 103
    return [START_C, *values, check, STOP]


def module_widths(symbols: list[int]) -> list[int]:
    return [int(w) for s in symbols for w in WIDTHS[s]]


def decode(runs: list[float]) -> str:
    """Alternating bar/space widths (any unit, starting with a bar) -> the digits they encode in
    code set C, checking the start, the check symbol and the stop."""
    assert len(runs) % 6 == 1 and len(runs) >= 19, f"{len(runs)} runs is no Code 128 symbol"
    k = (len(runs) - 7) // 6
    module = sum(runs) / (11 * k + 13)
    widths = [round(r / module) for r in runs]
    table = {w: v for v, w in enumerate(WIDTHS)}
    symbols = ["".join(map(str, widths[i : i + 6])) for i in range(0, 6 * k, 6)]
    values = [table[s] for s in symbols]
    assert "".join(map(str, widths[6 * k :])) == WIDTHS[STOP], "no stop pattern"
    assert values[0] == START_C, f"starts with {values[0]}, not Start C"
    data, check = values[1:-1], values[-1]
    assert (START_C + sum(i * v for i, v in enumerate(data, 1))) % 103 == check, "bad check"
    return "".join(f"{v:02d}" for v in data)


def runs_of(row: list[bool]) -> list[int]:
    """The widths of the dark and light runs between the first and last dark pixel."""
    first, last = row.index(True), len(row) - 1 - row[::-1].index(True)
    out: list[int] = []
    current, n = True, 0
    for px in row[first : last + 1]:
        if px == current:
            n += 1
        else:
            out.append(n)
            current, n = px, 1
    out.append(n)
    return out


DPI = 600


def barcode_in(pdf: bytes, top_in: float, bottom_in: float, left_in: float) -> str:
    """The page rendered at 600 dpi, scanned row by row across the band where the barcode is
    printed: the digits of the first row that decodes."""
    first = pdfium.PdfDocument(pdf)[0]
    image = first.render(scale=DPI / 72).to_pil().convert("L")
    width = image.width
    pixels = image.load()
    for y in range(int(top_in * DPI), int(bottom_in * DPI), 7):
        row = [pixels[x, y] < 128 for x in range(int(left_in * DPI), width)]
        if sum(row) < 40:
            continue
        try:
            return decode([float(r) for r in runs_of(row)])
        except (AssertionError, KeyError):
            continue
    raise AssertionError("no row of the page decodes as a Code 128 barcode")


def svg_runs(svg: str) -> list[float]:
    """The bar and space widths of python-barcode's SVG (bars are rects, x and width in mm)."""
    bars = [
        (float(x), float(w))
        for x, w in re.findall(r'<rect x="([\d.]+)mm" y="[\d.]+mm" width="([\d.]+)mm"', svg)
    ]
    out: list[float] = []
    for i, (x, w) in enumerate(bars):
        if i:
            prev_x, prev_w = bars[i - 1]
            out.append(x - (prev_x + prev_w))
        out.append(w)
    return out


def test_the_independent_encoding_reads_itself() -> None:
    """The decoder used below is checked on its own encoding first (so a wrong table fails)."""
    digits = article_number()
    widths = module_widths(code128c(digits))
    assert sum(widths) == 11 * (len(digits) // 2 + 2) + 13
    assert decode([w * 2.5 for w in widths]) == digits


def test_the_barcode_svg_draws_the_article_number() -> None:
    for digits in (article_number(), "9400100000000000000000"[:-1] + "0"):
        number = digits if mailing.usps.validate(digits) else None
        if number is None:
            continue
        svg = str(mailing.barcode_svg(number))
        runs = svg_runs(svg)
        module = mailing.BAR_MODULE_MM
        assert [round(r / module) for r in runs] == module_widths(code128c(number))
        assert decode(runs) == number


# --- helpers ------------------------------------------------------------------------------


def grouped_(number: str) -> str:
    """As USPS prints an article number: groups of four, left to right."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


COMPLAINANT_BITS = ("Maria", "1420", "555-0142", "maria@example.org")
INCH = 72.0


def words(pdf: bytes, tmp: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, each word with its box in points from the page's top-left (pdftotext -bbox)."""
    path = tmp / "bbox.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for chunk in re.split(r"<page ", html)[1:]:
        pages.append(
            [
                (float(a), float(b), float(c), float(d), unescape(w))
                for a, b, c, d, w in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                    r"([^<]*)</word>",
                    chunk,
                )
            ]
        )
    return pages


def audit_views(database, case_number: str) -> int:
    with database.session() as s:
        return s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "complainant.view", AuditEvent.object_id == case_number)
        )


def service_rows(database) -> int:
    with database.session() as s:
        return s.scalar(select(func.count()).select_from(ServiceRecord))


def cover(client, headers, doc_id: int, article: str | None = None):
    query = {"article": article} if article is not None else {}
    return client.get(
        f"/api/documents/{doc_id}/certified-mail-cover.pdf", headers=headers, query_string=query
    )


# --- the cover sheet ----------------------------------------------------------------------


def test_cover_sheet_of_a_mailed_notice(client, officer, clock, tmp_path) -> None:
    advance = clock("2030-11-20T09:00:00-08:00")
    built, doc = mailed_notice(client, officer.headers, advance)
    r = cover(client, officer.headers, doc["id"])
    assert r.status_code == 200, r.json
    assert r.mimetype == "application/pdf" and r.headers["Cache-Control"] == "no-store"
    pdf = r.data
    check = qpdf_check(pdf, tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    number = article_number()
    grouped = grouped_(number)
    text = " ".join(pdf_text(pdf, tmp_path).split())
    for expected in (
        "CERTIFIED MAIL",
        "RETURN RECEIPT REQUESTED",
        grouped,
        built.case,
        "Notice of Violation",
        "Town of Los Gatos",
        "Smith & Sons <LLC>",  # the recipient, as issued (escaped nowhere, broken nowhere)
        "SPRINGFIELD ST 00000",  # "CITY ST ZIP" on one line
    ):
        assert expected in text, expected
    for bit in COMPLAINANT_BITS:
        assert bit not in text, bit  # the respondent's envelope never names the complainant
    # The bars, read back from the printed page, are the article number.
    assert barcode_in(pdf, 0.5, 2.0, 4.4) == number


def test_the_address_lies_in_the_window(client, officer, clock, tmp_path) -> None:
    """A #10 envelope's window is 4.5 x 1.125 in, 0.875 in from its left and 0.5 in from its
    bottom; the envelope is 4.125 in high and 9.5 in wide, the sheet folded in thirds 3.667 in
    high and 8.5 in wide. With the sheet resting on the bottom the window shows 2.042 to 3.167
    in down the sheet; sliding sideways by up to 1 in, 0.875 to 4.375 in across is always
    shown."""
    advance = clock("2030-11-20T09:00:00-08:00")
    _, doc = mailed_notice(client, officer.headers, advance)
    pdf = cover(client, officer.headers, doc["id"]).data
    first = words(pdf, tmp_path)[0]
    address = ["Smith", "&", "Sons", "<LLC>", "PO", "BOX", "9", "SPRINGFIELD", "ST", "00000"]
    found = [w for w in first if w[4] in address and w[1] < 4 * INCH]
    assert {w[4] for w in found} == set(address), found
    for x0, y0, x1, y1, word in found:
        assert x0 >= 0.875 * INCH and x1 <= 4.375 * INCH, (word, x0 / INCH, x1 / INCH)
        assert y0 >= 2.042 * INCH and y1 <= 3.167 * INCH, (word, y0 / INCH, y1 / INCH)


def test_an_unmailed_notice_takes_the_typed_number_and_records_nothing(
    client, officer, database, tmp_path
) -> None:
    built = build_case(client, officer.headers, "tom-bean-tx")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    before = service_rows(database)
    r = cover(client, officer.headers, doc["id"])
    assert r.status_code == 422
    assert f"Notice of Violation NOV-{doc['id']} needs its article number" in r.json["error"]
    assert "PS Form 3800" in r.json["error"]
    number = article_number()
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    r = cover(client, officer.headers, doc["id"], wrong)
    assert r.status_code == 422 and "check digit" in r.json["error"], r.json
    assert r.json["details"]["field"] == "article"
    r = cover(client, officer.headers, doc["id"], "9407 1112 0620")
    assert r.status_code == 422 and "it has 12 digits" in r.json["error"], r.json
    r = cover(client, officer.headers, doc["id"], "94O7 1112 0620 8180 7023")
    assert r.status_code == 422 and "letters" in r.json["error"], r.json
    spaced = grouped_(number)
    r = cover(client, officer.headers, doc["id"], spaced)
    assert r.status_code == 200, r.json
    assert spaced in " ".join(pdf_text(r.data, tmp_path).split())
    assert "City of Tom Bean" in pdf_text(r.data, tmp_path)
    assert service_rows(database) == before  # printing is a read


def test_a_recorded_mailing_is_printed_not_another_number(client, officer, clock) -> None:
    advance = clock("2030-11-20T09:00:00-08:00")
    _, doc = mailed_notice(client, officer.headers, advance)
    other = "9400100000000000000000"
    other = other[:-1] + str(mailing.usps.check_digit(other[:-1]))
    r = cover(client, officer.headers, doc["id"], other)
    assert r.status_code == 422 and "recorded with article number" in r.json["error"], r.json
    assert cover(client, officer.headers, doc["id"], article_number()).status_code == 200


def test_who_may_print_a_cover_sheet(client, officer, make_user, records, attorney) -> None:
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    url = f"/api/documents/{doc['id']}/certified-mail-cover.pdf?article=12"
    # Who is asking, before the query is read: the bad number is not judged for the public.
    r = client.get(url)
    assert r.status_code == 401 and "token" in r.json["error"]
    r = client.post("/api/mailing-labels", json={"documents": "not a list"})
    assert r.status_code == 401
    for role in (records, attorney):
        r = client.get(url, headers=role.headers)
        assert r.status_code == 403 and r.json["error"], r.json
        r = client.post("/api/mailing-labels", headers=role.headers, json={"documents": [1]})
        assert r.status_code == 403
    # Another jurisdiction's notice does not exist for a Tom Bean officer, whatever the number.
    texan = make_user("officer", jurisdictions=["tom-bean-tx"])
    r = client.get(url, headers=texan.headers)
    assert r.status_code == 404 and "no document" in r.json["error"]
    r = client.post("/api/mailing-labels", headers=texan.headers, json={"documents": [doc["id"]]})
    assert r.status_code == 404
    admin = make_user("admin")
    assert client.get(url, headers=admin.headers).status_code == 422


def test_only_issued_notices_sent_by_certified_mail(client, officer, signed_in) -> None:
    built = build_case(client, officer.headers, "tom-bean-tx")
    draft = issue(client, officer.headers, built, "notice_of_violation", draft=True)
    r = cover(client, officer.headers, draft["id"], article_number())
    assert r.status_code == 409 and "draft" in r.json["error"]
    # Tom Bean serves a warning notice in person or by door hanger only.
    warning = issue(client, officer.headers, built, "warning_notice")
    r = cover(client, officer.headers, warning["id"], article_number())
    assert r.status_code == 422 and "only by" in r.json["error"], r.json
    # The page says so instead of asking for a number.
    signed_in("officer")
    html = client.get(f"/documents/{warning['id']}/cover-sheet").get_data(as_text=True)
    assert "not sent by certified mail" in html and "only by personal" in html
    assert 'name="article"' not in html
    html = client.get(f"/documents/{draft['id']}/cover-sheet").get_data(as_text=True)
    assert "only an issued notice is mailed" in html and 'name="article"' not in html
    r = client.get("/mailing/print", query_string={"documents": "99999999999"})
    assert r.status_code == 422 and "Choose the notices from the list" in r.get_data(as_text=True)
    # A label takes no article number either: a tester printed "Certified 9407 …" on the label
    # of a notice served only in person. Without a number, the label prints plain.
    r = client.post(
        "/api/mailing-labels",
        headers=officer.headers,
        json={"documents": [warning["id"]], "articles": {str(warning["id"]): article_number()}},
    )
    assert r.status_code == 422 and "is not sent by certified mail" in r.json["error"], r.json
    assert "only by" in r.json["details"]["articles"][str(warning["id"])]
    plain = client.post(
        "/api/mailing-labels", headers=officer.headers, json={"documents": [warning["id"]]}
    )
    assert plain.status_code == 200 and plain.data.startswith(b"%PDF")


# --- labels -------------------------------------------------------------------------------


def _cells(placed: list, label: dict) -> dict[tuple[int, int], list]:
    """Each word placed in the label cell it starts in; asserted to lie wholly inside it."""
    cells: dict[tuple[int, int], list] = {}
    for x0, y0, x1, y1, word in placed:
        col = int((x0 / INCH - label["left"]) // label["pitch_x"])
        row = int((y0 / INCH - label["top"]) // label["pitch_y"])
        left = (label["left"] + col * label["pitch_x"]) * INCH
        top = (label["top"] + row * label["pitch_y"]) * INCH
        assert 0 <= col < 3 and 0 <= row < 10, (word, x0 / INCH, y0 / INCH)
        assert left <= x0 and x1 <= left + label["width"] * INCH, (word, col, x1 / INCH)
        assert top <= y0 and y1 <= top + label["height"] * INCH, (word, row, y1 / INCH)
        cells.setdefault((row, col), []).append(word)
    return cells


def test_label_sheets_hold_30_labels_each_inside_its_cell(settings, tmp_path) -> None:
    # Avery 5160 / 8160, as published: 3 x 10 labels of 2.625 x 1 in on letter paper, 0.5 in
    # top margin, 0.1875 in side margins, 0.125 in between columns.
    avery = {"left": 0.1875, "top": 0.5, "pitch_x": 2.75, "pitch_y": 1.0, "width": 2.625,
             "height": 1.0}  # fmt: skip
    assert {k: mailing.LABEL[k] for k in avery} == avery
    assert avery["left"] * 2 + avery["width"] * 3 + (avery["pitch_x"] - avery["width"]) * 2 == 8.5
    labels = [
        mailing.Label(
            f"Resident{i:02d} O'Brien-Nguyễn",
            mailing.usps_lines([f"{100 + i} N. Oak Ave.", "Los Gatos, CA 95030"]),
            article_number() if i % 2 else None,
        )
        for i in range(31)
    ]
    pdf = mailing.label_sheet(labels, Env(FileStore(settings.store_dir), settings))
    assert qpdf_check(pdf, tmp_path).returncode == 0
    pages = words(pdf, tmp_path)
    assert len(pages) == 2
    first, second = _cells(pages[0], avery), _cells(pages[1], avery)
    assert len(first) == 30 and len(second) == 1
    # Left to right, then down; each label whole: name, street, city line, article when known.
    assert first[(0, 1)][0] == "Resident01" and first[(9, 2)][0] == "Resident29"
    assert second[(0, 0)][0] == "Resident30"
    one = " ".join(first[(0, 1)])
    assert "101 N OAK AVE LOS GATOS CA 95030" in one and "9407 1112" in one
    assert "Certified" not in " ".join(first[(0, 0)])  # no number known: none printed


def test_labels_for_a_batch(client, officer, clock, database, tmp_path) -> None:
    advance = clock("2030-11-20T09:00:00-08:00")
    built, mailed = mailed_notice(client, officer.headers, advance)
    to_tenant = issue(
        client, officer.headers, built, "notice_of_violation", recipient_party_id=built.tenant
    )
    body = "9407111206208180702"
    typed = grouped_(body + str(mailing.usps.check_digit(body)))
    before = service_rows(database)
    r = client.post(
        "/api/mailing-labels",
        headers=officer.headers,
        json={"documents": [to_tenant["id"], mailed["id"], to_tenant["id"]],
              "articles": {str(to_tenant["id"]): typed}},
    )  # fmt: skip
    assert r.status_code == 200, r.json
    assert qpdf_check(r.data, tmp_path).returncode == 0
    pages = words(r.data, tmp_path)
    cells = _cells(pages[0], mailing.LABEL)
    assert len(pages) == 1 and len(cells) == 2  # each document once, in the order given
    tenant, owner = " ".join(cells[(0, 0)]), " ".join(cells[(0, 1)])
    assert tenant.startswith("O'Brien-Nguyễn, Trần") and "1418 ELM STREET" in tenant
    assert typed in tenant
    assert owner.startswith("Smith & Sons <LLC>") and "SPRINGFIELD ST 00000" in owner
    grouped = grouped_(article_number())
    assert grouped in owner
    for bit in COMPLAINANT_BITS:
        assert bit not in tenant + owner
    assert service_rows(database) == before
    bad = client.post(
        "/api/mailing-labels",
        headers=officer.headers,
        json={"documents": [mailed["id"]], "articles": {str(mailed["id"]): "12"}},
    )
    assert bad.status_code == 200  # a recorded mailing's number is printed; the typed is moot
    bad = client.post(
        "/api/mailing-labels",
        headers=officer.headers,
        json={"documents": [to_tenant["id"]], "articles": {str(to_tenant["id"]): "12"}},
    )
    assert bad.status_code == 422 and "not a USPS article number" in bad.json["error"]
    empty = client.post("/api/mailing-labels", headers=officer.headers, json={"documents": []})
    assert empty.status_code == 422 and empty.json["details"]


def _resolution(client, officer):
    built = build_case(client, officer.headers, "los-gatos-ca")
    respondent = issue(client, officer.headers, built, "notice_of_violation")
    r = client.post(
        f"/api/cases/{built.case}/close",
        headers=officer.headers,
        json={"reason": "voluntary_compliance", "resolution": "Corrected."},
    )
    assert r.status_code == 200, r.json
    to_complainant = issue(client, officer.headers, built, "notice_of_resolution")
    return built, respondent, to_complainant


def test_a_label_to_the_complainant_is_an_audited_view(
    client, officer, database, tmp_path, monkeypatch
) -> None:
    built, respondent, to_complainant = _resolution(client, officer)
    views = audit_views(database, built.case)
    r = client.post(
        "/api/mailing-labels",
        headers=officer.headers,
        json={"documents": [respondent["id"], to_complainant["id"]]},
    )
    assert r.status_code == 200, r.json
    cells = _cells(words(r.data, tmp_path)[0], mailing.LABEL)
    theirs, respondents = " ".join(cells[(0, 1)]), " ".join(cells[(0, 0)])
    assert "Maria O'Brien-Nguyễn" in theirs and "1420 ELM STREET" in theirs
    for bit in COMPLAINANT_BITS:
        assert bit not in respondents
    assert audit_views(database, built.case) == views + 1
    # A role that may not see identity: refused in words, the respondent's label included.
    monkeypatch.setitem(
        permissions.PERMISSIONS,
        "complainant.view",
        permissions.PERMISSIONS["complainant.view"] - {"officer"},
    )
    r = client.post(
        "/api/mailing-labels",
        headers=officer.headers,
        json={"documents": [respondent["id"], to_complainant["id"]]},
    )
    assert r.status_code == 403, r.json
    assert f"document {to_complainant['id']}" in r.json["error"]
    assert "leave them out" in r.json["error"]
    assert "Maria" not in r.get_data(as_text=True)
    assert audit_views(database, built.case) == views + 1
    # The respondent's alone still prints, and never names the complainant.
    r = client.post(
        "/api/mailing-labels", headers=officer.headers, json={"documents": [respondent["id"]]}
    )
    assert r.status_code == 200
    assert not any(bit in pdf_text(r.data, tmp_path) for bit in COMPLAINANT_BITS)
    # No profile mails a notice of resolution by certified mail: its cover sheet is refused
    # before anything about the complainant is read.
    r = cover(client, officer.headers, to_complainant["id"], article_number())
    assert r.status_code == 422 and "Maria" not in r.get_data(as_text=True)
    assert audit_views(database, built.case) == views + 1


def test_a_cover_sheet_to_the_complainant_needs_a_role_that_may_see_them(
    client, officer, database, tmp_path, monkeypatch
) -> None:
    """Where a profile lets a document to the complainant go by certified mail, its cover sheet
    is an audited view, refused to a role that may not see identity."""
    built, _, to_complainant = _resolution(client, officer)
    from docsvc.profiles.model import Profile

    types = Profile.document_types.fget  # type: ignore[attr-defined]

    def with_certified(self):
        out = {k: dict(v) for k, v in types(self).items()}
        out["notice_of_resolution"]["service_methods"] = ["certified_mail", "personal"]
        return out

    monkeypatch.setattr(Profile, "document_types", property(with_certified))
    views = audit_views(database, built.case)
    r = cover(client, officer.headers, to_complainant["id"], article_number())
    assert r.status_code == 200, r.json
    assert "Maria O'Brien-Nguyễn" in pdf_text(r.data, tmp_path)
    assert audit_views(database, built.case) == views + 1
    monkeypatch.setitem(
        permissions.PERMISSIONS,
        "complainant.view",
        permissions.PERMISSIONS["complainant.view"] - {"officer"},
    )
    r = cover(client, officer.headers, to_complainant["id"], article_number())
    assert r.status_code == 403 and "identity" in r.json["error"]
    assert "Maria" not in r.get_data(as_text=True)
    assert audit_views(database, built.case) == views + 1


# --- the pages ----------------------------------------------------------------------------


def test_the_mailing_page(client, make_user, signed_in, clock, database, tmp_path) -> None:
    officer = make_user("officer")
    clock("2026-11-20T10:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    waiting = issue(client, officer.headers, built, "notice_of_violation")
    served = issue(
        client,
        officer.headers,
        built,
        "notice_of_violation",
        recipient_party_id=built.tenant,
        served={"method": "personal", "served_at": "2026-11-20T10:00:00-08:00"},
    )
    signed_in("officer")
    shown = client.get("/mailing")
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert 'href="/mailing"' in html  # in the navigation
    assert f'value="{waiting["id"]}"' in html and "Smith &amp; Sons &lt;LLC&gt;" in html
    assert f'value="{served["id"]}"' not in html  # served in person: nothing to mail
    assert f'name="cover" value="{waiting["id"]}"' in html  # its own cover sheet, as typed
    assert "Printing does not record the mailing" in html
    # Print cover sheets without a number: the page again, saying what to fix.
    r = client.get("/mailing/print", query_string={"documents": waiting["id"], "action": "covers"})
    assert r.status_code == 422
    assert f"Notice of Violation NOV-{waiting['id']} needs its article number" in r.get_data(
        as_text=True
    )
    assert "checked" in r.get_data(as_text=True)  # the ticks kept
    query = {"documents": waiting["id"], "action": "covers", f"article-{waiting['id']}":
             article_number()}  # fmt: skip
    r = client.get("/mailing/print", query_string=query)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert "CERTIFIED MAIL" in pdf_text(r.data, tmp_path)
    query["action"] = "labels"
    r = client.get("/mailing/print", query_string=query)
    assert r.status_code == 200 and "SPRINGFIELD ST 00000" in pdf_text(r.data, tmp_path)
    r = client.get("/mailing/print")
    assert r.status_code == 422 and "Tick at least one notice" in r.get_data(as_text=True)
    # One notice's cover sheet: the form, a bad number refused beside its field, then the PDF.
    r = client.get(f"/documents/{waiting['id']}/cover-sheet")
    assert r.status_code == 200 and 'name="article"' in r.get_data(as_text=True)
    r = client.get(f"/documents/{waiting['id']}/cover-sheet", query_string={"print": 1,
                   "article": "1234"})  # fmt: skip
    assert r.status_code == 422
    assert "it has 4 digits" in r.get_data(as_text=True)
    assert 'aria-invalid="true"' in r.get_data(as_text=True)
    r = client.get(f"/documents/{waiting['id']}/cover-sheet", query_string={"print": 1,
                   "article": article_number()})  # fmt: skip
    assert r.status_code == 200 and r.mimetype == "application/pdf"


def test_the_mailing_page_is_for_those_who_mail(client, signed_in) -> None:
    signed_in("records")
    home = client.get("/cases").get_data(as_text=True)
    assert 'href="/mailing"' not in home  # never offered to a role it would refuse
    r = client.get("/mailing")
    assert r.status_code == 403 and "role may not do this" in r.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": helpers.csrf(client.get("/cases").data)})
    r = client.get("/mailing")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


@pytest.mark.slow
@pytest.mark.browser
def test_the_mailing_page_on_a_tablet(page, live_server, make_user, client) -> None:  # noqa: F811
    from tests import axe
    from tests.test_browser import sign_in

    officer = make_user("officer", with_password=True)
    built = build_case(client, officer.headers, "los-gatos-ca")
    notice = issue(client, officer.headers, built, "notice_of_violation")
    sign_in(page, live_server, officer)
    page.click("header nav a:text-is('Mailing')")
    page.wait_for_url(f"{live_server}/mailing")
    item = f"#mailing-{notice['id']}"
    assert "Smith & Sons <LLC>" in page.inner_text(item)
    # Fits the tablet, every control big enough to tap, nothing an assistive reader trips on.
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    for control in (f"{item} label.check", f"{item} input[type=text]", f"{item} button[name=cover]",
                    "#mailing-form button[value=covers]"):  # fmt: skip
        box = page.locator(control).bounding_box()
        assert box is not None and box["height"] >= 44, (control, box)
    axe.assert_accessible(page, "the mailing page")
    # A mistyped number: the page again, saying what to fix, with the tick and number kept.
    page.check(f"{item} input[type=checkbox]")
    page.fill(f"#mailing-article-{notice['id']}", "9407 1112 0620 8180 7024")
    page.click("#mailing-form button[value=covers]")
    page.wait_for_selector("#error-summary")
    assert "check digit" in page.inner_text("#error-summary")
    assert page.is_checked(f"{item} input[type=checkbox]")
    assert page.input_value(f"#mailing-article-{notice['id']}") == "9407 1112 0620 8180 7024"
    assert "check digit" in page.inner_text(f"#mailing-article-{notice['id']}-error")
    axe.assert_accessible(page, "the mailing page, refused")
    # Fixed, the same form asks for the PDF (fetched as the browser would, with its session).
    page.fill(f"#mailing-article-{notice['id']}", article_number())
    query = page.evaluate(
        "() => new URLSearchParams(new FormData(document.querySelector('#mailing-form')))"
        ".toString()"
    )
    r = page.request.get(f"{live_server}/mailing/print?{query}&action=covers")
    assert r.status == 200 and r.headers["content-type"] == "application/pdf"
    assert r.body().startswith(b"%PDF-")
    # One notice's cover-sheet page: a short number refused beside its field, in words.
    page.goto(f"{live_server}/documents/{notice['id']}/cover-sheet")
    axe.assert_accessible(page, "the cover-sheet page")
    page.fill("#cover-article", "9407 1112")
    page.click("#cover-form button[type=submit]")
    page.wait_for_selector("#cover-article-error")
    assert "it has 8 digits" in page.inner_text("#cover-article-error")
    assert page.input_value("#cover-article") == "9407 1112"
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    axe.assert_accessible(page, "the cover-sheet page, refused")


# --- a batch, as the tester typed it --------------------------------------------------------


def _number(seed: str) -> str:
    body = (seed + "0" * 21)[:21]
    return body + str(mailing.usps.check_digit(body))


def _beside(html: str, doc_id: int) -> str:
    """The message shown beside a notice's article number on the mailing page."""
    found = re.search(rf'id="mailing-article-{doc_id}-error">(.*?)</span>\s*</label>', html, re.S)
    assert found, f"no message beside notice {doc_id}'s field"
    assert re.search(rf'id="mailing-article-{doc_id}"[^>]*aria-invalid="true"', html)
    return unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip().removeprefix("⚠").strip()


def test_one_article_number_for_two_notices_is_refused(
    client, make_user, signed_in, clock, database
) -> None:
    officer = make_user("officer")
    clock("2026-11-20T10:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    first = issue(client, officer.headers, built, "notice_of_violation")
    second = issue(
        client, officer.headers, built, "notice_of_violation", recipient_party_id=built.tenant
    )
    same = _number("9407111206208180")
    names = [f"Notice of Violation NOV-{d['id']}" for d in (first, second)]
    before = service_rows(database)
    r = client.post(
        "/api/mailing-labels",
        headers=officer.headers,
        json={"documents": [first["id"], second["id"]],
              "articles": {str(first["id"]): same, str(second["id"]): grouped_(same)}},
    )  # fmt: skip
    assert r.status_code == 422, r.json
    assert all(n in r.json["error"] for n in names) and "one envelope" in r.json["error"]
    assert set(r.json["details"]["articles"]) == {str(first["id"]), str(second["id"])}
    # The same on the page: both cover sheets refused, the message beside each field.
    signed_in("officer")
    query = {"documents": [first["id"], second["id"]], "action": "covers",
             f"article-{first['id']}": same, f"article-{second['id']}": same}  # fmt: skip
    for action in ("covers", "labels"):
        r = client.get("/mailing/print", query_string={**query, "action": action})
        assert r.status_code == 422 and r.mimetype == "text/html"
        html = r.get_data(as_text=True)
        for doc in (first, second):
            assert all(n in _beside(html, doc["id"]) for n in names)
    # Each its own number: printed.
    query[f"article-{second['id']}"] = _number("9407111206208181")
    r = client.get("/mailing/print", query_string=query)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert service_rows(database) == before


def test_a_number_recorded_for_another_notice_is_refused(client, officer, signed_in, clock) -> None:
    advance = clock("2030-11-20T09:00:00-08:00")
    built, mailed = mailed_notice(client, officer.headers, advance)
    other = issue(client, officer.headers, built, "notice_of_violation")
    taken = article_number()  # the mailed notice's, recorded
    r = cover(client, officer.headers, other["id"], grouped_(taken))
    assert r.status_code == 422, r.json
    assert (
        f"already recorded for the mailing of Notice of Violation NOV-{mailed['id']}"
        in (r.json["error"])
    )
    assert r.json["details"]["field"] == "article"
    r = client.post(
        "/api/mailing-labels",
        headers=officer.headers,
        json={"documents": [other["id"]], "articles": {str(other["id"]): taken}},
    )
    assert r.status_code == 422 and "already recorded" in r.json["error"], r.json
    # Its own recorded number still prints on its own cover sheet.
    assert cover(client, officer.headers, mailed["id"], taken).status_code == 200


def test_the_mailing_page_says_which_notice_and_keeps_what_was_typed(
    client, make_user, signed_in, clock
) -> None:
    officer = make_user("officer")
    clock("2026-11-20T10:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    first = issue(client, officer.headers, built, "notice_of_violation")
    second = issue(
        client, officer.headers, built, "notice_of_violation", recipient_party_id=built.tenant
    )
    signed_in("officer")
    # Two ticked, no numbers: each notice named beside its own field, under "Not printed."
    r = client.get(
        "/mailing/print",
        query_string={"documents": [first["id"], second["id"]], "action": "covers"},
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    for doc in (first, second):
        said = _beside(html, doc["id"])
        assert said.startswith(f"Notice of Violation NOV-{doc['id']} needs its article number")
    assert "recorded" not in _beside(html, first["id"])
    assert "Not printed." in html and "Not saved." not in html
    assert f'href="#mailing-article-{second["id"]}"' in html  # the summary links to the field
    # A notice's own Cover sheet button prints it with the number typed in its row.
    typed = grouped_(article_number())
    r = client.get(
        "/mailing/print",
        query_string={"cover": second["id"], f"article-{second['id']}": typed,
                      "documents": first["id"]},
    )  # fmt: skip
    assert r.status_code == 200 and r.mimetype == "application/pdf", r.get_data(as_text=True)
    assert len(pdfium.PdfDocument(r.data)) == 1  # that notice alone
    # Refused, the number typed stays in its field.
    r = client.get(
        "/mailing/print",
        query_string={"cover": second["id"], f"article-{second['id']}": "1234"},
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "it has 4 digits" in _beside(html, second["id"])
    assert re.search(rf'id="mailing-article-{second["id"]}"[^>]*value="1234"', html)
    # One notice's cover sheet page: a refusal reads "Not printed.", never "Not saved.".
    r = client.get(
        f"/documents/{first['id']}/cover-sheet", query_string={"print": 1, "article": "12"}
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "Not printed." in html and "Not saved." not in html
