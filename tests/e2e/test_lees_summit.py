"""Lee's Summit, MO: a complaint worked on the tablet to a notice mailed first class and a stop
work order posted on the site, and a Sunshine Law request, due in three business days, released
once counsel has decided on the complainant's identity (the profile names no exemption)."""

from __future__ import annotations

import pytest

from tests.e2e import steps
from tests.e2e.browser import local_now

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

J = "lees-summit-mo"
ZONE = "America/Chicago"
COMPLAINANT = "Cordelia Vanterpool"
OWNER = "Blue Springs Rentals Inc"


def test_lees_summit_notice_stop_work_and_sunshine_request(server, browser, tmp_path) -> None:
    base = server.base
    api = server.api("officer")
    page = browser.tablet(server.users["officer"])
    case = steps.intake(
        page,
        base,
        J,
        "220 SE Douglas Street",
        local_now(ZONE),
        {
            "description": "Peeling paint and broken gutters; a deck going up out back",
            "name": COMPLAINANT,
            "phone": "(816) 555-0144",
        },
    )
    assert case.startswith("LS-")
    steps.add_party(page, "owner", OWNER, "PO Box 3, Blue Springs, MO 64013")
    steps.add_violation(
        page, "exterior-property-maintenance", "Peeling paint and gutters", local_now(ZONE)
    )
    steps.upload_photo(page, tmp_path, "East wall and gutters", color="teal")

    # The notice of violation, mailed first class: effective days later, its deadline after.
    steps.prepare_documents(
        page,
        base,
        case,
        "notice_of_violation",
        {"corrective_action": "Scrape and paint the east wall; rehang the gutters."},
        [OWNER],
    )
    notice, text = steps.issue_draft(page, "Notice of Violation", OWNER)
    assert "Lee" in text and COMPLAINANT not in text
    steps.record_service(page, notice, "first_class_mail", local_now(ZONE))
    shown = steps.due_on_page(page, notice)
    # Three days for the mail (the City's rule), then fourteen to correct.
    steps.within_days(shown, steps.today(ZONE), 17, 21)
    assert steps.compliance_clock(api, case, notice)["due_at"][:10] == shown

    # Back on site: a deck going up without a permit. The stop work order, posted there.
    steps.add_violation(
        page, "work-without-permit", "Rear deck framed without a permit", local_now(ZONE)
    )
    steps.prepare_documents(
        page,
        base,
        case,
        "stop_work_order",
        {
            "work_description": "Framing of a rear deck",
            "conditions_to_resume": "Obtain a building permit and pass the footing inspection.",
        },
        [OWNER],
    )
    order, text = steps.issue_draft(page, "Stop Work Order", OWNER)
    assert "Framing of a rear deck" in text
    steps.record_service(page, order, "posting", local_now(ZONE))
    served = api.ok("GET", f"/api/documents/{order}")["services"]
    assert [s["method"] for s in served] == ["posting"] and served[0]["effective_at"]

    # A Sunshine Law request: due by the end of the third business day, released by the API.
    records = server.api("records")
    req = records.ok(
        "POST",
        "/api/disclosures",
        {"jurisdiction": J, "requester": {"name": "Lee's Summit Journal"},
         "received_at": steps.now_iso(ZONE), "description": "The Douglas Street file",
         "case_numbers": [case]},
        expect=201,
    )  # fmt: skip
    steps.within_days(req["due_at"][:10], steps.today(ZONE), 3, 7)
    steps.wait_for_request(records, req["id"], "review")
    # Missouri's profile names no exemption for the complainant: counsel decides, first.
    held = records.post(
        f"/api/disclosures/{req['id']}/release", {"accept_proposed_redactions": True}
    )
    assert held.status == 409 and case in held.json["error"], held
    records.ok(
        "POST",
        f"/api/disclosures/{req['id']}/cases/{case}/decision",
        {"decision": "redact", "statute": "RSMo §610.021(1)",
         "explanation": "City Attorney: the complainant's identity is withheld as legal work product."},
    )  # fmt: skip
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
    assert "220 SE Douglas Street" in text
    for part in ("Cordelia", "Vanterpool", "555-0144"):
        assert part not in text, part
