"""A property several people complained about: each case's records can quote another of its
complainants ("she heard Mr. Quincey-Marsh already called"). Whatever a case shows or releases
to someone who may not see identity masks them all: a notice served on the owner, the public
release of that case alone, its redacted court bundle, and the search that decides which cases
a records request reaches (found by an attacker: the masking and the leak scanner looked only
for the case's own complainant)."""

from __future__ import annotations

import pytest

from tests import helpers
from tests.conftest import complaint_case
from tests.outside_readers import leaks

PROPERTY = "500 Pecan Grove Road"
FIRST = {
    "name": "Zebulon Quincey-Marsh",
    "phone": "(408) 555-0199",
    "email": "zq@example.org",
    "address": "77 Juniper Hollow Apt 4",
}
SECOND = {"name": "Yolanda Pricklethorn", "phone": "(408) 555-0123", "address": "9 Fir Lane"}
QUOTED = (
    "Junk cars, first reported by Zebulon Quincey-Marsh (408) 555-0199 of 77 Juniper Hollow "
    "Apt 4, zq@example.org; Yolanda Pricklethorn confirms."
)


def _second_case(client, officer) -> str:
    """Two complaints about the property; the second case's violation quotes the first
    complainant, as a careless officer would; an owner to serve."""
    h = officer.headers
    first = complaint_case(address=PROPERTY, complainant=FIRST)
    assert client.post("/api/cases", headers=h, json=first).status_code == 201
    body = complaint_case(
        address=PROPERTY, complainant=SECOND, description="Same junk cars; she heard it reported."
    )
    case = client.post("/api/cases", headers=h, json=body).json["case_number"]
    r = client.post(
        f"/api/cases/{case}/parties",
        headers=h,
        json={"role": "owner", "name": "Pat Owner", "mailing_address": "PO Box 1"},
    )
    assert r.status_code == 201, r.json
    r = client.post(
        f"/api/cases/{case}/violations",
        headers=h,
        json={
            "violation_type": "junk-debris",
            "description": QUOTED,
            "observed_at": "2026-11-17T10:00:00-08:00",
        },
    )
    assert r.status_code == 201, r.json
    memo = helpers.pdf_with(
        helpers.text_ops(
            "Site visit memo: junk cars at 500 Pecan Grove Road.",
            "Neighbour Zebulon Quincey-Marsh, 77 Juniper Hollow Apt 4, called first;",
            "reach him at (408) 555-0199.",
        )
    )
    r = helpers.upload(client, h, case, memo, "memo.pdf", kind="correspondence")
    assert r.status_code == 201, r.json
    return case


def test_a_notice_to_the_owner_masks_every_complainant_about_the_property(client, officer) -> None:
    case = _second_case(client, officer)
    owner = client.get(f"/api/cases/{case}", headers=officer.headers).json["parties"][0]["id"]
    violation = client.get(f"/api/cases/{case}", headers=officer.headers).json["violations"][0]
    r = client.post(
        f"/api/cases/{case}/documents",
        headers=officer.headers,
        json={
            "type": "warning_notice",
            "recipient_party_id": owner,
            "violation_ids": [violation["id"]],
        },
    )
    assert r.status_code == 201, r.json
    for url in (r.json["pdf_url"], r.json["docx_url"]):
        data = client.get(url, headers=officer.headers).data
        assert leaks(data, url.rsplit("/", 1)[-1], FIRST, ocr=False) == set(), url
        assert leaks(data, url.rsplit("/", 1)[-1], SECOND, ocr=False) == set(), url


def test_the_case_page_and_search_mask_them_until_shown(client, officer, signed_in) -> None:
    case = _second_case(client, officer)
    signed_in("officer")
    html = client.get(f"/cases/{case}").get_data(as_text=True)
    for shown in (html, str(client.get("/api/search?q=junk", headers=officer.headers).json)):
        assert "Quincey" not in shown and "555-0199" not in shown and "Juniper" not in shown
        assert "[complainant]" in shown


@pytest.mark.slow
def test_the_release_of_that_case_alone_withholds_them(client, officer, records, work) -> None:
    case = _second_case(client, officer)
    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": "Pat Reporter"},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": "Records about 500 Pecan Grove Road",
        "case_numbers": [case],
    }
    r = client.post("/api/disclosures", headers=records.headers, json=body)
    assert r.status_code == 201, r.json
    work()
    r = client.post(
        f"/api/disclosures/{r.json['id']}/release",
        headers=records.headers,
        json={"accept_proposed_redactions": True},
    )
    assert r.status_code == 201, r.json
    public = client.get(r.json["public_url"].replace("http://localhost", "")).data
    assert leaks(public, "release.zip", FIRST) == set()


def test_their_name_makes_no_case_responsive(client, officer, records, work) -> None:
    _second_case(client, officer)
    work()  # the memo's text read and indexed
    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": "Nosy Neighbour"},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": "Everything naming him",
        "query": '"Zebulon Quincey-Marsh"',
    }
    r = client.post("/api/disclosures", headers=records.headers, json=body)
    assert r.status_code == 422 and "no case is responsive" in r.json["error"], r.json


@pytest.mark.slow
def test_the_redacted_bundle_withholds_them(client, officer, attorney, work) -> None:
    case = _second_case(client, officer)
    r = client.post(f"/api/cases/{case}/bundles", headers=attorney.headers, json={"redacted": True})
    assert r.status_code == 202, r.json
    work()
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "done", b.get("error")
    for vol in b["volumes"]:
        data = client.get(vol["pdf_url"], headers=attorney.headers).data
        assert leaks(data, "volume.pdf", FIRST, ocr=False) == set()
