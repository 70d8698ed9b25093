"""Los Gatos, CA: a case's whole life, from the complaint to the retention dry run, by the
officer, the records clerk and the attorney on tablets, and the integrations through the API."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.e2e import steps
from tests.e2e.browser import expect_flash, fetch, local_now, reload_until, submit

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.slow]

J = "los-gatos-ca"
ZONE = "America/Los_Angeles"
COMPLAINANT = "Rosalind Quimby-Arbuthnot"
OWNER = "Bachman Holdings LLC"
TENANT = "Teodoro Vasquez"
NOV = "Notice of Violation"


def test_los_gatos_case_from_complaint_to_retention(server, browser, tmp_path) -> None:
    base = server.base
    officer = server.users["officer"]
    api = server.api("officer")
    page = browser.tablet(officer)

    # Intake, parties, the violation, the inspection report and a photo, on the tablet.
    case = steps.intake(
        page,
        base,
        J,
        "52 Bachman Avenue",
        local_now(ZONE),
        {
            "description": "Couch, mattress and tires piled on the front lawn for weeks",
            "name": COMPLAINANT,
            "phone": "(408) 555-0199",
        },
    )
    assert case.startswith("LG-")
    steps.add_party(page, "owner", OWNER, "PO Box 77, Los Gatos, CA 95031")
    steps.add_party(page, "tenant", TENANT, "52 Bachman Avenue, Los Gatos, CA 95030")
    steps.add_violation(
        page, "junk-debris", "Couch, mattress and six tires on the lawn", local_now(ZONE)
    )
    steps.add_inspection(
        page,
        local_now(ZONE),
        "Front yard of 52 Bachman Avenue, from the sidewalk",
        "Couch, mattress and six tires on the front lawn",
        "Notice of violation, 10 days to remove",
    )
    steps.upload_photo(page, tmp_path, "Front lawn from the sidewalk")

    # The notice: one per recipient, drafted, previewed, issued.
    steps.prepare_documents(
        page,
        base,
        case,
        "notice_of_violation",
        {"corrective_action": "Remove the couch, mattress and tires from the yard."},
        [OWNER, TENANT],
    )
    to_owner, text = steps.issue_draft(page, NOV, OWNER)
    assert case in text and OWNER in text and "Photograph 1: Front lawn from the sidewalk" in text
    assert (
        "Correct the violations within 10 days after service (the date on the proof of service)."
        in text
    )
    assert COMPLAINANT not in text
    to_tenant, _ = steps.issue_draft(page, NOV, TENANT)
    issued_on = steps.today(ZONE)

    # Service: certified mail to both; the owner's card comes back signed, the tenant's
    # envelope comes back returned and the notice is served on them in person instead.
    steps.record_service(page, to_owner, "certified_mail", local_now(ZONE), steps.article_number(1))
    steps.record_service(
        page, to_tenant, "certified_mail", local_now(ZONE), steps.article_number(2)
    )
    steps.record_receipt(page, tmp_path, to_owner, "delivered", local_now(ZONE), "B. Holder")
    steps.record_receipt(page, tmp_path, to_tenant, "returned")
    assert "serve again by another method" in page.inner_text(f"#doc-{to_tenant}")
    assert api.ok("GET", f"/api/documents/{to_tenant}")["needs_reservice"] is True
    steps.record_service(page, to_tenant, "personal", local_now(ZONE))
    assert "serve again" not in page.inner_text(f"#doc-{to_tenant}")

    # Clocks: each notice's compliance date, ten days after its service, on the page, in the
    # API and on the Due list.
    dates = []
    for doc in (to_owner, to_tenant):
        shown = steps.due_on_page(page, doc)
        dates.append(shown)
        steps.within_days(shown, issued_on, 10, 14)
        assert steps.compliance_clock(api, case, doc)["due_at"][:10] == shown
        assert api.ok("GET", f"/api/documents/{doc}")["deadline"][:10] == shown
    assert "Compliance date of Notice of Violation" in page.inner_text("#clock-list")
    page.click("header nav a:text('Due')")
    row = page.locator("#due-list tr", has_text=case).filter(has_text="Compliance date")
    due_cells = [row.nth(i).locator("td").nth(2).locator("time") for i in range(2)]
    assert sorted(str(t.get_attribute("datetime"))[:10] for t in due_cells) == sorted(dates)
    assert all(t.inner_text().endswith(("PST", "PDT")) for t in due_cells)  # the zone, named

    # A citation from the court's system: the fine comes from the Town's schedule.
    detail = api.ok("GET", f"/api/cases/{case}")
    owner_id = next(p["id"] for p in detail["parties"] if p["role"] == "owner")
    violation_id = detail["violations"][0]["id"]
    citation = api.ok(
        "POST",
        f"/api/cases/{case}/citations",
        {
            "violation_id": violation_id,
            "party_id": owner_id,
            "number": "LGC-2026-0042",
            "issued_on": issued_on.isoformat(),
        },
        expect=201,
    )
    assert citation["fine"] == "100.00"  # first offence, Cal. Gov't Code §36900(b)

    # The ledger and a settlement, on the tablet.
    page.goto(f"{base}/cases/{case}")
    page.click("nav.tabs a:text('Ledger')")
    form = page.locator("#add-entry form")
    form.locator("select[name=kind]").select_option("penalty")
    form.locator("input[name=amount]").fill("400.00")
    form.locator("input[name=assessed_on]").fill(issued_on.isoformat())
    submit(page, form.locator("button"))
    expect_flash(page, "Entry added.")
    due = api.ok("GET", f"/api/cases/{case}/ledger")["balances"]["penalties_due_now"]
    page.click("#settlements summary")
    form = page.locator("#settlement-form")
    form.locator("input[name=entered_on]").fill(issued_on.isoformat())
    form.locator("input[name=approved_by]").fill("Director Ng")
    form.locator("input[name=pay_amount]").fill("100.00")
    # The Town allows no deferral: what is not paid is cancelled on sustained compliance.
    form.locator("input[name=cancel_amount]").fill(f"{float(due) - 100:.2f}")
    form.locator("input[name=compliance_through]").fill(
        (issued_on + timedelta(days=365)).isoformat()
    )
    submit(page, form.locator("button"))
    expect_flash(page, "Settlement entered.")
    ledger = api.ok("GET", f"/api/cases/{case}/ledger")
    assert [s["approved_by"] for s in ledger["settlements"]] == ["Director Ng"]
    assert ledger["balances"]["penalties_held"] != "0.00"

    # Corrected and closed; the complainant is told.
    page.goto(f"{base}/cases/{case}")
    page.click("#violations li details summary")
    fix = page.locator("#violations li details form")
    fix.locator("input[name=corrected_at]").fill(local_now(ZONE))
    fix.locator("input[name=method]").fill("Owner hauled everything away")
    submit(page, fix.locator("button"))
    expect_flash(page, "Violation marked corrected.")
    close = page.locator("#case-actions form", has_text="Close as")
    close.locator("select[name=reason]").select_option("voluntary_compliance")
    close.locator("input[name=resolution]").fill("The owner removed the couch and tires.")
    submit(page, close.locator("button"))
    expect_flash(page, "Case closed.")
    assert page.inner_text("#case-status") == "Closed"
    steps.prepare_documents(
        page,
        base,
        case,
        "notice_of_resolution",
        {"resolution": "The owner removed the couch, mattress and tires."},
        ["the complainant"],
    )
    resolution, text = steps.issue_draft(page, "Notice of Case Resolution", "the complainant")
    assert "removed the couch" in text
    steps.record_service(page, resolution, "first_class_mail", local_now(ZONE))
    assert "first-class mail" in page.inner_text(f"#doc-{resolution}")

    # A reporter's records request: the clerk opens it, reviews and releases it.
    clerk = browser.tablet(server.users["records"])
    clerk.click("header nav a:text('Records requests')")
    clerk.click("#new-request summary")
    clerk.select_option("#new-request select[name=jurisdiction]", J)
    clerk.fill("#new-request input[name=received_at]", local_now(ZONE))
    clerk.fill("#new-request input[name=name]", "Pat Reporter, Los Gatos Weekly")
    clerk.fill("#new-request textarea[name=description]", "The file on 52 Bachman Avenue")
    clerk.fill("#new-request input[name=case_numbers]", case)
    submit(clerk, clerk.locator("#new-request button"))
    rid = int(clerk.url.rstrip("/").rsplit("/", 1)[1])
    reload_until(clerk, "#review-form", "the records to be prepared for review")
    submit(clerk, clerk.locator("#review-form button[type=submit]"))
    expect_flash(clerk, "Redactions reviewed.")
    submit(clerk, clerk.locator("#release-form button"))
    reload_until(clerk, "#release", "the package to be built, scanned and released")
    public_url = clerk.locator("#release a").first.get_attribute("href")
    assert "/public/releases/" in public_url

    # The requester follows the link, signed in as nobody.
    public = browser.tablet()
    public.goto(base + "/login")
    got = public.request.get(public_url)
    assert got.status == 200 and got.headers["content-type"] == "application/zip"
    names, text = steps.zip_text(got.body())
    assert any(n.endswith(".pdf") for n in names), names
    assert "52 Bachman Avenue" in text
    for part in [*COMPLAINANT.split("-"), "555-0199"]:
        assert part not in text.replace("\n", " "), part

    # The attorney's court bundle; the records custodian certifies it.
    lawyer = browser.tablet(server.users["attorney"])
    lawyer.goto(f"{base}/cases/{case}")
    lawyer.click("nav.tabs a:text('Court bundles')")
    bundle = lawyer.locator("#bundle-form")
    bundle.locator("input[name=bates_prefix]").fill("LGCE")
    bundle.locator("input[name=bates_start]").fill("501")
    submit(lawyer, bundle.locator("button[type=submit]"))
    reload_until(lawyer, "#volumes", "the bundle to be built")
    volumes = lawyer.inner_text("#volumes")
    first_page = "LGCE000501"
    assert first_page in volumes
    bundle_id = int(lawyer.url.rsplit("/", 1)[1])
    built = server.api("attorney").ok("GET", f"/api/bundles/{bundle_id}")
    pages = built["pages"]
    assert volumes.count("Volume ") == len(built["volumes"]) >= 1
    assert f"LGCE{500 + pages:06d}" in volumes  # the last page's stamp: one per page
    vol = fetch(lawyer, lawyer.locator("#volumes a", has_text="Volume 1").get_attribute("href"))
    assert vol.status == 200
    stamped = steps.pdf_text(vol.body())
    assert first_page in stamped and NOV in stamped
    bundle_url = lawyer.url
    custodian = browser.tablet(server.users["records"])
    custodian.goto(bundle_url)
    custodian.fill("#certify-form input[name=title]", "Deputy Town Clerk")
    submit(custodian, custodian.locator("#certify-form button"))
    expect_flash(custodian, "Certified")
    cert = fetch(custodian, custodian.locator("#certification-link").get_attribute("href"))
    assert cert.status == 200
    assert "Deputy Town Clerk" in steps.pdf_text(cert.body())

    # Retention: with the Town's schedule adopted, a dry run years from now lists the closed
    # case as eligible and destroys nothing.
    adopted = server.data_dir / "retention" / f"{J}.yaml"
    adopted.parent.mkdir(exist_ok=True)
    adopted.write_text(ADOPTED, encoding="utf-8")
    records_api = server.api("records")
    later = date(issued_on.year + 6, 1, 15).isoformat()
    dry = records_api.ok("GET", f"/api/retention?as_of={later}&verdict=eligible")
    assert case in [i["case_number"] for i in dry["items"]], dry
    assert records_api.ok("GET", "/api/retention/queue") == []
    assert api.ok("GET", f"/api/cases/{case}")["status"] == "closed"

    # The clerk downloads the released package from the request's page.
    clerk.goto(f"{base}/disclosures/{rid}")
    got = fetch(
        clerk, clerk.locator("#release a", has_text="Download the package").get_attribute("href")
    )
    assert got.status == 200 and got.headers["content-type"] == "application/zip", got.text()[:300]
    assert steps.zip_text(got.body())[0] == names


ADOPTED = """
jurisdiction: los-gatos-ca
title: Town of Los Gatos, adopted schedule (end-to-end test)
floor: {years: 2, citation: "Cal. Gov. Code § 34090(d)"}
blocks:
  legal_hold: "litigation hold"
  open_request: "CPRA request pending"
  unreleased_lien: "Cal. Gov. Code § 34090(a)"
approvals: [{role: records, as: Department head}, {role: attorney, as: Town Attorney}]
series:
  - {code: CE-CASE, title: Case file with a notice, when: has_notice, trigger: [case_closed],
     period: {years: 5}, disposition: destroy, citation: "Resolution 2026-1 item 3",
     state_item: null}
  - {code: CE-COMPLAINT, title: Complaint file, when: always, trigger: [case_closed],
     period: {years: 2}, disposition: destroy, citation: "Resolution 2026-1 item 2",
     state_item: null}
"""
