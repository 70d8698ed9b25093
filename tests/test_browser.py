"""The officer's path through real Chromium (Debian's, driven by Playwright), on a tablet."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from docsvc.models import AuditEvent
from tests import helpers
from tests.helpers import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Requests still running when the test ends (page images the browser asked for) are
    # waited for, so none holds a database connection past the app's teardown.
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A 10-inch tablet in portrait, with touch: how officers use it in the field.
        context = browser.new_context(
            viewport={"width": 800, "height": 1280},
            has_touch=True,
            is_mobile=True,
            device_scale_factor=1,
        )
        p = context.new_page()
        errors: list[str] = []
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.on(
            "console",
            lambda m: (
                errors.append(m.text)
                if m.type == "error" and "Content Security Policy" in m.text
                else None
            ),
        )

        def failed_asset(response):
            # A refused form legitimately answers 4xx; a broken image, style or script does not.
            if response.status >= 400 and response.request.resource_type != "document":
                errors.append(f"{response.status} {response.url}")

        p.on("response", failed_asset)
        yield p
        context.close()
        browser.close()
        assert errors == [], errors  # no script errors, CSP violations or broken assets


def sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", user.password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/cases")


def test_complaint_to_case_file_with_photos(
    page, live_server, make_user, database, tmp_path
) -> None:
    officer = make_user("officer", with_password=True)
    sign_in(page, live_server, officer)
    page.click("text=New case")
    page.select_option("#intake-form select[name=jurisdiction]", "los-gatos-ca")
    page.fill("#intake-form input[name=address]", "1418 Elm Street")
    page.fill("#intake-form input[name=received_at]", "2026-11-16T09:30")
    page.fill(
        "#intake-form textarea[name=description]", "Couch & mattress <on> the lawn; weeds knee-high"
    )
    page.select_option("#intake-form select[name=complaint_type]", "property-maintenance")
    page.fill("#intake-form input[name=c_name]", "Maria O'Brien-Nguyễn")
    page.fill("#intake-form input[name=c_phone]", "(408) 555-0142")
    page.select_option("#intake-form select[name=disclosure_preference]", "nondisclosure")
    # Anonymous hides the complainant's fields (progressive enhancement).
    page.check("#intake-anonymous")
    assert page.is_hidden("#complainant-fields")
    page.uncheck("#intake-anonymous")
    page.click("#intake-form button[type=submit]")
    page.wait_for_selector("#case-number")
    number = page.inner_text("#case-number")
    assert number.startswith("LG-")
    assert "Couch & mattress <on> the lawn" in page.inner_text("#complaint")
    assert "O'Brien" not in page.content()

    page.click("#violations summary")
    page.select_option("#violation-form select[name=violation_type]", "junk-debris")
    page.fill("#violation-form textarea[name=description]", "Couch and mattress on the front lawn")
    page.fill("#violation-form input[name=observed_at]", "2026-11-17T10:00")
    page.click("#violation-form button[type=submit]")
    page.wait_for_selector("text=Violation recorded.")
    assert page.inner_text("#case-status") == "Investigating"

    photo = tmp_path / "IMG_0042.jpg"
    photo.write_bytes(helpers.jpeg((1600, 1200), color="olive"))
    page.set_input_files("#upload-form input[type=file]", str(photo))
    page.fill("#upload-form input[name=caption]", "Front lawn from the sidewalk")
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector(".gallery img")
    # The element is there before its bytes are: wait for the image itself (a loaded machine
    # read `complete` as false here).
    page.wait_for_function("() => document.querySelector('.gallery img').complete")
    width = page.eval_on_selector(".gallery img", "img => img.naturalWidth")
    assert width == 320  # the thumbnail made at upload
    assert "taken Nov 16, 2026, 10:15 AM PST" in page.inner_text("#photos")  # its zone, named

    page.click("#reveal-complainant")
    page.wait_for_selector("#complainant")
    assert "Maria O'Brien-Nguyễn" in page.inner_text("#complainant")
    with database.session() as s:
        views = s.scalar(select(func.count()).where(AuditEvent.action == "complainant.view"))
    assert views == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "case-page-tablet.png"), full_page=True)


def test_case_list_filters_and_refused_intake(page, live_server, make_user, open_case) -> None:
    open_case(address="1418 Elm Street")
    open_case(jurisdiction="jefferson-county-wa", address="900 Discovery Road")
    officer = make_user("officer", with_password=True)
    sign_in(page, live_server, officer)
    assert page.locator("#case-list tbody tr").count() == 2
    page.select_option("#case-filters select[name=jurisdiction]", "jefferson-county-wa")
    page.click("#case-filters button")
    page.wait_for_url("**jurisdiction=jefferson-county-wa**")
    assert page.locator("#case-list tbody tr").count() == 1
    assert "900 Discovery Road" in page.inner_text("#case-list")

    page.goto(f"{live_server}/cases/new")
    page.select_option("#intake-form select[name=jurisdiction]", "jefferson-county-wa")
    page.fill("#intake-form input[name=address]", "12 Water Street")
    page.fill("#intake-form input[name=received_at]", "2026-11-16T09:30")
    page.fill("#intake-form textarea[name=description]", "Anonymous tip")
    page.check("#intake-anonymous")
    page.click("#intake-form button[type=submit]")
    page.wait_for_selector(".errors")
    assert "does not accept anonymous complaints" in page.inner_text(".errors")
    # Nothing typed is lost on a refusal.
    assert page.input_value("#intake-form input[name=address]") == "12 Water Street"


def test_the_new_case_page_shows_only_the_chosen_jurisdictions_types_and_factors(
    page, live_server, make_user
) -> None:
    sign_in(page, live_server, make_user("officer", with_password=True))
    page.goto(f"{live_server}/cases/new")
    where = "#intake-form select[name=jurisdiction]"
    groups = "#intake-complaint_type optgroup"
    factors = "#intake-form fieldset.anonymous-factors"

    def shown(selector: str) -> list[str]:
        return page.eval_on_selector_all(
            selector, "els => els.filter(e => !e.hidden).map(e => e.dataset.jurisdiction)"
        )

    page.select_option(where, "tom-bean-tx")
    assert shown(groups) == ["tom-bean-tx"] and shown(factors) == ["tom-bean-tx"]
    assert page.is_visible("#intake-factor-tom-bean-tx-reliability")
    page.select_option("#intake-complaint_type", "vehicle")
    page.select_option(where, "los-gatos-ca")
    assert shown(groups) == ["los-gatos-ca"] and shown(factors) == []
    # A type of the jurisdiction left is not kept chosen (the server would refuse it).
    assert page.input_value("#intake-complaint_type") == ""
    page.select_option(where, "lees-summit-mo")  # keeps no list and weighs no factors
    assert shown(groups) == [] and shown(factors) == []


def test_prepare_issue_serve_and_receipt(page, live_server, make_user, client, tmp_path) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from docsvc.documents.usps import check_digit
    from tests.documents_helpers import build_case

    officer = make_user("officer", with_password=True)
    built = build_case(client, officer.headers, "los-gatos-ca")
    sign_in(page, live_server, officer)
    page.goto(f"{live_server}/cases/{built.case}")
    page.click("#new-document")
    page.select_option("#doc-type-form select[name=type]", "notice_of_violation")
    page.click("#doc-type-form button")
    page.fill(
        "#document-form textarea[name=f_corrective_action]", "Remove the couch & mow the lawn."
    )
    page.check(
        f"#document-form input[name=recipient][value='{built.tenant}']"
    )  # owner is pre-checked
    page.click("#document-form button[value=issue]")
    # Issuing cannot be undone: a page asks first, naming what and to whom.
    assert "Issue Notice of Violation to Smith & Sons <LLC> and " in page.inner_text(
        "#confirm-question"
    )
    page.click("#confirm-yes")
    page.wait_for_selector("text=2 documents issued.")
    items = page.locator("#documents li[id^=doc-]")
    assert items.count() == 2
    first = items.nth(0)
    assert re.search(
        r"Notice of Violation NOV-\d+ · issued \w{3} \d+, \d{4}, \d+:\d\d [AP]M P[SD]T · to Smith & Sons <LLC>",
        first.inner_text(),
    )
    pdf = page.request.get(
        live_server + first.locator("a", has_text="PDF").first.get_attribute("href")
    )
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")

    body = "940711120620818070238"
    now = datetime.now(ZoneInfo("America/Los_Angeles")).strftime("%Y-%m-%dT%H:%M")
    first.locator("summary", has_text="Record service").click()
    first.locator("select[name=method]").select_option("certified_mail")
    first.locator("input[name=mailed_at]").fill(now)
    first.locator("input[name=article_number]").fill(body + str(check_digit(body)))
    first.locator(".service-form button").click()
    page.wait_for_selector("text=Service recorded.")
    first = page.locator("#documents li[id^=doc-]").nth(0)
    assert "certified mail · Mailed" in first.inner_text()
    receipt = tmp_path / "3811.pdf"
    from tests.helpers import pdf as make_pdf

    receipt.write_bytes(make_pdf("PS Form 3811 signed R. Smith"))
    first.locator("summary", has_text="Upload the return receipt").click()
    first.locator("input[type=file]").set_input_files(str(receipt))
    first.locator("select[name=status]").select_option("delivered")
    first.locator("input[name=delivered_at]").fill(now)
    first.locator("input[name=signed_by]").fill("R. Smith")
    first.locator(".receipt-form button").click()
    page.wait_for_selector("text=Return receipt recorded.")
    assert "due " in page.locator("#documents li[id^=doc-]").nth(0).inner_text()
    assert page.inner_text("#case-status") == "Notice issued"


def test_refused_service_form_keeps_what_was_typed_and_a_notice_is_issued_after_asking(
    page, live_server, make_user, client, database
) -> None:
    """On the tablet: a bad article number comes back beside its field, in words, with what
    was typed; fixed, it is recorded; a draft is issued through the confirmation page."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from docsvc.models import Document
    from tests.documents_helpers import article_number, build_case, issue

    officer = make_user("officer", with_password=True)
    built = build_case(client, officer.headers, "los-gatos-ca", owner_name="Dana Smith")
    notice = issue(client, officer.headers, built, "notice_of_violation")
    draft = issue(client, officer.headers, built, "notice_of_violation", draft=True)
    sign_in(page, live_server, officer)
    page.goto(f"{live_server}/cases/{built.case}")
    item = page.locator(f"#doc-{notice['id']}")
    now = datetime.now(ZoneInfo("America/Los_Angeles")).strftime("%Y-%m-%dT%H:%M")
    item.locator("summary", has_text="Record service").click()
    item.locator("select[name=method]").select_option("certified_mail")
    item.locator("input[name=mailed_at]").fill(now)
    item.locator("input[name=article_number]").fill("9407 1112 0620 8180 7023 80")
    item.locator(".service-form button").click()
    field = f"#service-{notice['id']}-article_number"
    page.wait_for_selector(f"{field}-error")
    # Beside the field, in words, marked as an error; the summary links to it; nothing green.
    said = page.inner_text(f"{field}-error")
    assert "certified mail needs its USPS article number" in said
    assert page.get_attribute(field, "aria-invalid") == "true"
    assert f"{field[1:]}-error" in (page.get_attribute(field, "aria-describedby") or "")
    assert page.eval_on_selector(f"{field}-error", "e => getComputedStyle(e).color") == (
        "rgb(164, 22, 26)"
    )
    assert (
        page.locator(f"#error-summary a[href='{field}']")
        .inner_text()
        .startswith("USPS article number: ")
    )
    assert page.locator(".flash").count() == 0
    item = page.locator(f"#doc-{notice['id']}")
    assert item.locator("details").first.get_attribute("open") is not None
    assert item.locator("input[name=article_number]").input_value() == (
        "9407 1112 0620 8180 7023 80"
    )
    assert item.locator("input[name=mailed_at]").input_value() == now
    assert item.locator("select[name=method]").input_value() == "certified_mail"
    # Fixed where it stands, and sent again.
    item.locator("input[name=article_number]").fill(article_number())
    item.locator(".service-form button").click()
    page.wait_for_selector("text=Service recorded.")
    assert page.get_attribute(".flash", "role") == "status"
    assert page.locator("#error-summary").count() == 0
    assert "certified mail · Mailed" in page.locator(f"#doc-{notice['id']}").inner_text()

    # Issuing the draft asks first; Cancel leaves it a draft, Yes issues it.
    page.locator(f"#doc-{draft['id']} button", has_text="Issue").click()
    assert page.inner_text("#confirm-question") == (
        f"Issue Notice of Violation NOV-{draft['id']} to Dana Smith?"
    )
    assert "can no longer be edited" in page.inner_text("#confirm-consequence")
    page.click("#confirm-cancel")
    page.wait_for_selector(f"#doc-{draft['id']}")
    with database.session() as s:
        assert s.get(Document, draft["id"]).status == "draft"
    page.locator(f"#doc-{draft['id']} button", has_text="Issue").click()
    page.click("#confirm-yes")
    page.wait_for_selector("text=Document issued.")
    assert re.search(
        r" · issued \w{3} \d+, \d{4}, \d+:\d\d [AP]M P[SD]T · to Dana Smith",
        page.inner_text(f"#doc-{draft['id']}"),
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "service-and-issue-tablet.png"), full_page=True)


def test_due_list_to_ledger_and_reports(page, live_server, make_user, client) -> None:
    from tests.conftest import complaint_case

    officer = make_user("officer", with_password=True)
    case = client.post(
        "/api/cases",
        headers=officer.headers,
        json=complaint_case(jurisdiction="jefferson-county-wa", address="77 Water Street"),
    ).json["case_number"]
    due = client.post(
        "/api/cases",
        headers=officer.headers,
        json=complaint_case(jurisdiction="lees-summit-mo", address="5 Oak Street"),
    ).json["case_number"]
    sign_in(page, live_server, officer)
    page.click("header nav a:text('Due')")
    page.click(f"#due-list a:text('{due}')")
    assert "Investigate the complaint" in page.inner_text("#clock-list")
    page.goto(f"{live_server}/cases/{case}")
    page.click("nav.tabs a:text('Ledger')")
    page.select_option("#add-entry select[name=kind]", "penalty")
    page.fill("#add-entry input[name=amount]", "1250.00")
    page.fill("#add-entry input[name=assessed_on]", "2026-01-05")
    page.click("#add-entry button")
    page.wait_for_selector("text=Entry added.")
    assert "$1,250.00" in page.inner_text("#ledger-entries")  # with its thousands separator
    # A cost cannot be cancelled: the form comes back with the reason and the values kept.
    page.select_option("#add-entry select[name=kind]", "cancellation")
    page.fill("#add-entry input[name=amount]", "10.00")
    page.fill("#add-entry input[name=assessed_on]", "2026-01-06")
    page.select_option("#add-entry select[name=applies_to]", "costs")
    page.click("#add-entry button")
    assert "cannot be waived" in page.inner_text(".errors")
    assert page.input_value("#add-entry input[name=amount]") == "10.00"
    page.click("#settlements summary")
    page.fill("#settlement-form input[name=entered_on]", "2026-02-01")
    page.fill("#settlement-form input[name=approved_by]", "Director Siobhán D'Arcy-Lê")
    page.fill("#settlement-form input[name=pay_amount]", "250.00")
    page.fill("#settlement-form input[name=deferred_amount]", "1000.00")
    page.fill("#settlement-form input[name=deferred_until]", "2029-02-01")
    for code in "ABCDE":  # a finding on each factor (Jefferson County Rule 5(a)(iii))
        page.fill(f"#settlement-factor-{code}", f"Finding {code}.")
    page.click("#settlement-form button")
    page.wait_for_selector("text=Settlement entered.")
    assert "Director Siobhán D'Arcy-Lê" in page.inner_text(
        "#settlements"
    )  # (a surname shared with the complainant is masked)

    page.click("header nav a:text('Reports')")
    page.select_option("#report-form select[name=name]", "settlements")
    page.select_option("#report-form select[name=jurisdiction]", "jefferson-county-wa")
    page.fill("#report-form input[name=year]", "2026")
    page.click("#report-form button")
    page.wait_for_selector("#table-entered")
    assert case in page.inner_text("#table-entered")
    assert "all agree" in page.inner_text("#reconciliation")
    # The tables fit the tablet: the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    with page.expect_download() as dl:
        page.click("#report-downloads a:text('CSV')")
    assert dl.value.suggested_filename == "jefferson-county-wa-settlements-2026.csv"


@pytest.mark.rule("TB XIII.A.1")
def test_an_imminent_threat_flagged_and_referred_on_the_tablet(
    page, live_server, make_user, client, clock
) -> None:
    from tests.test_referrals import tb_case

    clock("2030-01-07T09:00:00-06:00")  # Monday
    officer = make_user("officer", with_password=True)
    case, _, violation = tb_case(client, officer.headers, "5 Pine Street")
    sign_in(page, live_server, officer)
    page.goto(f"{live_server}/cases/{case}")
    page.click("nav.tabs a:text('Referrals and permits')")
    page.click(f"#threat-{violation} summary")
    page.fill(f"#threat-form-{violation} textarea[name=note]", "Open cistern by the school path")
    page.click(f"#threat-form-{violation} button[type=submit]")
    page.wait_for_selector("text=Flagged as an imminent threat.")
    assert page.url.endswith("#referrals-permits")
    assert "Open cistern by the school path" in page.inner_text(f"#threat-{violation}")
    assert "Due" in page.inner_text("#referral-clocks")
    # A referral dated after today is refused beside its field, with what was typed kept.
    page.click("#referrals-permits summary:text('Record a referral')")
    page.select_option("#referral-form select[name=kind]", "imminent_threat")
    page.eval_on_selector("#referral-referred_on", "el => el.removeAttribute('max')")
    page.fill("#referral-form input[name=referred_on]", "2030-01-09")
    page.fill("#referral-form textarea[name=note]", "Hand-delivered the file.")
    page.click("#referral-form button[type=submit]")
    page.wait_for_selector("#referral-referred_on-error")
    assert "between the day the case was opened and today" in page.inner_text(
        "#referral-referred_on-error"
    )
    assert page.input_value("#referral-form textarea[name=note]") == "Hand-delivered the file."
    page.fill("#referral-form input[name=referred_on]", "2030-01-07")
    page.click("#referral-form button[type=submit]")
    page.wait_for_selector("text=Referral to the attorney recorded.")
    assert "Referred 2030-01-07 to City Attorney" in page.inner_text("#referral-list")
    assert "Met" in page.inner_text("#referral-clocks")
    # The card fits the tablet: the page never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "referral-tablet.png"), full_page=True)


def test_search_box_results_filters_and_ocr_text(
    page, live_server, make_user, client, database, settings
) -> None:
    import io

    from docsvc.documents.env import Env
    from docsvc.store import FileStore
    from docsvc.worker import drain
    from tests.conftest import complaint_case

    officer = make_user("officer", with_password=True)
    h = officer.headers
    cases = [
        client.post(
            "/api/cases",
            headers=h,
            json=complaint_case(jurisdiction=j, address=f"{n} Juniper Court"),
        ).json["case_number"]
        for n, j in ((10, "los-gatos-ca"), (20, "tom-bean-tx"))
    ]
    scan = helpers.text_image(["Letter from the owner", "Juniper hedge <removed> & hauled"])
    r = client.post(
        f"/api/cases/{cases[1]}/attachments",
        headers=h,
        content_type="multipart/form-data",
        data={"kind": "correspondence", "file": (io.BytesIO(scan), "scan.png")},
    )
    assert r.status_code == 201
    drain(database, Env(FileStore(settings.store_dir), settings))
    sign_in(page, live_server, officer)
    # The box in the header of any page.
    page.fill("header form.search input[name=q]", "juniper")
    page.press("header form.search input[name=q]", "Enter")
    page.wait_for_selector("#search-count")
    assert page.inner_text("#search-count").startswith("2 cases")
    assert sorted(page.locator(".search-case h2 a").all_inner_texts()) == sorted(cases)
    ocr = page.locator(".hit-attachment")
    assert "OCR text" in ocr.inner_text()
    assert ocr.locator("mark").first.inner_text().lower() == "juniper"
    # The owner's markup in the scan is text, never HTML.
    assert page.locator(".snippet removed").count() == 0
    # Filter by jurisdiction: one case left.
    page.select_option("#search-form select[name=jurisdiction]", "los-gatos-ca")
    page.click("#search-form button")
    page.wait_for_selector("#search-count")
    assert page.inner_text("#search-count").startswith("1 case,")
    page.click(f".search-case h2 a:text('{cases[0]}')")
    page.wait_for_url(f"{live_server}/cases/{cases[0]}")
    # A query that cannot run says why, on the same page, with what was typed kept.
    page.goto(f"{live_server}/search?q=" + "x" * 600)
    assert "shorten it to 500" in page.inner_text(".errors")
    assert page.evaluate("document.documentElement.scrollWidth") <= 800


def test_records_clerk_reviews_boxes_and_releases(
    page, live_server, make_user, client, database, settings
) -> None:
    from docsvc.documents.env import Env
    from docsvc.store import FileStore
    from docsvc.worker import drain
    from tests.conftest import complaint_case

    officer = make_user("officer", with_password=True)
    clerk = make_user("records", with_password=True)
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json[
        "case_number"
    ]
    scan = helpers.text_image(["COMPLAINT FORM", "Name: Maria O'Brien-Nguyen", "Signed in Elm"])
    r = helpers.upload(client, officer.headers, case, scan, "form.png", kind="complaint_form")
    assert r.status_code == 201
    sign_in(page, live_server, clerk)
    page.click("header nav a:text('Records requests')")
    page.click("#new-request summary")
    page.select_option("#new-request select[name=jurisdiction]", "los-gatos-ca")
    page.fill("#new-request input[name=received_at]", "2026-11-20T10:00")
    page.fill("#new-request input[name=name]", "Pat O'Reporter & Co <news>")
    page.fill("#new-request textarea[name=description]", "Everything about the yard")
    page.fill("#new-request input[name=case_numbers]", case)
    page.click("#new-request button")
    page.wait_for_selector("#preparing")
    drain(database, Env(FileStore(settings.store_dir), settings))
    page.reload()
    assert "Pat O'Reporter & Co <news>" in page.inner_text("dl")
    figure = page.locator("figure.page").first
    figure.locator("img").wait_for()
    page.wait_for_function("[...document.images].every(i => i.complete)")
    with database.session() as s:  # each page image shows the record as it is: one view each
        views = s.scalars(select(AuditEvent).where(AuditEvent.action == "complainant.view")).all()
        by_clerk = [v.fields[0] for v in views if v.actor_role == "records"]
        shown = page.locator("figure.page img").count()
        assert len(by_clerk) == shown >= 1
        assert all(f.startswith("disclosure.") and ".page." in f for f in by_clerk)
    assert figure.locator("label.redbox").count() == 1  # the name, found by OCR
    # Add a box by dragging over the signature line.
    box = figure.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.05, box["y"] + box["height"] * 0.30)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.40, box["y"] + box["height"] * 0.36, steps=5)
    page.mouse.up()
    assert figure.locator(".redbox.drawn input[name=add]").count() == 1
    page.click("#review-form button[type=submit]")
    page.wait_for_selector("text=Redactions reviewed.")
    assert page.locator("figure.page").first.locator("label.redbox").count() == 2
    page.screenshot(path=str(SCREENSHOTS / "disclosure-review-tablet.png"), full_page=True)
    page.click("#release-form button")
    assert "to Pat O'Reporter & Co <news>?" in page.inner_text("#confirm-question")
    page.click("#confirm-yes")
    # Built and scanned in the background: the page says so and refreshes itself until done.
    page.wait_for_selector("#job-progress progress")
    drain(database, Env(FileStore(settings.store_dir), settings))
    page.wait_for_selector("#release", timeout=15_000)
    link = page.locator("#release a").first.get_attribute("href")
    assert link and "/public/releases/" in link
    public = client.get(link.replace(live_server, ""))
    assert public.status_code == 200 and public.mimetype == "application/zip"
    assert page.evaluate("document.documentElement.scrollWidth") <= 800


def test_records_officer_holds_approves_and_destroys(
    page, live_server, make_user, client, clock, database, settings
) -> None:
    from docsvc.documents.env import Env
    from docsvc.store import FileStore
    from docsvc.worker import drain
    from tests.retention_helpers import adopt, closed_case

    def work() -> None:
        drain(database, Env(FileStore(settings.store_dir), settings))

    adopt(settings.data_dir)
    officer = make_user("officer")
    attorney = make_user("attorney")
    clerk = make_user("records", with_password=True)
    doomed = closed_case(client, officer, clock, "2021-03-10T10:00:00-08:00")
    held = closed_case(client, officer, clock, "2021-04-02T10:00:00-08:00", address="9 Oak St")
    clock("2026-11-22T09:00:00-08:00")
    sign_in(page, live_server, clerk)
    page.click("header nav a:text('Retention')")
    assert "2 eligible" in page.inner_text("#verdicts")
    # A hold from the page: the matter is shown as typed, and the case drops out.
    page.fill("#new-hold input[name=matter]", "Doe v. Town <2026> & Co")
    page.fill("#new-hold input[name=reason]", "Notice of claim")
    page.fill("#new-hold input[name=case_numbers]", held)
    page.click("#new-hold button")
    page.wait_for_selector("text=Hold placed.")
    assert "Doe v. Town <2026> & Co" in page.inner_text("#holds")
    assert "1 eligible · 1 blocked" in page.inner_text("#verdicts")
    assert "legal hold" in page.inner_text(f"#verdicts li:has-text('{held}')")
    page.click("#verdicts button")
    page.wait_for_selector("text=Eligible case files queued for approval.")
    assert doomed in page.inner_text("#queue") and held not in page.inner_text("#queue")
    # Approving everything that waits for records runs in the background, with progress.
    page.click("#approve-all button")
    page.click("#confirm-yes")
    page.wait_for_selector("#approval-progress progress")
    work()
    page.wait_for_selector("#approve-all", state="detached", timeout=15_000)
    assert "Approvals needed: Records, Attorney; given: " in page.inner_text("#queue")
    items = client.get("/api/retention/queue", headers=clerk.headers).json
    r = client.post(
        "/api/retention/approve", headers=attorney.headers, json={"ids": [items[0]["id"]]}
    )
    assert r.status_code == 200 and r.json[0]["status"] == "approved"
    page.reload()
    page.click("#execute button")
    assert "Destroy the 1 case file approved" in page.inner_text("#confirm-question")
    page.click("#confirm-yes")
    page.wait_for_selector("#job-progress progress")
    work()
    page.wait_for_selector("#runs a", timeout=15_000)
    link = page.locator("#runs a").first.get_attribute("href")
    assert link and link.endswith("/certificate.pdf")
    cert = page.request.get(link if link.startswith("http") else live_server + link)
    assert cert.status == 200 and cert.body().startswith(b"%PDF-")
    assert "The queue is empty." in page.inner_text("#queue")
    assert client.get(f"/api/cases/{doomed}", headers=officer.headers).status_code == 404
    assert client.get(f"/api/cases/{held}", headers=officer.headers).status_code == 200
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    page.screenshot(path=str(SCREENSHOTS / "retention-tablet.png"), full_page=True)


def test_attorney_builds_a_bundle_and_the_custodian_certifies_it(
    page, live_server, make_user, client, officer, clock, database, settings
) -> None:
    from docsvc.documents.env import Env
    from docsvc.store import FileStore
    from docsvc.worker import drain
    from tests.documents_helpers import served_case

    built, _ = served_case(client, officer, clock)
    attorney = make_user("attorney", with_password=True)
    sign_in(page, live_server, attorney)
    page.goto(f"{live_server}/cases/{built.case}")
    page.click("nav.tabs a:text('Court bundles')")
    assert "No bundle yet." in page.inner_text("#bundle-list")
    page.fill("#bundle-form input[name=bates_prefix]", "LGCE")
    page.fill("#bundle-form input[name=bates_start]", "101")
    page.click("#bundle-form button[type=submit]")
    # The bundle's page follows the build in the background, then lists the volumes.
    page.wait_for_selector("#job-progress progress")
    assert "Bundle: waiting for the background worker" in page.inner_text("#job-progress")
    drain(database, Env(FileStore(settings.store_dir), settings))
    page.wait_for_selector("#volumes", timeout=15_000)
    assert "LGCE000101" in page.inner_text("#volumes")
    with page.expect_download() as download:
        page.click("#volumes a:text('Volume 1')")
    assert download.value.suggested_filename.endswith("-vol1.pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    # The attorney cannot certify; the records custodian can, from the same page.
    assert page.locator("#certify-form").count() == 0
    assert "California Evidence Code § 1561" in page.inner_text("#certification")
    bundle_url = page.url
    clerk = make_user("records", with_password=True)
    sign_in(page, live_server, clerk)
    page.goto(bundle_url)
    page.fill("#certify-form input[name=title]", "Deputy Town Clerk")
    page.click("#certify-form button")
    # It asks first; Cancel comes back with the title as typed, Yes signs.
    assert "as custodian?" in page.inner_text("#confirm-question")
    page.click("#confirm-cancel")
    page.wait_for_selector("#certify-form")
    assert page.input_value("#certify-form input[name=title]") == "Deputy Town Clerk"
    page.click("#certify-form button")
    page.click("#confirm-yes")
    page.wait_for_selector("#certification-link")
    assert "Certified" in page.inner_text(".flash")
    assert f"signed by {clerk.role.title()} " in page.inner_text("#certification")
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    page.screenshot(path=str(SCREENSHOTS / "bundle-tablet.png"), full_page=True)
    page.goto(f"{live_server}/cases/{built.case}#bundles")
    assert "certified" in page.inner_text("#bundle-list")
    assert page.evaluate("document.documentElement.scrollWidth") <= 800


def test_review_boxes_sit_over_their_text_at_any_width_and_drawn_boxes_are_black(
    page, live_server, make_user, client, database, settings, tmp_path
) -> None:
    """Each proposed box's rectangle on screen is where its PDF points put it on the page image
    (and over the words pdftotext finds there), at two widths and on the last page of a long
    record; a box the clerk draws is solid black, lies where it was dragged and is saved so."""
    import io
    import re
    import subprocess

    from PIL import Image
    from pypdf import PdfReader, PdfWriter

    from docsvc.documents.env import Env
    from docsvc.models import Redaction
    from docsvc.store import FileStore
    from docsvc.worker import drain
    from tests.conftest import complaint_case

    officer = make_user("officer")
    clerk = make_user("records", with_password=True)
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json[
        "case_number"
    ]
    # Fourteen pages of notes; the complainant near the top of the first, mid-way down the
    # seventh, and at the foot of the last, where a box drifting with the page is furthest off.
    where = {1: 700, 7: 400, 14: 60}
    writer = PdfWriter()
    for n in range(1, 15):
        lines = [f"Inspection notes, page {n}: the fence, the couch and the yard."]
        ops = helpers.text_ops(*lines)
        if n in where:
            ops += " " + helpers.text_ops(
                "Reported by Maria O'Brien-Nguyen, a neighbour.", y=where[n]
            )
        writer.add_page(PdfReader(io.BytesIO(helpers.pdf_with(ops))).pages[0])
    notes = io.BytesIO()
    writer.write(notes)
    path = tmp_path / "notes.pdf"
    path.write_bytes(notes.getvalue())
    r = helpers.upload(
        client, officer.headers, case, notes.getvalue(), "notes.pdf", kind="correspondence"
    )
    assert r.status_code == 201, r.json
    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": "Pat Reporter"},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": "The inspection notes",
        "case_numbers": [case],
    }
    rid = client.post("/api/disclosures", headers=clerk.headers, json=body).json["id"]
    drain(database, Env(FileStore(settings.store_dir), settings))

    # Where the name's words are, by poppler: (page, x0, y0, x1, y1) in points, bottom left.
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = []
    for n, chunk in enumerate(bbox.split("<page ")[1:], 1):
        for m in re.finditer(
            r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(Maria|O&apos;Brien)',
            chunk,
        ):
            x0, top, x1, bottom = (float(v) for v in m.groups()[:4])
            words.append((n, x0, 792 - bottom, x1, 792 - top))
    assert sorted({w[0] for w in words}) == [1, 7, 14]
    with database.session() as s:
        found = [
            (r.id, r.page, r.x0, r.y0, r.x1, r.y1)
            for r in s.scalars(select(Redaction).where(Redaction.request_id == rid))
        ]
    assert sorted({f[1] for f in found}) == [1, 7, 14]

    sign_in(page, live_server, clerk)
    page.goto(f"{live_server}/disclosures/{rid}")
    page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth)")
    measure = """ids => ids.map(id => {
        const label = document.querySelector(`input[name=keep][value="${id}"]`).closest('.redbox');
        const fig = label.closest('figure.page');
        const img = fig.querySelector('img').getBoundingClientRect();
        const r = label.getBoundingClientRect();
        return {box: [r.left, r.top, r.right, r.bottom], img: [img.left, img.top, img.width, img.height],
                page: Number(fig.dataset.page), size: [Number(fig.dataset.width), Number(fig.dataset.height)]};
    })"""

    def on_screen(img, size, x0, y0, x1, y1):
        left, top, width, height = img
        w, h = size
        return (left + x0 / w * width, top + (h - y1) / h * height,
                left + x1 / w * width, top + (h - y0) / h * height)  # fmt: skip

    for width in (800, 1400):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("figure.page[data-page='14'] img").scroll_into_view_if_needed()
        shown = page.evaluate(measure, [f[0] for f in found])
        for (_, pg, x0, y0, x1, y1), got in zip(found, shown, strict=True):
            assert got["page"] == pg
            want = on_screen(got["img"], got["size"], x0, y0, x1, y1)
            off = [abs(a - b) for a, b in zip(got["box"], want, strict=True)]
            assert max(off) <= 1.0, (width, pg, got, want)
            # And so over the words it was proposed for, as poppler places them.
            mine = [w for w in words if w[0] == pg and y0 <= (w[2] + w[4]) / 2 <= y1]
            assert mine, (pg, y0, y1)
            for w in mine:
                text = on_screen(got["img"], got["size"], *w[1:])
                assert got["box"][0] - 1 <= text[0] and text[2] <= got["box"][2] + 1, (w, got)
                assert got["box"][1] - 1 <= text[1] and text[3] <= got["box"][3] + 1, (w, got)

    # A box dragged on the last page: black as it will be burned, and where it was dragged.
    page.set_viewport_size({"width": 800, "height": 1280})
    last = page.locator("figure.page[data-page='14']")
    last.scroll_into_view_if_needed()
    img = last.locator("img").bounding_box()
    assert img is not None
    start = (img["x"] + img["width"] * 0.55, img["y"] + img["height"] * 0.50)
    end = (img["x"] + img["width"] * 0.85, img["y"] + img["height"] * 0.56)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*end, steps=5)
    page.mouse.up()
    drawn = last.locator(".redbox.drawn")
    assert drawn.count() == 1
    rect = drawn.bounding_box()
    assert rect is not None
    got = (rect["x"], rect["y"], rect["x"] + rect["width"], rect["y"] + rect["height"])
    assert max(abs(a - b) for a, b in zip(got, (*start, *end), strict=True)) <= 1.0, (got, start)
    style = drawn.evaluate(
        "e => [getComputedStyle(e).backgroundColor, getComputedStyle(e).opacity]"
    )
    assert style == ["rgb(0, 0, 0)", "1"]
    shot = Image.open(io.BytesIO(page.screenshot(clip={
        "x": rect["x"] + 3, "y": rect["y"] + 3, "width": rect["width"] - 6, "height": rect["height"] - 6
    }))).convert("L")  # fmt: skip
    assert shot.getextrema()[1] <= 16  # every pixel inside it black
    page.click("#review-form button[type=submit]")
    page.wait_for_selector("text=Redactions reviewed.")
    with database.session() as s:
        (saved,) = s.scalars(
            select(Redaction).where(Redaction.request_id == rid, Redaction.kind == "other")
        ).all()
    assert saved.page == 14
    want = (0.55 * 612, (1 - 0.56) * 792, 0.85 * 612, (1 - 0.50) * 792)
    kept = (saved.x0, saved.y0, saved.x1, saved.y1)
    assert max(abs(a - b) for a, b in zip(kept, want, strict=True)) <= 1.5, (kept, want)
