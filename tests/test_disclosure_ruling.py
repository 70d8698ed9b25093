"""Texas: the Attorney General's decision a withholding needs, requested and then ruled on,
recorded on the request's page (and in the API), audited, and the release per the profile."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from docsvc.models import AuditEvent
from tests import helpers
from tests.conftest import complaint_case
from tests.helpers import pdf_with, text_ops, tokens


def _texas_request(client, officer, clerk, work) -> int:
    case = client.post(
        "/api/cases", headers=officer.headers, json=complaint_case(jurisdiction="tom-bean-tx")
    ).json["case_number"]
    letter = pdf_with(text_ops("Complaint from Maria O'Brien-Nguyen about the yard."))
    r = helpers.upload(client, officer.headers, case, letter, "c.pdf", kind="correspondence")
    assert r.status_code == 201, r.json
    body = {
        "jurisdiction": "tom-bean-tx",
        "requester": {"name": "Pat Reporter"},
        "received_at": "2026-11-20T10:00:00-06:00",
        "description": "All records about the yard",
        "case_numbers": [case],
    }
    r = client.post("/api/disclosures", headers=clerk.headers, json=body)
    assert r.status_code == 201, r.json
    work()
    return r.json["id"]


def _actions(database, action: str) -> int:
    with database.session() as s:
        return len(s.scalars(select(AuditEvent).where(AuditEvent.action == action)).all())


def _release(client, clerk, rid: int):
    return client.post(
        f"/api/disclosures/{rid}/release",
        headers=clerk.headers,
        json={"accept_proposed_redactions": True},
    )


@pytest.mark.slow
def test_the_request_and_the_ruling_are_recorded_on_the_page_and_release_follows(
    client, signed_in, officer, work, clock, database
) -> None:
    clock("2026-11-23T09:00:00-06:00")
    clerk = signed_in("records")
    rid = _texas_request(client, officer, clerk, work)
    page = client.get(f"/disclosures/{rid}")
    assert b'id="ruling-request-form"' in page.data and b'id="ruling-form"' not in page.data
    token = tokens(page.data)
    assert _release(client, clerk, rid).status_code == 409
    # A date in the future is refused with a sentence, on the page.
    r = client.post(
        f"/disclosures/{rid}/ruling-requested",
        data={**token, "requested_on": "2026-12-30"},
    )
    assert r.status_code == 422 and b"in the future" in r.data
    r = client.post(
        f"/disclosures/{rid}/ruling-requested",
        data={**token, "requested_on": "2026-11-23"},
    )
    assert r.status_code == 302, r.data[:300]
    assert _actions(database, "disclosure.ruling_requested") == 1
    page = client.get(f"/disclosures/{rid}")
    assert re.search(rb'id="ruling-requested">2026-11-23<', page.data)
    assert b'id="ruling-form"' in page.data and b"waits for the ruling" in page.data
    # Requested is not enough here: Tom Bean's release waits for the ruling itself.
    r = _release(client, clerk, rid)
    assert r.status_code == 409 and "Attorney General's ruling" in r.json["error"]
    clock("2027-01-20T09:00:00-06:00")
    letter = pdf_with(text_ops("OR2027-00042: the informer's privilege applies."))
    r = client.post(
        f"/disclosures/{rid}/ruling",
        data={
            **token,
            "issued_on": "2027-01-18",
            "reference": "OR2027-00042",
            "outcome": "withhold",
            "letter": (io.BytesIO(letter), "ruling.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.data[:300]
    assert _actions(database, "disclosure.ruling") == 1
    page = client.get(f"/disclosures/{rid}")
    assert b"OR2027-00042 of 2027-01-18" in page.data and b"Withholding allowed" in page.data
    link = re.search(rb'href="([^"]+)">the letter \(PDF\)', page.data)
    assert link and b"/api/" not in link.group(1)
    got = client.get(link.group(1).decode())
    assert got.status_code == 200 and got.data == letter
    # The API shows the same ruling under its existing names, and the release now goes.
    api = client.get(f"/api/disclosures/{rid}", headers=clerk.headers).json
    assert api["ruling_requested_at"].startswith("2026-11-23")
    assert api["ruling"]["reference"] == "OR2027-00042" and api["ruling"]["outcome"] == "withhold"
    assert api["cases"][0]["decision"] == "redact"
    r = _release(client, clerk, rid)
    assert r.status_code == 201, r.json


def test_a_ruling_that_the_information_must_be_released_discloses_the_case(
    client, officer, records, work, clock
) -> None:
    clock("2026-11-23T09:00:00-06:00")
    rid = _texas_request(client, officer, records, work)
    h = records.headers
    r = client.patch(
        f"/api/disclosures/{rid}",
        headers=h,
        json={"ruling_requested_at": "2026-11-23T08:00:00-06:00"},
    )
    assert r.status_code == 200, r.json
    boxes = client.get(f"/api/disclosures/{rid}/proposed-redactions", headers=h).json
    assert boxes  # the complainant's name, proposed for withholding
    clock("2027-01-20T09:00:00-06:00")
    ruling = {"issued_at": "2027-01-18T00:00:00-06:00", "reference": "OR2027-7"}
    r = client.post(
        f"/api/disclosures/{rid}/ruling",
        headers=h,
        json={**ruling, "outcome": "release"},
    )
    assert r.status_code == 200, r.json
    case = r.json["cases"][0]
    assert case["decision"] == "disclose" and "OR2027-7" in case["explanation"]
    assert r.json["status"] == "preparing"  # prepared again, without the boxes
    work()
    assert client.get(f"/api/disclosures/{rid}/proposed-redactions", headers=h).json == []
    # The outcome is not changed afterwards; its number may be corrected.
    r = client.post(
        f"/api/disclosures/{rid}/ruling",
        headers=h,
        json={**ruling, "outcome": "withhold"},
    )
    assert r.status_code == 409 and "not changed" in r.json["error"]
    r = client.post(
        f"/api/disclosures/{rid}/ruling",
        headers=h,
        json={**ruling, "reference": "OR2027-00007", "outcome": "release"},
    )
    assert r.status_code == 200 and r.json["ruling"]["reference"] == "OR2027-00007"
    r = client.post(f"/api/disclosures/{rid}/release", headers=h, json={})
    assert r.status_code == 201, r.json


def test_a_ruling_in_part_sends_each_case_back_for_a_decision(
    client, officer, records, work, clock
) -> None:
    clock("2026-11-23T09:00:00-06:00")
    rid = _texas_request(client, officer, records, work)
    h = records.headers
    # No ruling before it was requested; a ruling dated before its request is refused.
    data = {"issued_at": "2026-11-22T00:00:00-06:00", "reference": "OR1", "outcome": "partly"}
    form = {"headers": h}
    r = client.post(f"/api/disclosures/{rid}/ruling", json=data, **form)
    assert r.status_code == 409 and "requested" in r.json["error"]
    client.patch(
        f"/api/disclosures/{rid}",
        headers=h,
        json={"ruling_requested_at": "2026-11-23T08:00:00-06:00"},
    )
    r = client.post(f"/api/disclosures/{rid}/ruling", json=data, **form)
    assert r.status_code == 422 and "before the decision was requested" in r.json["error"]
    r = client.post(
        f"/api/disclosures/{rid}/ruling",
        json={**data, "issued_at": "2026-11-23T09:00:00-06:00"},
        **form,
    )
    assert r.status_code == 200 and r.json["cases"][0]["decision"] == "counsel"
    r = client.post(
        f"/api/disclosures/{rid}/release", headers=h, json={"accept_proposed_redactions": True}
    )
    assert r.status_code == 409 and "counsel" in r.json["error"]
    # A letter that is not a PDF is refused with what to do.
    r = client.post(
        f"/api/disclosures/{rid}/ruling/letter",
        data={"file": (io.BytesIO(b"hello"), "x.txt")},
        content_type="multipart/form-data",
        **form,
    )
    assert r.status_code == 422 and "must be a PDF" in r.json["error"]


def test_no_ruling_where_the_profile_requires_none(client, officer, records, work) -> None:
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json[
        "case_number"
    ]
    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": "Pat"},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": "x",
        "case_numbers": [case],
    }
    rid = client.post("/api/disclosures", headers=records.headers, json=body).json["id"]
    r = client.post(
        f"/api/disclosures/{rid}/ruling",
        headers=records.headers,
        json={"issued_at": "2026-11-22T00:00:00-08:00", "reference": "X", "outcome": "withhold"},
    )
    assert r.status_code == 409 and "requires no decision" in r.json["error"]
