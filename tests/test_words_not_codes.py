"""People read words, not codes: case and request pages, a bundle's cover and chronology read
from its PDF (pdftotext), a report; a draft does not claim an issue date; the chronology lists
a notice's issue before its mailing; the proof of service says when delivery made it effective."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from lxml import html

from docsvc.labels import WORDS, known_codes, label
from tests import helpers
from tests.documents_helpers import article_number, build_case, docx_text, issue, pdf_text


def _visible(page: bytes) -> str:
    """A page's text as a person reads it (no attributes, scripts or styles)."""
    tree = html.fromstring(page)
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    return tree.text_content()


def _codes_in(text: str) -> set[str]:
    return {c for c in known_codes() if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", text)}


# Single-word codes that read differently as words ('nondisclosure' is 'Keep my identity
# confidential', 'draft' is 'Draft'): such a code shown raw is a code, not a word.
SINGLE_WORD_CODES = {c for c in WORDS if re.fullmatch(r"[a-z]+", c) and label(c) != c}


def _single_codes_in(page: bytes) -> set[str]:
    """Single-word codes a page shows on their own: a piece of its text (between the marks
    that separate shown values: '·', ':', ';', ',', brackets, line ends) that is exactly the
    code. Prose that uses the same word ('until it is done') is not a piece of its own."""
    tree = html.fromstring(page)
    # A form's own labels are written words ('Measured: unit'), not stored values.
    for bad in tree.xpath('//script|//style|//*[@class="label-text"]'):
        bad.drop_tree()
    pieces: set[str] = set()
    for el in tree.iter():
        for text in (el.text, el.tail):
            if text:
                pieces.update(p.strip() for p in re.split(r"[·:;,()\n]", text))
    return pieces & SINGLE_WORD_CODES


def _pages(data: bytes, tmp: Path) -> list[str]:
    path = tmp / "b.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")[:-1]


def test_label_reads_profile_titles_then_words() -> None:
    assert label("notice_issued") == "Notice issued"
    assert label("certified_mail") == "Certified mail"
    assert label("junk-debris") != "junk-debris" and "-" not in label("junk-debris")
    assert label("done", "bundle") == "Ready" and label("done") == "Done"
    assert label("some_new_code") == "Some new code"
    assert {"notice_issued", "certified_mail", "junk-debris"} <= known_codes()


def test_a_draft_preview_claims_no_issue_date(client, officer, tmp_path) -> None:
    built = build_case(client, officer.headers, "los-gatos-ca")
    draft = issue(client, officer.headers, built, "notice_of_violation", draft=True)
    pdf = pdf_text(client.get(draft["pdf_url"], headers=officer.headers).data, tmp_path)
    assert "DRAFT PREVIEW, NOT ISSUED" in pdf
    assert "Issued" not in pdf and "Not issued" in pdf
    docx = docx_text(client.get(draft["docx_url"], headers=officer.headers).data)
    assert "DRAFT PREVIEW, NOT ISSUED" in docx and "Issued" not in docx
    done = client.post(f"/api/documents/{draft['id']}/issue", headers=officer.headers)
    assert done.status_code == 200, done.json
    issued = pdf_text(client.get(done.json["pdf_url"], headers=officer.headers).data, tmp_path)
    assert re.search(r"Issued \w+ \d+, \d{4}", issued) and "DRAFT" not in issued


@pytest.mark.slow
def test_bundle_cover_and_chronology_read_in_words_and_in_order(
    client, officer, attorney, clock, work, tmp_path
) -> None:
    # Issued at 09:00:40, mailed "09:00" as a form records it: the same minute, issue first.
    clock("2026-11-18T09:00:40-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    clock("2026-11-18T10:00:00-08:00")
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=officer.headers,
        json={"method": "certified_mail", "mailed_at": "2026-11-18T09:00:00-08:00",
              "article_number": article_number()},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    clock("2026-11-21T09:00:00-08:00")
    r = client.post(
        f"/api/documents/{doc['id']}/return-receipt",
        headers=officer.headers,
        content_type="multipart/form-data",
        data={"status": "delivered", "delivered_at": "2026-11-20T14:05:00-08:00",
              "file": (__import__("io").BytesIO(helpers.pdf("PS Form 3811")), "3811.pdf")},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    r = client.post(
        f"/api/cases/{built.case}/bundles", headers=attorney.headers, json={"bates_prefix": "W"}
    )
    work()
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "done", b
    pages = _pages(client.get(b["volumes"][0]["pdf_url"], headers=attorney.headers).data, tmp_path)
    cover = pages[0]
    chronology = next(p for p in pages if "from its records, oldest first" in p)
    proof = next(p for p in pages if "Proof of service" in p and "Article number" in p)
    assert "Notice issued" in cover
    for text in (cover, chronology, proof):
        assert _codes_in(text) == set(), text
    lines = [ln.strip() for ln in chronology.splitlines() if "2026-11-18 09:00" in ln]
    issued = next(i for i, ln in enumerate(lines) if ln.endswith("issued"))
    mailed = next(i for i, ln in enumerate(lines) if "certified mail" in ln.lower())
    assert issued < mailed, lines
    assert "Junk" in chronology  # the violation type by its profile's title
    assert re.search(r"Effective\s+2026-11-20 14:05", proof), proof


@pytest.mark.slow
def test_pages_and_reports_show_no_codes(client, signed_in, officer, work, clock, tmp_path) -> None:
    clock("2030-03-02T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    issue(client, officer.headers, built, "notice_of_violation")
    clerk = signed_in("records")
    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": "Pat"},
        "received_at": "2030-03-01T10:00:00-08:00",
        "description": "The yard",
        "case_numbers": [built.case],
    }
    rid = client.post("/api/disclosures", headers=clerk.headers, json=body).json["id"]
    work()
    shown = {
        "request": client.get(f"/disclosures/{rid}"),
        "requests": client.get("/disclosures"),
    }
    client.post("/logout", data={"csrf_token": helpers.csrf(client.get("/cases").data)})
    signed_in("admin")
    shown["case"] = client.get(f"/cases/{built.case}")
    shown["report"] = client.get(
        "/reports", query_string={"name": "workload", "jurisdiction": "los-gatos-ca", "year": 2030}
    )
    for name, page in shown.items():
        assert page.status_code == 200, name
        assert _codes_in(_visible(page.data)) == set(), name
    csv = client.get(
        "/reports",
        query_string={"name": "workload", "jurisdiction": "los-gatos-ca", "year": 2030,
                      "format": "csv"},
    )  # fmt: skip
    assert csv.status_code == 200 and _codes_in(csv.data.decode()) == set()


@pytest.mark.slow
def test_pages_show_single_word_codes_as_words(
    client, signed_in, officer, work, clock, settings
) -> None:
    """The case page (a served notice, parties, violations, a complaint with a disclosure
    wish), the Due list, the ledger, the retention page, search, and the request pages."""
    from tests.retention_helpers import adopt, closed_case

    adopt(settings.data_dir)
    closed_case(client, officer, clock, "2021-03-10T10:00:00-08:00")
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    tx = build_case(client, officer.headers, "tom-bean-tx")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    clock("2026-11-18T10:00:00-08:00")
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=officer.headers,
        json={"method": "certified_mail", "mailed_at": "2026-11-18T09:30:00-08:00",
              "article_number": article_number()},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    signed_in()
    for entry in (
        {"kind": "penalty", "amount": "100", "assessed_on": "2026-11-18"},
        {"kind": "payment", "amount": "40", "assessed_on": "2026-11-18", "applies_to": "penalties"},
    ):
        token = helpers.tokens(client.get(f"/cases/{built.case}/ledger").data)
        r = client.post(f"/cases/{built.case}/ledger", data={**token, **entry})
        assert r.status_code == 302, _visible(r.data).split("Please fix")[-1][:400]
    shown = {
        "case": client.get(f"/cases/{built.case}"),
        "due": client.get("/due"),
        "ledger": client.get(f"/cases/{built.case}/ledger"),
        "search": client.get("/search", query_string={"q": "couch"}),
    }
    assert b"Keep my identity confidential" in shown["case"].data
    client.post("/logout", data={**token})
    clerk = signed_in("records")
    token = helpers.tokens(client.get("/retention").data)
    assert client.post("/retention/propose", data={**token}).status_code == 302
    shown["retention"] = client.get("/retention")
    body = {
        "jurisdiction": "tom-bean-tx",
        "requester": {"name": "Pat"},
        "received_at": "2026-11-18T09:00:00-06:00",
        "description": "The yard",
        "case_numbers": [tx.case],
    }
    rid = client.post("/api/disclosures", headers=clerk.headers, json=body).json["id"]
    work()
    shown["request"] = client.get(f"/disclosures/{rid}")
    shown["requests"] = client.get("/disclosures")
    assert f"{tx.case}: redact" not in _visible(shown["request"].data)
    for name, page in shown.items():
        assert page.status_code == 200, name
        assert _single_codes_in(page.data) == set(), name
        assert _codes_in(_visible(page.data)) == set(), name
    assert b"search-case" in shown["search"].data  # the search found something to show
