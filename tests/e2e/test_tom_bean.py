"""Tom Bean, TX: a written complaint, a notice served by certified mail, and a records request
whose release, withholding the complainant under the informer's privilege, waits for the
Attorney General's ruling (Gov't Code §552.301, §552.306)."""

from __future__ import annotations

import pytest

from tests import helpers
from tests.e2e import steps
from tests.e2e.browser import expect_flash, local_now, reload_until, submit

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

J = "tom-bean-tx"
ZONE = "America/Chicago"
COMPLAINANT = "Wilhelmina Drummond-Pryce"
OWNER = "Harlan Ketchum"
NOV = "Notice of Violation"


def test_tom_bean_notice_and_release_after_the_attorney_generals_ruling(
    server, browser, tmp_path
) -> None:
    base = server.base
    api = server.api("officer")
    types = {t["type"]: t for t in api.ok("GET", f"/api/jurisdictions/{J}/document-types")}
    assert types["notice_of_violation"]["service_methods"] == ["personal", "certified_mail"]

    page = browser.tablet(server.users["officer"])
    case = steps.intake(
        page,
        base,
        J,
        "301 Britton Street",
        local_now(ZONE),
        {
            "description": "Junk and brush piled against the fence, rats seen",
            "name": COMPLAINANT,
            "phone": "(903) 555-0123",
        },
    )
    assert case.startswith("TB-")
    steps.add_party(page, "owner", OWNER, "301 Britton Street, Tom Bean, TX 75489")
    steps.add_violation(
        page, "nuisance-no-structure", "Junk and brush along the fence", local_now(ZONE)
    )
    steps.upload_photo(page, tmp_path, "Fence line from the alley", color="maroon")
    steps.prepare_documents(
        page,
        base,
        case,
        "notice_of_violation",
        {"corrective_action": "Remove the junk and brush from the fence line."},
        [OWNER],
    )
    notice, text = steps.issue_draft(page, NOV, OWNER)
    assert "City of Tom Bean" in text and COMPLAINANT not in text
    # Only the methods the City's directive allows are offered.
    offered = page.locator(f"#doc-{notice} select[name=method] option").all_inner_texts()
    assert len(offered) == 2, offered
    steps.record_service(page, notice, "certified_mail", local_now(ZONE), steps.article_number(31))
    steps.record_receipt(page, tmp_path, notice, "delivered", local_now(ZONE), "H. Ketchum")
    shown = steps.due_on_page(page, notice)
    steps.within_days(shown, steps.today(ZONE), 10, 14)
    assert steps.compliance_clock(api, case, notice)["due_at"][:10] == shown

    # The records request: the complainant is withheld (informer's privilege), so the
    # release waits for the Attorney General's ruling.
    clerk = browser.tablet(server.users["records"])
    clerk.click("header nav a:text('Records requests')")
    clerk.click("#new-request summary")
    clerk.select_option("#new-request select[name=jurisdiction]", J)
    clerk.fill("#new-request input[name=received_at]", local_now(ZONE))
    clerk.fill("#new-request input[name=name]", "Grayson County Ledger")
    clerk.fill("#new-request textarea[name=description]", "Code complaints on Britton Street")
    clerk.fill("#new-request input[name=case_numbers]", case)
    submit(clerk, clerk.locator("#new-request button"))
    rid = int(clerk.url.split("#")[0].rstrip("/").rsplit("/", 1)[1])
    reload_until(clerk, "#review-form", "the records to be prepared for review")
    assert "informer's privilege" in clerk.inner_text("#decisions")
    submit(clerk, clerk.locator("#review-form button[type=submit]"))
    expect_flash(clerk, "Redactions reviewed.")
    # Not offered until the Attorney General's decision is asked for: the page says why.
    assert clerk.locator("#release-form").count() == 0
    assert "Attorney General" in clerk.inner_text("#release-waits")
    assert clerk.locator("#release").count() == 0
    records = server.api("records")
    assert records.ok("GET", f"/api/disclosures/{rid}")["status"] == "review"

    # The request for a decision, then the ruling with its letter, recorded on the page.
    today = steps.today(ZONE).isoformat()
    form = clerk.locator("#ruling-request-form")
    form.locator("input[name=requested_on]").fill(today)
    submit(clerk, form.locator("button"))
    assert today in clerk.inner_text("#ruling-requested")
    letter = tmp_path / "OR2026-12345.pdf"
    letter.write_bytes(helpers.pdf("Open Records Letter Ruling OR2026-12345"))
    form = clerk.locator("#ruling-form")
    form.locator("input[name=issued_on]").fill(today)
    form.locator("input[name=reference]").fill("OR2026-12345")
    form.locator("input[name=outcome][value=withhold]").check()
    form.locator("input[name=letter]").set_input_files(str(letter))
    submit(clerk, form.locator("button[type=submit]"))
    assert "OR2026-12345" in clerk.inner_text("#ruling-outcome")

    submit(clerk, clerk.locator("#release-form button"))
    reload_until(clerk, "#release", "the package to be built, scanned and released")
    public_url = clerk.locator("#release a").first.get_attribute("href")
    public = browser.tablet()
    got = public.request.get(public_url)
    assert got.status == 200 and got.headers["content-type"] == "application/zip"
    names, text = steps.zip_text(got.body())
    assert any(n.endswith(".pdf") for n in names), names
    assert "301 Britton Street" in text
    for part in ("Wilhelmina", "Drummond", "555-0123"):
        assert part not in text, part
