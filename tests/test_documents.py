"""Notices and agreements: rendered for real, checked by outside tools (qpdf, pdftotext,
python-docx, LibreOffice), frozen at issue, served by the profile's methods."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from docsvc.documents.pdfa import structure_problems
from docsvc.models import BuildingInspectorNotice, Document
from tests import helpers
from tests.documents_helpers import (
    FIELDS,
    article_number,
    build_case,
    document_body,
    docx_text,
    docx_xml,
    issue,
    mailed_notice,
    pdf_text,
    qpdf_check,
)

JURISDICTIONS = ("tom-bean-tx", "los-gatos-ca", "jefferson-county-wa", "lees-summit-mo")
TYPES = tuple(FIELDS)
COMPLAINANT = ("Maria", "O'Brien-Nguyễn", "555-0142", "maria@example.org", "1420 Elm")


def fetch(client, headers, doc: dict) -> tuple[bytes, bytes]:
    pdf = client.get(doc["pdf_url"], headers=headers)
    docx = client.get(doc["docx_url"], headers=headers)
    assert pdf.status_code == docx.status_code == 200
    return pdf.data, docx.data


def assert_pdfa(data: bytes) -> None:
    assert structure_problems(data) == []


@pytest.mark.slow
@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
@pytest.mark.rule("LG VII.b", "LS II.A.1", "LS II.A.2")
def test_every_type_in_every_jurisdiction(
    client, officer, jurisdiction, tmp_path, database
) -> None:
    h = officer.headers
    built = build_case(client, h, jurisdiction)
    jur = client.get(f"/api/jurisdictions/{jurisdiction}/document-types").json
    titles = {t["type"]: t["title"] for t in jur}
    out_dir = tmp_path / "docx"
    out_dir.mkdir()
    for doc_type in TYPES:
        if doc_type == "notice_of_resolution":
            client.post(
                f"/api/cases/{built.case}/close",
                headers=h,
                json={"reason": "voluntary_compliance", "resolution": "Corrected."},
            )
        doc = issue(client, h, built, doc_type)
        assert doc["status"] == "issued" and doc["title"] == titles[doc_type]
        pdf, docx = fetch(client, h, doc)
        check = qpdf_check(pdf, tmp_path)
        assert check.returncode == 0, check.stdout + check.stderr
        assert_pdfa(pdf)
        text = pdf_text(pdf, tmp_path)
        assert titles[doc_type] in text and built.case in text
        words = " ".join(text.split())
        if doc_type != "notice_of_resolution":
            assert "Smith & Sons <LLC>" in text  # the recipient, escaped nowhere, broken nowhere
            for c in COMPLAINANT:
                assert c not in text, (doc_type, c)  # never on a respondent's document
        expected = {
            "warning_notice": ["Code:", "badge 1047", "Tires & weeds <over 3 ft>"],
            "notice_of_violation": [
                "SAMPLE TEXT, not the adopted",
                "Photograph 1",
                "Right to appeal",
                "lien against the property",
                "Remove the tires & debris",
                "within",
                "badge 1047",
                "1418 Elm Street",
            ],
            "stop_work_order": [
                "Framing of a rear addition",
                "Obtain a building permit & pass",
                "STOP ALL WORK",
                "Posting",
            ],
            "voluntary_compliance_agreement": [
                "I admit the yard is overgrown",
                "January 15, 2027",
                "waives the right to an administrative hearing",
                "consents to the entry of judgment",
            ],
            "settlement_agreement": [
                "$1,500.00",
                "$250.00 is cancelled",
                "payable: $1,250.00",
                "deferred for 24 months",
                "$310.45 remains due in full",
            ],
            "notice_of_resolution": [
                "Maria O'Brien-Nguyễn",
                "The owner removed the tires",
                "corrected voluntarily",
            ],
        }[doc_type]
        for phrase in expected:
            assert phrase in words, (jurisdiction, doc_type, phrase)
        docx_xml(docx)  # strict XML: escaping intact
        dtext = docx_text(docx)
        assert titles[doc_type] in dtext
        if doc_type != "notice_of_resolution":
            assert "Smith & Sons <LLC>" in dtext and not any(c in dtext for c in COMPLAINANT)
        (out_dir / f"{doc_type}.docx").write_bytes(docx)
    libreoffice_converts(out_dir, tmp_path)


def libreoffice_converts(docx_dir: Path, tmp: Path) -> None:
    """An outside opinion: LibreOffice opens every DOCX and turns it into a PDF with the text."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (libreoffice-writer) is required for the DOCX checks"
    out = tmp / "lo"
    files = sorted(docx_dir.glob("*.docx"))
    proc = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for f in files:
        pdf = out / f"{f.stem}.pdf"
        assert pdf.is_file(), (f.name, proc.stdout, proc.stderr)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "Smith & Sons <LLC>" in text or f.stem == "notice_of_resolution", f.name


@pytest.mark.parametrize(
    "name",
    [
        "Smith & Sons <LLC>",
        'O\'Brien-Nguyễn "Bao"',
        "محمد عبد الله",
        "Ngô Thị Ánh & Co. </w:t><w:p>",
    ],
)
def test_hard_names_and_long_text_survive_both_formats(client, officer, name, tmp_path) -> None:
    long_description = ('Overgrown vegetation & debris <rear yard> "east fence" - ' * 40)[:2000]
    built = build_case(
        client, officer.headers, "los-gatos-ca", owner_name=name, description=long_description
    )
    doc = issue(client, officer.headers, built, "notice_of_violation")
    pdf, docx = fetch(client, officer.headers, doc)
    assert qpdf_check(pdf, tmp_path).returncode == 0
    xml = docx_xml(docx)
    texts = "".join(xml.itertext())
    assert name in texts and long_description.strip() in texts
    ptext = " ".join(pdf_text(pdf, tmp_path).split())
    if name.startswith("محمد"):
        # Extracted Arabic may come back in visual order: every word must be there, either way.
        for word in name.split():
            assert word in ptext or word[::-1] in ptext
    else:
        assert name in ptext
    assert 'Overgrown vegetation & debris <rear yard> "east fence"' in ptext


@pytest.mark.rule("TB VIII.A.2", "TB VIII.B.2")
def test_missing_elements_are_named(client, make_user, tmp_path) -> None:
    no_badge = make_user("officer", badge=None)
    built = build_case(client, no_badge.headers, "tom-bean-tx")
    body = document_body("notice_of_violation", built, photo_ids=[], fields={})
    r = client.post(f"/api/cases/{built.case}/documents", headers=no_badge.headers, json=body)
    assert r.status_code == 422 and r.json["code"] == "missing_elements"
    assert set(r.json["details"]["missing"]) == {"photographs", "badge_number", "corrective_action"}
    with pytest.raises(AssertionError):
        assert r.json["details"]["missing"] == []  # the check above could fail: keep it honest
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=no_badge.headers,
        json=document_body("warning_notice", built, violation_ids=[]),
    )
    assert r.status_code == 422
    assert {"violation_description", "code_citation", "badge_number"} <= set(
        r.json["details"]["missing"]
    )
    # Nothing was stored.
    docs = client.get(f"/api/cases/{built.case}/documents", headers=no_badge.headers).json
    assert docs == []


def test_a_jurisdiction_wording_override_must_keep_the_elements(client, officer, settings) -> None:
    folder = (
        settings.data_dir / "jurisdictions" / "los-gatos-ca" / "templates" / "notice_of_violation"
    )
    folder.mkdir(parents=True)
    (folder / "wording.yaml").write_text(
        "sections:\n  - kind: violations\n    with_code_text: true\n  - kind: photos\n"
        "  - heading: Fix\n    element: corrective_action\n    text: '{{ fields.corrective_action }}'\n"
        "  - kind: deadline\n"
    )
    built = build_case(client, officer.headers, "los-gatos-ca")
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=officer.headers,
        json=document_body("notice_of_violation", built),
    )
    assert r.status_code == 422
    assert set(r.json["details"]["missing"]) == {"appeal_rights", "penalty_warning"}


def test_a_jurisdiction_overrides_the_layout_without_code(
    client, officer, settings, tmp_path
) -> None:
    folder = settings.data_dir / "jurisdictions" / "lees-summit-mo" / "templates" / "warning_notice"
    folder.mkdir(parents=True)
    (folder / "notice.html").write_text(
        "<html lang=en><head><title>{{ document.title }}</title></head><body>"
        "<h1>LEE'S SUMMIT CUSTOM {{ document.title }}</h1>"
        "{% for v in violations %}<p>{{ v.title }} {{ v.citation }}</p>{% endfor %}"
        "<p>{{ officer.name }} {{ officer.badge }}</p></body></html>"
    )
    built = build_case(client, officer.headers, "lees-summit-mo")
    doc = issue(client, officer.headers, built, "warning_notice")
    pdf, _ = fetch(client, officer.headers, doc)
    assert "LEE'S SUMMIT CUSTOM Courtesy Warning" in " ".join(pdf_text(pdf, tmp_path).split())


def test_lifecycle_draft_issue_supersede(client, officer, tmp_path, database) -> None:
    h = officer.headers
    built = build_case(client, h, "jefferson-county-wa")
    issue(client, h, built, "warning_notice")  # the County warns first (Rule 1(a)(ii))
    draft = issue(client, h, built, "notice_of_violation", draft=True, fields={})
    assert draft["status"] == "draft" and draft["pdf_sha256"] is None
    r = client.patch(
        f"/api/documents/{draft['id']}", headers=h, json={"fields": FIELDS["notice_of_violation"]}
    )
    assert r.status_code == 200 and r.json["fields"]["corrective_action"].startswith("Remove")
    preview = client.get(draft["pdf_url"], headers=h)
    assert "DRAFT PREVIEW, NOT ISSUED" in pdf_text(preview.data, tmp_path)
    r = client.post(f"/api/documents/{draft['id']}/issue", headers=h)
    assert r.status_code == 200 and r.json["status"] == "issued"
    issued = r.json
    first, again = (
        client.get(issued["pdf_url"], headers=h).data,
        client.get(issued["pdf_url"], headers=h).data,
    )
    assert first == again
    import hashlib

    assert hashlib.sha256(first).hexdigest() == issued["pdf_sha256"]
    assert "DRAFT" not in pdf_text(first, tmp_path)
    assert (
        client.patch(f"/api/documents/{draft['id']}", headers=h, json={"fields": {}}).status_code
        == 409
    )
    assert client.post(f"/api/documents/{draft['id']}/issue", headers=h).status_code == 409
    # The frozen data does not follow later edits of the case.
    client.post(
        f"/api/cases/{built.case}/parties",
        headers=h,
        json={"role": "agent", "name": "New Agent", "mailing_address": "x"},
    )
    assert client.get(issued["pdf_url"], headers=h).data == first
    fix = issue(
        client,
        h,
        built,
        "notice_of_violation",
        supersedes=issued["id"],
        fields={"corrective_action": "Remove all debris by hand."},
    )
    assert fix["supersedes"] == issued["id"]
    old = client.get(f"/api/documents/{issued['id']}", headers=h).json
    assert old["status"] == "superseded" and old["superseded_by"] == fix["id"]
    text = " ".join(pdf_text(client.get(fix["pdf_url"], headers=h).data, tmp_path).split())
    assert f"supersedes notice {issued['id']}" in text
    assert client.get(old["pdf_url"], headers=h).data == first  # both stay in the file
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=h,
        json=document_body("notice_of_violation", built, supersedes=issued["id"]),
    )
    assert r.status_code == 409


@pytest.mark.rule("LG VII.a.ii")
def test_one_notice_per_recipient_and_never_to_the_complainant(client, officer, tmp_path) -> None:
    h = officer.headers
    built = build_case(client, h, "los-gatos-ca")
    to_owner = issue(client, h, built, "notice_of_violation")
    to_tenant = issue(client, h, built, "notice_of_violation", recipient_party_id=built.tenant)
    assert "O'Brien-Nguyễn, Trần" in pdf_text(fetch(client, h, to_tenant)[0], tmp_path)
    assert "Smith & Sons" in pdf_text(fetch(client, h, to_owner)[0], tmp_path)
    body = document_body("notice_of_violation", built, recipient="complainant")
    body.pop("recipient_party_id")
    r = client.post(f"/api/cases/{built.case}/documents", headers=h, json=body)
    assert r.status_code == 422 and "never a recipient" in r.json["error"]
    # Their photo may show who or where they are: never on what the respondent is served.
    body = document_body("notice_of_violation", built, photo_ids=[built.complainant_photo])
    r = client.post(f"/api/cases/{built.case}/documents", headers=h, json=body)
    assert r.status_code == 422 and r.json["details"]["field"] == "photo_ids"
    assert "supplied by the complainant" in r.json["error"]


@pytest.mark.rule("TB XIII.C")
def test_notice_of_resolution_needs_an_identified_complainant(client, officer) -> None:
    h = officer.headers
    body = {
        "jurisdiction": "los-gatos-ca",
        "property": {"address": "5 Main Street"},
        "complaint": {
            "received_at": "2026-11-16T09:30:00-08:00",
            "description": "Noise",
            "complaint_type": "noise",
            "anonymous": True,
            "disclosure_preference": "unspecified",
        },
    }
    case = client.post("/api/cases", json=body, headers=h).json["case_number"]
    r = client.post(
        f"/api/cases/{case}/documents",
        headers=h,
        json={
            "type": "notice_of_resolution",
            "recipient": "complainant",
            "fields": {"resolution": "Done"},
        },
    )
    assert r.status_code == 422 and "no identified complainant" in r.json["error"]


@pytest.mark.rule("TB VIII.C.1")
def test_vca_refused_without_penalty_for_a_repeat_offense(client, officer, tmp_path) -> None:
    h = officer.headers
    first = build_case(client, h, "tom-bean-tx")
    issue(client, h, first, "notice_of_violation")  # an agreement follows a notice (VIII.C.2)
    issue(client, h, first, "voluntary_compliance_agreement")  # first offense: fine
    second = build_case(client, h, "tom-bean-tx")  # same property, same violation type
    issue(client, h, second, "notice_of_violation")
    r = client.post(
        f"/api/cases/{second.case}/documents",
        headers=h,
        json=document_body("voluntary_compliance_agreement", second),
    )
    assert r.status_code == 422 and r.json["details"]["rule"] == "repeat_offense"
    assert first.case in r.json["details"]["cases"]["repeat"]
    fields = {**FIELDS["voluntary_compliance_agreement"], "without_penalty": False}
    r = client.post(
        f"/api/cases/{second.case}/documents",
        headers=h,
        json=document_body("voluntary_compliance_agreement", second, fields=fields),
    )
    assert r.status_code == 422 and "penalty_terms" in r.json["error"]
    fields["penalty_terms"] = "A penalty of $200 applies and the City's costs are recovered."
    doc = issue(client, h, second, "voluntary_compliance_agreement", fields=fields)
    assert "A penalty of $200 applies" in pdf_text(fetch(client, h, doc)[0], tmp_path)


@pytest.mark.rule("LG VII.b.i")
def test_vca_refused_after_an_uncorrected_violation(client, officer) -> None:
    h = officer.headers
    earlier = build_case(client, h, "los-gatos-ca")
    issue(client, h, earlier, "warning_notice")  # enforcement taken; violations never corrected
    later = build_case(client, h, "los-gatos-ca")
    issue(client, h, later, "notice_of_violation", violation_ids=[later.violations[1]])
    r = client.post(
        f"/api/cases/{later.case}/documents",
        headers=h,
        json=document_body(
            "voluntary_compliance_agreement", later, violation_ids=[later.violations[1]]
        ),
    )
    assert r.status_code == 422 and r.json["details"]["rule"] in (
        "repeat_offense",
        "uncorrected_violation",
    )
    assert earlier.case in r.json["details"]["cases"]["uncorrected"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"deferred_months": 37}, "deferred_months"),
        ({"cancelled_amount": "1500.01"}, "cancelled_amount"),
        ({"penalty_amount": "0"}, "penalty_amount"),
    ],
)
@pytest.mark.rule("JC 5(a)(v)")
def test_settlement_limits(client, officer, change, field) -> None:
    built = build_case(client, officer.headers, "jefferson-county-wa")
    fields = {**FIELDS["settlement_agreement"], **change}
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=officer.headers,
        json=document_body("settlement_agreement", built, fields=fields),
    )
    assert r.status_code == 422 and field in r.json["details"]["fields"]
    assert "JCC 19.30.025" in r.json["details"]["citation"]


def test_settlement_exact_arithmetic(client, officer, tmp_path) -> None:
    built = build_case(client, officer.headers, "jefferson-county-wa")
    fields = {
        **FIELDS["settlement_agreement"],
        "penalty_amount": "1000.10",
        "cancelled_amount": "333.37",
        "deferred_months": 36,
    }
    doc = issue(client, officer.headers, built, "settlement_agreement", fields=fields)
    words = " ".join(pdf_text(fetch(client, officer.headers, doc)[0], tmp_path).split())
    assert "payable: $666.73" in words and "deferred for 36 months" in words


@pytest.mark.rule("TB X.A.1.b")
def test_stop_work_order_with_a_structure_notifies_the_inspector(client, officer, database) -> None:
    h = officer.headers
    built = build_case(client, h, "tom-bean-tx")
    body = document_body(
        "stop_work_order",
        built,
        violation_ids=[built.violations[1]],
        fields={**FIELDS["stop_work_order"], "involves_structure": True},
    )
    r = client.post(f"/api/cases/{built.case}/documents", headers=h, json=body)
    assert r.status_code == 422
    assert {"building_inspector", "building_inspector_notified_at"} <= set(
        r.json["details"]["missing"]
    )
    body["fields"] |= {
        "building_inspector": "J. Ortiz, Building Official",
        "building_inspector_notified_at": "2026-11-17T11:00:00-06:00",
    }
    doc = issue(
        client, h, built, "stop_work_order", **{k: v for k, v in body.items() if k != "type"}
    )
    with database.session() as s:
        notice = s.scalar(
            select(BuildingInspectorNotice).where(BuildingInspectorNotice.document_id == doc["id"])
        )
        assert notice.inspector == "J. Ortiz, Building Official"


@pytest.mark.rule("TB VIII.B.1", "TB VIII.C")
def test_service_methods_and_deadlines(client, officer, tmp_path, clock) -> None:
    from datetime import timedelta

    advance = clock("2030-11-20T09:00:00-06:00")
    h = officer.headers
    built = build_case(client, h, "tom-bean-tx")
    draft = issue(client, h, built, "notice_of_violation", draft=True)
    r = client.post(
        f"/api/documents/{draft['id']}/service",
        headers=h,
        json={"method": "personal", "served_at": "2030-11-20T09:00:00-06:00"},
    )
    assert r.status_code == 409
    doc = issue(client, h, built, "notice_of_violation")
    assert doc["deadline"] is None and doc["deadline_rule"] == (
        "within 10 days after service (the date on the proof of service)"
    )
    advance(timedelta(hours=1))
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=h,
        json={"method": "door_hanger", "served_at": "2030-11-20T09:30:00-06:00"},
    )
    assert (
        r.status_code == 422 and "personal, certified mail" in r.json["error"]
    )  # Tom Bean VIII.B.1
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=h,
        json={
            "method": "certified_mail",
            "mailed_at": "2030-11-20T09:30:00-06:00",
            "article_number": article_number()[:-1] + "0"
            if article_number()[-1] != "0"
            else article_number()[:-1] + "1",
        },
    )
    assert r.status_code == 422 and "check digit" in r.json["error"]
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=h,
        json={
            "method": "certified_mail",
            "mailed_at": "2030-11-20T09:30:00-06:00",
            "article_number": " ".join([article_number()[:4], article_number()[4:]]),
        },
    )
    assert r.status_code == 201 and r.json["effective_at"] is None
    assert client.get(f"/api/documents/{doc['id']}", headers=h).json["deadline"] is None
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=h,
        json={"method": "personal", "served_at": "2030-11-19T09:00:00-06:00"},
    )
    assert r.status_code == 422 and "before the document was issued" in r.json["error"]
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=h,
        json={"method": "personal", "served_at": "2030-11-21T09:00:00-06:00"},
    )
    assert r.status_code == 422 and "in the future" in r.json["error"]
    # Delivered Tue Nov 26 2030: 10 days -> Fri Dec 6, end of day Chicago.
    advance(timedelta(days=7))
    from tests.helpers import pdf as make_pdf

    r = client.post(
        f"/api/documents/{doc['id']}/return-receipt",
        headers=h,
        content_type="multipart/form-data",
        data={
            "status": "delivered",
            "delivered_at": "2030-11-26T14:05:00-06:00",
            "signed_by": "R. Smith",
            "file": (io.BytesIO(make_pdf("PS Form 3811")), "3811.pdf"),
        },
    )
    assert r.status_code == 201, r.json
    assert r.json["deadline"] == "2030-12-06T23:59:59-06:00"
    assert r.json["needs_reservice"] is False
    receipt = r.json["services"][-1]["receipts"][0]
    assert receipt["signed_by"] == "R. Smith" and receipt["attachment_id"]


@pytest.mark.parametrize("status", ["returned", "unclaimed", "refused"])
def test_undelivered_mail_flags_reservice(client, officer, status, clock) -> None:
    from datetime import timedelta

    from tests.helpers import pdf as make_pdf

    advance = clock("2030-11-20T09:00:00-08:00")
    h = officer.headers
    _, doc = mailed_notice(client, h, advance)
    advance(timedelta(days=20))
    r = client.post(
        f"/api/documents/{doc['id']}/return-receipt",
        headers=h,
        content_type="multipart/form-data",
        data={"status": status, "file": (io.BytesIO(make_pdf("Returned")), "r.pdf")},
    )
    assert r.status_code == 201 and r.json["needs_reservice"] is True
    if (
        status == "unclaimed"
    ):  # the profile's fallback: effective Sat Nov 30, + 10 days -> Tue Dec 10
        assert r.json["deadline"] == "2030-12-10T23:59:59-08:00"
    else:
        assert r.json["deadline"] is None
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=h,
        json={"method": "personal", "served_at": "2030-12-09T09:00:00-08:00"},
    )
    assert r.status_code == 201
    after = client.get(f"/api/documents/{doc['id']}", headers=h).json
    assert after["needs_reservice"] is False and after["deadline"] == "2030-12-19T23:59:59-08:00"


@pytest.mark.parametrize(
    ("method", "words"), [("door_hanger", "door hanger"), ("personal", "personal service")]
)
def test_served_at_issue_prints_the_date(client, officer, tmp_path, clock, method, words) -> None:
    clock("2030-11-20T10:20:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = issue(
        client,
        officer.headers,
        built,
        "warning_notice",
        served={"method": method, "served_at": "2030-11-20T10:15:00-08:00"},
    )
    assert doc["deadline"] == "2030-12-02T23:59:59-08:00"  # Sat Nov 30 rolls to Monday
    text = " ".join(pdf_text(fetch(client, officer.headers, doc)[0], tmp_path).split())
    assert "Correct the violations by December 2, 2030" in text
    assert f"Served by {words} on November 20, 2030 at 10:15 AM PST" in text


def test_big_photos_are_downscaled_in_both_formats(client, officer) -> None:

    built = build_case(client, officer.headers, "los-gatos-ca")
    big = client.post(
        f"/api/cases/{built.case}/attachments",
        headers=officer.headers,
        content_type="multipart/form-data",
        data={
            "kind": "photo",
            "file": (io.BytesIO(helpers.jpeg((4000, 3000), color="teal")), "b.jpg"),
        },
    ).json
    doc = issue(client, officer.headers, built, "notice_of_violation", photo_ids=[big["id"]] * 1)
    pdf, docx = fetch(client, officer.headers, doc)
    assert len(pdf) < 600_000 and len(docx) < 600_000


def test_issued_documents_are_stored_and_hashed(client, officer, database, run_cli) -> None:
    built = build_case(client, officer.headers, "lees-summit-mo")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    with database.session() as s:
        row = s.get(Document, doc["id"])
        assert row.context["recipient"]["name"] == "Smith & Sons <LLC>"
        assert "complainant" not in str(row.context).lower().replace("complainant_photo", "")
    assert run_cli("verify").exit_code == 0


def test_verify_checks_issued_pdfs_are_still_pdfa(
    client, officer, database, settings, run_cli
) -> None:
    from pypdf import PdfWriter

    from docsvc.attachments.service import register_blob
    from docsvc.store import FileStore

    built = build_case(client, officer.headers, "tom-bean-tx")
    doc = issue(client, officer.headers, built, "warning_notice")
    pdf, _ = fetch(client, officer.headers, doc)
    result = run_cli("verify")
    assert result.exit_code == 0 and "1 archival PDFs checked" in result.output, result.output
    # What archival copies lose when something rewrites them: a password, the PDF/A identity.
    locked = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    locked.encrypt(user_password="", owner_password="owner")
    out = io.BytesIO()
    locked.write(out)
    assert structure_problems(out.getvalue()) == ["is encrypted (PDF/A forbids encryption)"]
    assert structure_problems(b"GIF89a")[0].startswith("does not start with a PDF")
    assert structure_problems(b"%PDF-1.7\n%%EOF")[0].startswith("does not open as a PDF")
    # An issued document whose stored PDF is a plain one (as a migration from an old system
    # might leave it) is named, with each thing it lacks.
    plain = helpers.pdf_with(helpers.text_ops("Notice"))
    with database.session() as s:
        stored = FileStore(settings.store_dir).put_bytes(plain)
        register_blob(s, stored.sha256, stored.size, "application/pdf")
        s.get(Document, doc["id"]).pdf_sha256 = stored.sha256
        s.commit()
    result = run_cli("verify")
    assert result.exit_code == 1
    label = f"PROBLEM: document {doc['id']} (warning_notice), file {stored.sha256}: "
    for problem in (
        "has no PDF/A output intent with an ICC profile",
        "has no XMP metadata (where PDF/A declares itself)",
        "page 1: font /Helvetica is not embedded",
    ):
        assert label + problem in result.output, result.output
