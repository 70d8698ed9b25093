"""Every citation on a Uniform Citation and Complaint (Los Gatos VII.c.iii): a generated
document made from the citation record, issued and served like a notice, only where the
profile lists the type."""

from __future__ import annotations

import pytest

from tests.documents_helpers import docx_text, pdf_text, qpdf_check
from tests.test_citations import cite, cited_case


@pytest.mark.rule("LG VII.c.iii")
def test_uniform_citation_from_the_citation(client, officer, clock, tmp_path) -> None:
    h = officer.headers
    clock("2030-01-06T12:00:00-08:00")
    case, party, violation = cited_case(client, h)
    citation = cite(client, h, case, party, violation, "LG-C-77").json
    r = client.post(f"/api/cases/{case}/documents", headers=h, json={"type": "uniform_citation"})
    assert r.status_code == 422 and r.json["details"]["field"] == "citation_id"
    assert "made from a citation" in r.json["error"]
    r = client.post(
        f"/api/cases/{case}/documents",
        headers=h,
        json={"type": "uniform_citation", "citation_id": citation["id"]},
    )
    assert r.status_code == 201, r.json
    doc = r.json
    assert doc["title"] == "Uniform Citation and Complaint" and doc["status"] == "issued"
    assert doc["citation_id"] == citation["id"] and doc["recipient"]["party_id"] == party
    assert doc["violation_ids"] == [violation]
    pdf = client.get(doc["pdf_url"], headers=h).data
    check = qpdf_check(pdf, tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    text = " ".join(pdf_text(pdf, tmp_path).split())
    for phrase in (
        "Uniform Citation and Complaint",
        "Citation number LG-C-77",
        "January 6, 2030",
        "Smith & Sons <LLC>",
        "Junk, trash or debris on the property",  # the infraction, in words
        "$100.00",
        "Municipal Court, on February 10, 2030",
        "Los Gatos Town Code",  # the code section of the violation
        "Couch",
    ):
        assert phrase in text, phrase
    assert "Citation number LG-C-77" in docx_text(client.get(doc["docx_url"], headers=h).data)
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=h,
        json={"method": "personal", "served_at": "2030-01-06T12:00:00-08:00"},
    )
    assert r.status_code == 201, r.json


@pytest.mark.rule("LG VII.c.iii")
def test_uniform_citation_refusals(client, officer, clock) -> None:
    h = officer.headers
    clock("2030-01-06T12:00:00-08:00")
    case, party, violation = cited_case(client, h)
    # Without a court and hearing date the form lacks what it must say.
    citation = client.post(
        f"/api/cases/{case}/citations",
        headers=h,
        json={"violation_id": violation, "party_id": party, "number": "LG-C-78",
              "fine": "100.00", "issued_on": "2030-01-06"},
    )  # fmt: skip
    assert citation.status_code == 201, citation.json
    r = client.post(
        f"/api/cases/{case}/documents",
        headers=h,
        json={"type": "uniform_citation", "citation_id": citation.json["id"]},
    )
    assert r.status_code == 422 and r.json["code"] == "missing_elements"
    assert "Court or hearing body" in r.json["error"] and "Hearing date" in r.json["error"]
    # Another case's citation, and another recipient than the cited party.
    other, other_party, other_violation = cited_case(client, h, address="9 Oak Street")
    theirs = cite(client, h, other, other_party, other_violation, "LG-C-79").json
    r = client.post(
        f"/api/cases/{case}/documents",
        headers=h,
        json={"type": "uniform_citation", "citation_id": theirs["id"]},
    )
    assert r.status_code == 422 and "not a citation of case" in r.json["error"]


@pytest.mark.rule("LG VII.c.iii")
def test_no_uniform_citation_where_the_profile_lacks_it(client, officer) -> None:
    from tests.documents_helpers import build_case

    built = build_case(client, officer.headers, "tom-bean-tx")
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=officer.headers,
        json={"type": "uniform_citation", "citation_id": 1},
    )
    assert r.status_code == 422 and "does not use" in r.json["error"]
    types = client.get("/api/jurisdictions/tom-bean-tx/document-types").json
    assert "uniform_citation" not in {t["type"] for t in types}
    lg = client.get("/api/jurisdictions/los-gatos-ca/document-types").json
    assert "uniform_citation" in {t["type"] for t in lg}
