"""Every date a person reads about a records request is the jurisdiction's, not UTC's: a request
received at 16:00 Pacific on 29 November was received on the 29th (UTC says the 30th) on the
pages, the review cards, the package's index and its exemption log. The new-request form says
which clock its "Received" field is read on, and a morning there is not "in the future"."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile

import pytest

from tests import helpers
from tests.conftest import complaint_case
from tests.helpers import pdf_with, text_ops


@pytest.mark.slow
def test_a_late_afternoon_request_is_dated_the_day_it_arrived_everywhere(
    client, signed_in, officer, work, clock
) -> None:
    # 16:00 Pacific on the 29th is 00:00 UTC on the 30th.
    clock("2026-11-29T16:00:00-08:00")
    clerk = signed_in("records")
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json
    letter = pdf_with(text_ops("Complaint from Maria O'Brien-Nguyen about the yard."))
    r = helpers.upload(
        client, officer.headers, case["case_number"], letter, "c.pdf", "correspondence"
    )
    assert r.status_code == 201, r.json
    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": "Pat Reporter"},
        "received_at": "2026-11-29T16:00:00-08:00",
        "description": "All records about the yard",
        "case_numbers": [case["case_number"]],
    }
    r = client.post("/api/disclosures", headers=clerk.headers, json=body)
    assert r.status_code == 201, r.json
    rid = r.json["id"]
    work()
    page = client.get(f"/disclosures/{rid}").data.decode()
    cards = re.findall(r"<h2>[^<]*· ([^<]+)</h2>", page)
    assert cards and all("filed 2026-11-29" in c for c in cards if "filed" in c), cards
    assert "2026-11-30" not in page
    r = client.post(
        f"/api/disclosures/{rid}/release",
        headers=clerk.headers,
        json={"accept_proposed_redactions": True},
    )
    assert r.status_code == 201, r.json
    package = zipfile.ZipFile(io.BytesIO(client.get(f"/disclosures/{rid}/package.zip").data))
    index = json.loads(package.read("index.json"))
    assert index["received"] == "2026-11-29" and index["released"] == "2026-11-29"
    assert all("2026-11-30" not in f["description"] for f in index["files"]), index["files"]
    log = json.loads(package.read("exemption-log.json"))["entries"]
    assert log and all(e["at"].startswith("2026-11-29") for e in log)
    for name in ("index.pdf", "exemption-log.pdf"):
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=package.read(name), capture_output=True, check=True
        ).stdout.decode()
        assert "2026-11-29" in text and "2026-11-30" not in text, (name, text)


def test_the_received_field_names_its_clock_and_a_local_morning_is_taken(
    client, signed_in, officer, work, clock
) -> None:
    clock("2026-11-30T09:30:00-06:00")  # a Texas morning: 07:30 in Los Gatos, 15:30 UTC
    signed_in("records")
    case = client.post(
        "/api/cases", headers=officer.headers, json=complaint_case(jurisdiction="tom-bean-tx")
    ).json["case_number"]
    page = client.get("/disclosures").data.decode()
    hint = re.search(r'id="request-received_at-hint">([^<]+)<', page)
    said = dict(
        z.split(" for ", 1) for z in hint.group(1).rstrip(".").split(": ", 1)[1].split("; ")
    )
    assert "Tom Bean" in said["Central time"] and "Los Gatos" in said["Pacific time"], said
    form = {
        **helpers.tokens(page.encode()),
        "jurisdiction": "tom-bean-tx",
        "received_at": "2026-11-30T08:45",
        "name": "Pat Reporter",
        "description": "All records about the yard",
        "case_numbers": case,
    }
    r = client.post("/disclosures", data=form)
    assert r.status_code == 302, r.data.decode()[:2000]
    # A time later than now there is refused in words, saying what "now" is where it is.
    page = client.get("/disclosures").data.decode()
    form = {**form, **helpers.tokens(page.encode()), "received_at": "2026-11-30T11:00"}
    r = client.post("/disclosures", data=form)
    assert r.status_code == 422
    text = re.sub(r"<[^>]+>", " ", r.data.decode())  # what a person reads
    assert "received_at" not in text and "2026-11-30 09:30 CST" in text
