"""More time for a minor violation on the violator's written request (Los Gatos VII.b.ii):
recorded with its letter, granted or refused by whom, the new date feeding the compliance
clock and printed on a notice of extension issued and served like any notice."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from docsvc.models import AuditEvent, Extension
from tests import helpers
from tests.documents_helpers import build_case, issue, pdf_text, qpdf_check

SERVED = {"method": "personal", "served_at": "2026-11-18T10:00:00-08:00"}


def served_notice(client, h, clock, jurisdiction="los-gatos-ca", **over):
    clock("2026-11-18T10:00:00-08:00")
    built = build_case(client, h, jurisdiction)
    doc = issue(client, h, built, "notice_of_violation", served=SERVED, **over)
    assert doc["deadline"], doc
    r = helpers.upload(
        client, h, built.case, helpers.pdf("Please give me until Dec 5 to haul the debris."),
        "letter.pdf", kind="correspondence",
    )  # fmt: skip
    assert r.status_code == 201, r.json
    clock("2026-11-25T09:00:00-08:00")  # the day the written request comes in
    return built, doc, r.json["id"]


def request_body(doc, letter, **over):
    return {
        "document_id": doc["id"],
        "requested_on": "2026-11-25",
        "letter_attachment_id": letter,
        "reason": "The hauler cannot come before December.",
        "requested_until": "2026-12-05",
        **over,
    }


def compliance_due(client, h, case: str, doc_id: int) -> str:
    clocks = client.get(f"/api/cases/{case}/clocks", headers=h).json["clocks"]
    (c,) = [c for c in clocks if c["name"] == "compliance" and c.get("document_id") == doc_id]
    return c["due_at"]


@pytest.mark.rule("LG VII.b.ii")
def test_granted_extension_moves_the_clock_and_prints_a_notice(
    client, officer, clock, database, tmp_path
) -> None:
    h = officer.headers
    built, doc, letter = served_notice(client, h, clock)
    before = compliance_due(client, h, built.case, doc["id"])
    assert before.startswith("2026-11-30")  # ten days from service, rolled past the weekend
    r = client.post(
        f"/api/cases/{built.case}/extensions", headers=h, json=request_body(doc, letter)
    )
    assert r.status_code == 201, r.json
    ext = r.json
    assert ext["decision"] == "pending" and ext["letter_attachment_id"] == letter
    assert compliance_due(client, h, built.case, doc["id"]) == before  # pending: unchanged
    r = client.post(
        f"/api/extensions/{ext['id']}/decision",
        headers=h,
        json={"decision": "granted", "new_compliance_date": "2026-12-04",
              "decision_note": "Granted to December 4."},
    )  # fmt: skip
    assert r.status_code == 200, r.json
    granted = r.json
    assert granted["decision"] == "granted" and granted["new_compliance_date"] == "2026-12-04"
    assert "Code Compliance Officer" in granted["decided_by"]  # the profile's authority
    assert compliance_due(client, h, built.case, doc["id"]).startswith("2026-12-04T23:59:59")
    # The notice of extension: a draft, issued and served like any notice.
    notice_id = granted["notice_document_id"]
    draft = client.get(f"/api/documents/{notice_id}", headers=h).json
    assert draft["status"] == "draft" and draft["type"] == "notice_of_extension"
    assert draft["recipient"]["party_id"] == built.owner
    r = client.post(f"/api/documents/{notice_id}/issue", headers=h)
    assert r.status_code == 200, r.json
    notice = r.json
    assert notice["title"] == "Notice of Extension"
    pdf = client.get(notice["pdf_url"], headers=h).data
    check = qpdf_check(pdf, tmp_path)
    assert check.returncode == 0, check.stdout + check.stderr
    text = " ".join(pdf_text(pdf, tmp_path).split())
    for phrase in (
        "Notice of Extension",
        "Correct the violations by December 4, 2026",
        "November 30, 2026",  # the date it replaces
        f"Notice of Violation NOV-{doc['id']}",
        "November 25, 2026",  # the written request
        "Code Compliance Officer",
        "Smith & Sons <LLC>",
    ):
        assert phrase in text, phrase
    r = client.post(
        f"/api/documents/{notice_id}/service",
        headers=h,
        json={"method": "first_class_mail", "mailed_at": "2026-11-25T09:00:00-08:00"},
    )
    assert r.status_code == 201, r.json
    # One date throughout (a tester found "To be corrected within ..." under the violations
    # beside the new date): each violation is due on the date granted, and the notice of
    # extension runs no clock of its own once served; the notice it extends shows the new date.
    assert "To be corrected by December 4, 2026" in text
    assert text.count("To be corrected") == text.count("To be corrected by December 4, 2026")
    served = client.get(f"/api/documents/{notice_id}", headers=h).json
    assert served["deadline"] is None and served["deadline_rule"].startswith("by December 4, 2026")
    clocks = client.get(f"/api/cases/{built.case}/clocks", headers=h).json["clocks"]
    documents = {c.get("document_id") for c in clocks if c["name"] == "compliance"}
    assert documents == {doc["id"]}, clocks  # the extended notice's clock alone
    extended = client.get(f"/api/documents/{doc['id']}", headers=h).json
    assert extended["deadline"].startswith("2026-12-04T23:59:59") and extended["deadline_extended"]
    # Decided once.
    r = client.post(
        f"/api/extensions/{ext['id']}/decision", headers=h, json={"decision": "refused"}
    )
    assert r.status_code == 409
    with database.session() as s:
        row = s.get(Extension, ext["id"])
        assert row.decided_by_id == officer.id and row.decided_on is not None
        actions = {
            e.action
            for e in s.scalars(
                select(AuditEvent).where(
                    AuditEvent.object_type == "extension", AuditEvent.object_id == str(ext["id"])
                )
            )
        }
        assert actions == {"extension.request", "extension.granted"}


@pytest.mark.rule("LG VII.b.ii")
def test_refused_extension_leaves_the_date(client, officer, clock) -> None:
    h = officer.headers
    built, doc, letter = served_notice(client, h, clock)
    before = compliance_due(client, h, built.case, doc["id"])
    ext = client.post(
        f"/api/cases/{built.case}/extensions", headers=h, json=request_body(doc, letter)
    ).json
    r = client.post(
        f"/api/extensions/{ext['id']}/decision",
        headers=h,
        json={"decision": "refused", "decided_by": "A. Meyer, Code Compliance Officer",
              "decision_note": "Not minor enough."},
    )  # fmt: skip
    assert r.status_code == 200, r.json
    assert r.json["decided_by"] == "A. Meyer, Code Compliance Officer"
    assert r.json["notice_document_id"] is None
    assert compliance_due(client, h, built.case, doc["id"]) == before


@pytest.mark.rule("LG VII.b.ii")
def test_requests_the_rule_refuses(client, officer, clock) -> None:
    h = officer.headers
    built, doc, letter = served_notice(client, h, clock)
    url = f"/api/cases/{built.case}/extensions"
    # Beyond the ten days the rule allows for a minor violation.
    r = client.post(url, headers=h, json=request_body(doc, letter, requested_until="2026-12-20"))
    assert r.status_code == 422 and "more than 10 days after the request" in r.json["error"]
    # Without the letter: the request is a written one.
    body = request_body(doc, letter)
    body.pop("letter_attachment_id")
    assert client.post(url, headers=h, json=body).status_code == 422
    # Received in the future: a request is recorded once it has come in.
    r = client.post(url, headers=h, json=request_body(doc, letter, requested_on="2099-01-02"))
    assert r.status_code == 422 and r.json["details"]["field"] == "requested_on", r.json
    # Not after the present compliance date.
    r = client.post(url, headers=h, json=request_body(doc, letter, requested_until="2026-11-27"))
    assert r.status_code == 422 and "not after the notice's compliance date" in r.json["error"]
    # A notice of extension is never typed in.
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=h,
        json={"type": "notice_of_extension", "recipient_party_id": built.owner},
    )
    assert r.status_code == 422 and "request for more time is granted" in r.json["error"]
    # One pending request per notice.
    assert client.post(url, headers=h, json=request_body(doc, letter)).status_code == 201
    assert client.post(url, headers=h, json=request_body(doc, letter)).status_code == 409


@pytest.mark.rule("LG VII.b.ii")
def test_priority_violations_are_not_extended(client, officer, clock) -> None:
    h = officer.headers
    clock("2026-11-18T10:00:00-08:00")
    built = build_case(client, h, "los-gatos-ca")
    vid = client.post(
        f"/api/cases/{built.case}/violations",
        headers=h,
        json={"violation_type": "substandard-structure", "description": "Sagging porch roof",
              "observed_at": "2026-11-17T10:00:00-08:00"},
    ).json["id"]  # fmt: skip
    doc = issue(client, h, built, "notice_of_violation", violation_ids=[vid], served=SERVED)
    letter = helpers.upload(
        client, h, built.case, helpers.pdf("More time please"), "l.pdf", kind="correspondence"
    ).json["id"]
    r = client.post(
        f"/api/cases/{built.case}/extensions",
        headers=h,
        json=request_body(doc, letter, requested_until="2026-12-30"),
    )
    assert r.status_code == 409 and "only minor violations" in r.json["error"]


@pytest.mark.rule("LG VII.b.ii")
def test_no_extensions_where_the_profile_has_none(client, officer, clock) -> None:
    h = officer.headers
    clock("2026-11-18T10:00:00-06:00")
    built = build_case(client, h, "tom-bean-tx")
    doc = issue(
        client, h, built, "notice_of_violation",
        served={"method": "personal", "served_at": "2026-11-18T10:00:00-06:00"},
    )  # fmt: skip
    letter = helpers.upload(
        client, h, built.case, helpers.pdf("More time please"), "l.pdf", kind="correspondence"
    ).json["id"]
    r = client.post(
        f"/api/cases/{built.case}/extensions", headers=h, json=request_body(doc, letter)
    )
    assert r.status_code == 409 and "grants no extensions" in r.json["error"]
    types = client.get("/api/jurisdictions/tom-bean-tx/document-types").json
    assert "notice_of_extension" not in {t["type"] for t in types}
