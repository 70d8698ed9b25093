"""Appeals: filed against an issued notice or a citation, heard, decided; the final decision
dates the exhaustion of appeals (a retention trigger)."""

from __future__ import annotations

from tests.documents_helpers import build_case, document_body


def test_appeal_lifecycle(client, officer, records) -> None:
    h = officer.headers
    built = build_case(client, h, "los-gatos-ca")
    doc = client.post(
        f"/api/cases/{built.case}/documents",
        headers=h,
        json=document_body("notice_of_violation", built),
    ).json
    body = {
        "document_id": doc["id"],
        "appellant_party_id": built.owner,
        "filed_on": "2030-01-10",
        "grounds": "The couch belongs to the neighbour & was moved.",
    }
    appeal = client.post(f"/api/cases/{built.case}/appeals", headers=h, json=body).json
    assert appeal["decision"] is None and appeal["appeals_exhausted_on"] is None
    r = client.post(
        f"/api/appeals/{appeal['id']}/decision",
        headers=h,
        json={"decision": "upheld", "decided_on": "2030-02-01"},
    )
    assert r.status_code == 409 and "hearing" in r.json["error"]
    r = client.post(
        f"/api/appeals/{appeal['id']}/hearing",
        headers=h,
        json={"hearing_on": "2030-01-05", "hearing_body": "Hearing Officer"},
    )
    assert r.status_code == 422
    client.post(
        f"/api/appeals/{appeal['id']}/hearing",
        headers=h,
        json={"hearing_on": "2030-01-30", "hearing_body": "Hearing Officer"},
    )
    r = client.post(
        f"/api/appeals/{appeal['id']}/decision",
        headers=h,
        json={"decision": "upheld", "decided_on": "2030-02-06"},
    )
    assert r.status_code == 200 and r.json["appeals_exhausted_on"] == "2030-02-06"
    assert (
        client.post(
            f"/api/appeals/{appeal['id']}/decision",
            headers=h,
            json={"decision": "overturned", "decided_on": "2030-02-07"},
        ).status_code
        == 409
    )
    listed = client.get(f"/api/cases/{built.case}/appeals", headers=records.headers).json
    assert [a["decision"] for a in listed] == ["upheld"]
    assert (
        client.post(
            f"/api/cases/{built.case}/appeals", headers=records.headers, json=body
        ).status_code
        == 403
    )


def test_appeal_needs_one_issued_target(client, officer) -> None:
    h = officer.headers
    built = build_case(client, h, "los-gatos-ca")
    draft = client.post(
        f"/api/cases/{built.case}/documents",
        headers=h,
        json=document_body("notice_of_violation", built, draft=True),
    ).json
    base = {"appellant_party_id": built.owner, "filed_on": "2030-01-10", "grounds": "x"}
    assert client.post(f"/api/cases/{built.case}/appeals", headers=h, json=base).status_code == 422
    r = client.post(
        f"/api/cases/{built.case}/appeals", headers=h, json=base | {"document_id": draft["id"]}
    )
    assert r.status_code == 409 and "draft" in r.json["error"]
    r = client.post(f"/api/cases/{built.case}/appeals", headers=h, json=base | {"citation_id": 999})
    assert r.status_code == 422
    withdrawn = client.post(
        f"/api/cases/{built.case}/appeals",
        headers=h,
        json=base
        | {
            "document_id": client.post(
                f"/api/cases/{built.case}/documents",
                headers=h,
                json=document_body("warning_notice", built),
            ).json["id"]
        },
    ).json
    r = client.post(
        f"/api/appeals/{withdrawn['id']}/decision",
        headers=h,
        json={"decision": "withdrawn", "decided_on": "2030-01-11"},
    )
    assert r.status_code == 200 and r.json["appeals_exhausted_on"] == "2030-01-11"
