"""Bad input to the document endpoints gets a 4xx that says what to fix, and stores nothing."""

from __future__ import annotations

import io

import pytest

from tests import helpers
from tests.documents_helpers import FIELDS, build_case, document_body


@pytest.fixture
def built(client, officer):
    return build_case(client, officer.headers, "los-gatos-ca")


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"type": "eviction_notice"}, 422, "type"),
        ({"fields": {"corrective_actoin": "typo"}}, 422, "corrective_actoin"),
        ({"violation_ids": [999999]}, 422, "violation 999999 not in case"),
        ({"photo_ids": ["one"]}, 422, "photo_ids"),
        ({"recipient_party_id": 999999}, 422, "not a party of case"),
        ({"supersedes": 999999}, 422, "not in this case"),
        (
            {"served": {"method": "certified_mail", "served_at": "2026-11-20T10:00:00-08:00"}},
            422,
            "served",
        ),
    ],
)
def test_bad_document_requests(client, officer, built, count_rows, change, status, says) -> None:
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=officer.headers,
        json=document_body("notice_of_violation", built, **change),
    )
    assert r.status_code == status, r.json
    assert says in r.json["error"], r.json
    assert count_rows("documents") == 0


def test_a_document_photo_must_be_a_photo(client, officer, built, count_rows) -> None:
    pdf = client.post(
        f"/api/cases/{built.case}/attachments",
        headers=officer.headers,
        content_type="multipart/form-data",
        data={"kind": "other", "file": (io.BytesIO(helpers.pdf()), "x.pdf")},
    ).json["id"]
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=officer.headers,
        json=document_body("notice_of_violation", built, photo_ids=[pdf]),
    )
    assert r.status_code == 422 and "not photographs" in r.json["error"]
    assert count_rows("documents") == 0


@pytest.mark.parametrize(
    ("doc_type", "field", "value"),
    [
        ("voluntary_compliance_agreement", "extended_deadline", "next Friday"),
        ("settlement_agreement", "penalty_amount", "lots"),
        ("settlement_agreement", "deferred_months", "two years"),
    ],
)
def test_field_types_are_checked(client, officer, built, doc_type, field, value) -> None:
    fields = {**FIELDS[doc_type], field: value}
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=officer.headers,
        json=document_body(doc_type, built, fields=fields),
    )
    assert r.status_code == 422 and field in r.json["error"]


@pytest.mark.rule("TB VIII.B.2.a")
def test_return_receipt_input(client, officer, built) -> None:
    doc = client.post(
        f"/api/cases/{built.case}/documents",
        headers=officer.headers,
        json=document_body("notice_of_violation", built),
    ).json
    url = f"/api/documents/{doc['id']}/return-receipt"
    r = client.post(
        url,
        headers=officer.headers,
        content_type="multipart/form-data",
        data={"status": "delivered", "file": (io.BytesIO(helpers.pdf()), "r.pdf")},
    )
    assert r.status_code == 409 and "no certified mailing" in r.json["error"]
    r = client.post(url, headers=officer.headers, json={"status": "delivered"})
    assert r.status_code == 415
    r = client.post(
        url,
        headers=officer.headers,
        content_type="multipart/form-data",
        data={"status": "lost", "file": (io.BytesIO(helpers.pdf()), "r.pdf")},
    )
    assert r.status_code == 422 and "status" in r.json["details"]["fields"]
