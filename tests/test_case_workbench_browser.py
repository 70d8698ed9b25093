"""The case page as a workbench in real Chromium, on the tablet (800x1280, touch) and a desktop
(1440x900): the next steps offered per state, a step's form opened in place with its first field
focused, the tabs by keyboard, no sideways scroll, and axe-core's rules."""

from __future__ import annotations

import pytest

from tests import axe
from tests.conftest import complaint_case
from tests.documents_helpers import build_case, issue
from tests.test_browser import SCREENSHOTS, live_server, page, sign_in  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SIZES = {"tablet": {"width": 800, "height": 1280}, "desktop": {"width": 1440, "height": 900}}


def _check(page, base: str, number: str, state: str, expected: list[str]) -> None:  # noqa: F811
    """At each size: the steps offered, no sideways scroll, axe clean, a screenshot."""
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        page.goto(f"{base}/cases/{number}")
        page.wait_for_selector("#tab-all")  # the script made the tabs
        offered = page.locator("#next-actions a").all_inner_texts()
        assert [t for t in offered if any(t.startswith(e) for e in expected)] == offered, offered
        assert len(offered) == len(expected), offered
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], (size, width)
        axe.assert_accessible(page, f"the case page ({state}, {size})")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"workbench-{state}-{size}.png"), full_page=True)


def test_the_workbench_per_state_at_tablet_and_desktop_sizes(
    page,  # noqa: F811
    live_server,  # noqa: F811
    make_user,
    client,
    clock,
) -> None:
    clock("2026-11-18T09:00:00-08:00")
    officer = make_user("officer", with_password=True)
    h = officer.headers
    body = complaint_case("lees-summit-mo", received_at="2026-11-18T09:30:00-06:00")
    intake = client.post("/api/cases", json=body, headers=h).json["case_number"]
    noticed = build_case(client, h, "los-gatos-ca")
    notice = issue(client, h, noticed, "notice_of_violation", violation_ids=noticed.violations)
    closed = build_case(client, h, "los-gatos-ca", owner_name="Closed Owner")
    for v in closed.violations:
        r = client.post(
            f"/api/cases/{closed.case}/violations/{v}/correct",
            headers=h,
            json={"corrected_at": "2026-11-18T08:00:00-08:00", "method": "Hauled away"},
        )
        assert r.status_code == 200, r.json
    r = client.post(
        f"/api/cases/{closed.case}/close",
        headers=h,
        json={"reason": "voluntary_compliance", "resolution": "Cleaned up."},
    )
    assert r.status_code == 200, r.json
    served = build_case(client, h, "los-gatos-ca", owner_name="Served Owner")
    served_notice = issue(client, h, served, "notice_of_violation", violation_ids=served.violations)
    clock("2026-11-18T10:30:00-08:00")
    r = client.post(
        f"/api/documents/{served_notice['id']}/service",
        headers=h,
        json={"method": "personal", "served_at": "2026-11-18T10:00:00-08:00",
              "served_to": "Served Owner", "served_where": "At the door", "served_by": "Officer"},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    sign_in(page, live_server, officer)

    _check(page, live_server, intake, "intake", ["Inspect the property by", "Record a violation"])
    name = f"Notice of Violation NOV-{notice['id']}"
    _check(
        page,
        live_server,
        noticed.case,
        "awaiting-service",
        [f"Record service for {name}", "Contact the complainant by"],
    )
    _check(page, live_server, closed.case, "closed", [])

    # On the tablet: the step's button opens its form in place, its first field focused.
    page.set_viewport_size(SIZES["tablet"])
    page.goto(f"{live_server}/cases/{noticed.case}")
    form = f"service-form-{notice['id']}"
    assert not page.is_visible(f"#{form}")  # behind its 'Record service' tap
    page.click(f"#next-actions a:text('Record service for {name}')")
    page.wait_for_selector(f"#{form}", state="visible")
    assert page.evaluate("document.activeElement.closest('form')?.id") == form
    assert page.evaluate("document.activeElement.name") == "method"
    axe.assert_accessible(page, "the case page with the service form open")

    # The tabs by keyboard: one section at a time, arrow keys move, Home is the whole file.
    page.click("#tab-violations")
    assert page.get_attribute("#tab-violations", "aria-selected") == "true"
    assert page.is_visible("#violations") and not page.is_visible("#parties")
    assert page.get_attribute("#violations", "role") == "tabpanel"
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.id") == "tab-inspections"
    assert page.is_visible("#inspections") and not page.is_visible("#violations")
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.activeElement.id") == "tab-violations"
    assert page.is_visible("#violations")
    axe.assert_accessible(page, "the case page, one tab shown")
    page.keyboard.press("Home")
    assert page.get_attribute("#tab-all", "aria-selected") == "true"
    assert page.is_visible("#parties") and page.is_visible("#violations")

    # A form sent from a tab comes back to that tab (the redirect's #violations).
    page.click("#tab-violations")
    page.click("#violations summary:text('Record a violation')")
    page.select_option("#violation-form select[name=violation_type]", "junk-debris")
    page.fill("#violation-form textarea[name=description]", "A second couch by the garage")
    page.click("#violation-form button[type=submit]")
    page.wait_for_selector("text=Violation recorded.")
    # The flash is in the served page; the tab is chosen once the script has run on it.
    page.wait_for_selector("#tab-violations[aria-selected=true]")
    assert page.is_visible("#violations") and not page.is_visible("#parties")
    assert " ".join(page.inner_text("#tab-violations").split()) == "Violations (3)"

    # Desktop: the sections' list stands beside them.
    page.set_viewport_size(SIZES["desktop"])
    page.goto(f"{live_server}/cases/{noticed.case}")
    nav = page.locator("#case-sections").bounding_box()
    panels = page.locator("#case-panels").bounding_box()
    assert nav is not None and panels is not None
    assert nav["x"] + nav["width"] <= panels["x"]  # side by side, not stacked

    # Months later: the served notice's re-inspection is overdue, and says since when.
    clock("2027-06-01T09:00:00-07:00")
    sign_in(page, live_server, officer)
    _check(
        page,
        live_server,
        served.case,
        "overdue",
        ["Contact the complainant (overdue since", "Re-inspect (overdue since"],
    )
    assert "overdue since" in page.inner_text("#next-clock")
