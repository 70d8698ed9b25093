"""Jefferson County, WA: a 311 integration files the complaint (never anonymously), a field app
issues and posts the notice at once (its deadline printed on it), a warning goes by first-class
mail, a settlement defers within the County's three years, and a records request is released
through the API to the link the requester opens."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from tests.e2e import steps

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

J = "jefferson-county-wa"
ZONE = "America/Los_Angeles"
COMPLAINANT = "Ignatius Featherstonehaugh"
OWNER = "Discovery Bay Storage Co"


def test_jefferson_county_integrations_and_release(server, browser) -> None:
    api = server.api("officer")
    now = steps.now_iso(ZONE)
    complaint = {
        "received_at": now,
        "channel": "phone",
        "description": "Household garbage and appliances dumped behind the barn",
        "disclosure_preference": "nondisclosure",
    }
    refused = api.post(
        "/api/cases",
        {"jurisdiction": J, "property": {"address": "900 Discovery Road"},
         "complaint": {**complaint, "anonymous": True}},
    )  # fmt: skip
    assert refused.status == 422 and "anonymous" in refused.json["error"], refused
    case = api.ok(
        "POST",
        "/api/cases",
        {"jurisdiction": J, "property": {"address": "900 Discovery Road"},
         "complaint": {**complaint, "anonymous": False,
                       "complainant": {"name": COMPLAINANT, "phone": "(360) 555-0177"}}},
        expect=201,
    )["case_number"]  # fmt: skip
    assert case.startswith("JC-")
    owner = api.ok(
        "POST",
        f"/api/cases/{case}/parties",
        {"role": "owner", "name": OWNER, "mailing_address": "PO Box 12, Port Hadlock, WA 98339"},
        expect=201,
    )["id"]
    violation = api.ok(
        "POST",
        f"/api/cases/{case}/violations",
        {"violation_type": "solid-waste-accumulation", "description": "Garbage and two fridges",
         "observed_at": now},
        expect=201,
    )["id"]  # fmt: skip
    photo = api.ok(
        "POST",
        f"/api/cases/{case}/attachments",
        form={"kind": "photo", "caption": "Behind the barn"},
        files={"file": ("DSC_0101.jpg", steps.field_photo("navy"), "image/jpeg")},
        expect=201,
    )["id"]

    # The field app issues the notice and posts it on the property at once: the compliance
    # date is known, printed on the notice, and the clock runs to it.
    notice = api.ok(
        "POST",
        f"/api/cases/{case}/documents",
        {"type": "notice_of_violation", "recipient_party_id": owner,
         "violation_ids": [violation], "photo_ids": [photo],
         "fields": {"corrective_action": "Haul the garbage and appliances to the transfer station."},
         # No warning first (Rule 1(a)(ii)): the reason is written down.
         "no_warning_reason": "Leaking appliances beside the creek: an immediate risk to it.",
         "served": {"method": "posting", "served_at": steps.now_iso(ZONE)}},
        expect=201,
    )  # fmt: skip
    deadline = datetime.fromisoformat(notice["deadline"])
    steps.within_days(deadline.date().isoformat(), steps.today(ZONE), 14, 18)
    text = steps.pdf_text(api.call("GET", notice["pdf_url"]).body)
    printed = f"{deadline:%B} {deadline.day}, {deadline.year}"
    assert re.search(rf"by\s+{printed}", text), (printed, text)
    assert COMPLAINANT not in text
    assert steps.compliance_clock(api, case, notice["id"])["due_at"] == notice["deadline"]

    # A warning by first-class mail: effective days after the mailing, by the profile's rule.
    # It prints no photographs, so none are offered (sending one is refused, not dropped).
    warning = api.ok(
        "POST",
        f"/api/cases/{case}/documents",
        {"type": "warning_notice", "recipient_party_id": owner, "violation_ids": [violation],
         "fields": {}},
        expect=201,
    )  # fmt: skip
    mailed = api.ok(
        "POST",
        f"/api/documents/{warning['id']}/service",
        {"method": "first_class_mail", "mailed_at": steps.now_iso(ZONE)},
        expect=201,
    )
    assert mailed["effective_at"] > mailed["mailed_at"], mailed

    # Penalties and a settlement deferring part of them (within the County's three years).
    on = steps.today(ZONE)
    api.ok(
        "POST",
        f"/api/cases/{case}/ledger",
        {"kind": "penalty", "amount": "1000.00", "assessed_on": on.isoformat()},
        expect=201,
    )
    settled = api.ok(
        "POST",
        f"/api/cases/{case}/settlements",
        {"entered_on": on.isoformat(), "approved_by": "Director Ames", "pay_amount": "250.00",
         "deferred_amount": "750.00", "deferred_until": (on + timedelta(days=730)).isoformat(),
         # A finding on each factor the director weighs (Rule 5(a)(iii)).
         "factors": {c: "Considered." for c in "ABCDE"}},
        expect=201,
    )  # fmt: skip
    assert settled["deferred_amount"] == "750.00"

    # The officer sees the compliance date on the Due list.
    page = browser.tablet(server.users["officer"])
    page.click("header nav a:text('Due')")
    rows = page.locator("#due-list tr", has_text=case).filter(has_text="Compliance date")
    assert rows.count() == 2  # the posted notice's and the mailed warning's
    due = [rows.nth(i).locator("td").nth(2).locator("time") for i in range(rows.count())]
    assert notice["deadline"][:16] in [str(t.get_attribute("datetime"))[:16] for t in due]

    # A records request, released through the API (Washington has no pre-withholding step).
    records = server.api("records")
    req = records.ok(
        "POST",
        "/api/disclosures",
        {"jurisdiction": J, "requester": {"name": "Port Townsend Leader"},
         "received_at": steps.now_iso(ZONE), "description": "The Discovery Road file",
         "case_numbers": [case]},
        expect=201,
    )  # fmt: skip
    steps.within_days(req["due_at"][:10], steps.today(ZONE), 5, 11)  # five business days
    steps.wait_for_request(records, req["id"], "review")
    release = records.ok(
        "POST",
        f"/api/disclosures/{req['id']}/release",
        {"accept_proposed_redactions": True},
        expect=201,
    )
    public = browser.tablet()
    got = public.request.get(release["public_url"])
    assert got.status == 200 and got.headers["content-type"] == "application/zip"
    _, text = steps.zip_text(got.body())
    assert "900 Discovery Road" in text
    for part in ("Ignatius", "Featherstonehaugh", "555-0177"):
        assert part not in text, part
