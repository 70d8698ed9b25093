"""Every page of the service, as every role, on a tablet and a desktop, through real Chromium:
no server error, no accessibility rule broken (axe-core: WCAG 2.0/2.1/2.2 A and AA and Deque's
best practices, at moderate impact and above), no sideways scrolling; a screenshot of each and
its weight (HTML, CSS, JS and images) kept under build/.

The list of pages is the app's own: every GET route of the `ui` blueprint plus the public release
page, path parameters filled from data seeded as `docsvc demo` seeds it (the four jurisdictions'
cases) plus a records request under review, a released one, and a court bundle. A route that is
neither visited nor skipped below with a reason fails the sweep, so a new page cannot escape it.
"""

from __future__ import annotations

import fcntl
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from docsvc.models import Case
from tests import axe, helpers
from tests.conftest import complaint_case
from tests.documents_helpers import build_case, issue
from tests.helpers import CHROMIUM, CHROMIUM_ARGS, pdf_with, text_ops
from tests.test_browser import live_server  # noqa: F401  (the served app, a fixture)

pytestmark = [pytest.mark.slow, pytest.mark.browser]

BUILD = Path(__file__).resolve().parent.parent / "build"
SCREENSHOTS = BUILD / "screenshots"
WEIGHTS = BUILD / "page-weights.json"

ROLES = ("officer", "records", "attorney", "admin")
SIZES: dict[str, dict[str, Any]] = {
    # A 10-inch tablet in portrait, with touch: how officers use it in the field.
    "tablet": {
        "viewport": {"width": 800, "height": 1280},
        "has_touch": True,
        "is_mobile": True,
        "device_scale_factor": 1,
    },
    "desktop": {"viewport": {"width": 1440, "height": 900}, "device_scale_factor": 1},
}

# GET routes that answer with something other than a page a person reads in the browser: files
# (their own checks live in the download tests) and redirects.
SKIPPED: dict[str, str] = {
    "ui.signin.home": "redirects to the case list or the sign-in page",
    "ui.submissions.submitted": "redirects to where a form's first press went",
    "ui.cases.attachment": "a stored file (photo, PDF), not a page",
    "ui.bundles.bundle_certification": "a PDF",
    "ui.bundles.bundle_manifest": "a JSON file",
    "ui.bundles.bundle_volume": "a PDF",
    "ui.disclosure.disclosure_page_image": "a page image (PNG) shown inside the review screen",
    "ui.disclosure.disclosure_package": "a ZIP file",
    "ui.disclosure.disclosure_ruling_letter": "a PDF",
    "ui.documents.document_file": "a generated document (PDF, DOCX)",
    "ui.retention.retention_certificate": "a PDF",
}
# A page shown with a query, so the sweep sees it with its content (results, a pager, tables),
# not only its empty form.
QUERIES: dict[str, str] = {
    "ui.search.search_page": "?q=Elm",
    "ui.cases.cases": "?status=&address=",
    "ui.followup.reports": "?name=workload&jurisdiction=jefferson-county-wa&year=2026",
}
# Pages a person reads before signing in: visited without a session.
PUBLIC = ("ui.signin.login", "public.release")


NOTICE = "notice_of_violation"


@dataclass
class Seeded:
    """What the seeded data offers to fill a route's path parameters."""

    passwords: dict[str, tuple[str, str]]  # role -> (username, password)
    values: dict[str, str] = field(default_factory=dict)  # parameter name -> value


def seed(client: Any, database: Any, settings: Any, work: Callable[[], int]) -> Seeded:
    """The demo's users and cases, plus a request under review, a released one and a bundle."""
    from docsvc.demo import ensure_demo_cases, ensure_demo_users
    from docsvc.store import FileStore

    with database.session() as s:
        logins = ensure_demo_users(s)
        s.commit()
        ensure_demo_cases(s, FileStore(settings.store_dir), settings)
        s.commit()
        numbers = {
            c.jurisdiction_code: c.case_number
            for c in s.scalars(select(Case).order_by(Case.id)).all()
        }
    tokens = {role: token for _, role, _, token in logins}
    passwords = {role: (username, password) for username, role, password, _ in logins}

    def as_(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[role]}"}

    # A case with a complainant named in a record, so the review screen proposes boxes.
    case = client.post(
        "/api/cases", headers=as_("officer"), json=complaint_case(jurisdiction="los-gatos-ca")
    ).json["case_number"]
    memo = pdf_with(
        text_ops(
            "Site visit memo.",
            "Complaint received from Maria O'Brien-Nguyen, 1420 Elm Street.",
            "Phone (408) 555-0142. Couch and weeds in the front yard.",
        )
    )
    r = helpers.upload(client, as_("officer"), case, memo, "memo.pdf", "correspondence")
    assert r.status_code == 201, r.json

    def request_for(case_number: str) -> int:
        body = {
            "jurisdiction": "los-gatos-ca",
            "requester": {"name": "Pat Reporter", "email": "pat@news.example"},
            "received_at": "2026-11-20T10:00:00-08:00",
            "description": "All records about the yard",
            "case_numbers": [case_number],
        }
        r = client.post("/api/disclosures", headers=as_("records"), json=body)
        assert r.status_code == 201, r.json
        return int(r.json["id"])

    under_review = request_for(case)
    released = request_for(case)
    work()
    r = client.post(
        f"/api/disclosures/{released}/release",
        headers=as_("records"),
        json={"accept_proposed_redactions": True},
    )
    assert r.status_code == 201, r.json
    token = r.json["public_url"].rsplit("/", 1)[1]
    # A notice issued on a case with an owner and violations: the mailing pages' document.
    notice = issue(
        client, as_("officer"), build_case(client, as_("officer"), "los-gatos-ca"), NOTICE
    )
    r = client.post(f"/api/cases/{case}/bundles", headers=as_("attorney"), json={})
    assert r.status_code == 202, r.json
    bundle = r.json["id"]
    work()
    return Seeded(
        passwords,
        {
            "case_number": numbers.get("jefferson-county-wa", case),
            # The demo keeps an abatement fund for Jefferson County (its profile has one).
            "code": "jefferson-county-wa",
            "request_id": str(under_review),
            "bundle_id": str(bundle),
            "token": token,
            "document_id": str(notice["id"]),
        },
    )


def pages(app: Any, seeded: Seeded) -> dict[str, str]:
    """endpoint -> path, for every GET page of the UI and the public release page; fails on a
    route neither visited nor skipped, or one whose parameters the seeded data cannot fill."""
    out: dict[str, str] = {}
    unfilled = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()):
            continue
        if not (rule.endpoint.startswith("ui.") or rule.endpoint == "public.release"):
            continue
        if rule.endpoint in SKIPPED:
            continue
        missing = [a for a in rule.arguments if a not in seeded.values]
        if missing:
            unfilled.append(f"{rule.endpoint} ({rule.rule}): no value for {missing}")
            continue
        with app.test_request_context():
            from flask import url_for

            out[rule.endpoint] = url_for(
                rule.endpoint, **{a: seeded.values[a] for a in rule.arguments}
            ) + QUERIES.get(rule.endpoint, "")
    assert not unfilled, (
        "GET pages the sweep cannot visit: seed data for them, or list them in SKIPPED with "
        "a reason:\n" + "\n".join(unfilled)
    )
    return out


def _short(endpoint: str) -> str:
    """ui.cases.case_page -> case_page (the screenshot's and the table's name)."""
    return endpoint.rsplit(".", 1)[-1]


# Whether the page is wider than the window, and if so the outermost elements sticking out
# (the ones to fix), each with its right edge.
WIDE = """() => {
  const root = document.documentElement, limit = root.clientWidth;
  if (root.scrollWidth <= limit) return '';
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const right = el.getBoundingClientRect().right;
    if (right > limit + 1 && !(el.parentElement && el.parentElement.getBoundingClientRect().right > limit + 1)) {
      const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      out.push(`${name} to ${Math.round(right)}px`);
    }
  }
  return `${root.scrollWidth}px of content in ${limit}px: ${out.slice(0, 3).join(', ')}`;
}"""

# A page with controls before its main content starts with a link past them (WCAG 2.4.1).
SKIP_LINK = """() => {
  const main = document.querySelector('main');
  if (!main || main.id !== 'main') return 'no <main id="main"> for a skip link to reach';
  const focusable = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]:not([tabindex="-1"])'
  )].filter((el) => !el.disabled);
  const first = focusable[0];
  if (!first || main.contains(first)) return '';
  if (first.matches('a.skip-link[href="#main"]')) return '';
  return `the first control is ${first.outerHTML.slice(0, 80)}, not a skip link to the main content`;
}"""

FOCUS_CHECKED = 4
# The focused element's ring: an outline at least 2px wide, or for a redaction box's checkbox
# the box's own outline.
RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return '';
  const target = el.closest('.redbox') || el;
  const s = getComputedStyle(target);
  if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) return '';
  return `no visible focus ring on ${el.outerHTML.slice(0, 80)}`;
}"""

WEIGH = """() => {
  const out = {html: 0, css: 0, js: 0, images: 0, other: 0};
  const kind = (e) => {
    if (e.entryType === 'navigation') return 'html';
    const path = new URL(e.name).pathname;
    if (/\\.css$/.test(path) || e.initiatorType === 'link') return 'css';
    if (/\\.m?js$/.test(path) || e.initiatorType === 'script') return 'js';
    if (e.initiatorType === 'img' || /\\.(png|jpe?g|gif|svg|webp|ico)$/.test(path)) return 'images';
    return 'other';
  };
  for (const e of [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')]) {
    out[kind(e)] += e.encodedBodySize;
  }
  return out;
}"""


@contextmanager
def _browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _page(context: Any) -> Any:
    """A tab that notes script errors, CSP refusals and broken assets in `page.errors_seen`."""
    page = context.new_page()
    # No cache, so each page's weight counts every byte a first visit costs (a cached style
    # sheet reports no size at all).
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    errors: list[str] = []
    page.errors_seen = errors
    page.on("pageerror", lambda e: errors.append(f"script error: {e}"))
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text
            else None
        ),
    )

    def failed_asset(response: Any) -> None:
        if response.status >= 400 and response.request.resource_type != "document":
            errors.append(f"{response.status} {response.url}")

    page.on("response", failed_asset)
    return page


def _sign_in(page: Any, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{base}/cases")


SMALL_NAV = """() => [...document.querySelectorAll('header nav[aria-label="Main"] a')]
  .filter(a => a.getBoundingClientRect().height < 44)
  .map(a => `${a.textContent.trim()} ${Math.round(a.getBoundingClientRect().height)}px`)"""


def visit(
    page: Any, base: str, who: str, endpoint: str, path: str, size: str, problems: list[str]
) -> dict[str, Any]:
    """One page: its status, axe, sideways scroll, screenshot and weight."""
    errors: list[str] = page.errors_seen
    errors.clear()
    where = f"{who} {_short(endpoint)} ({size})"
    try:
        response = page.goto(base + path)
    except Exception as e:  # Playwright's Error: a file download instead of a page, say
        problems.append(f"{where}: not a page: {str(e).splitlines()[0]}")
        return {"html": 0, "css": 0, "js": 0, "images": 0, "other": 0, "status": 0, "violations": 0}
    status = response.status if response else 0
    if status >= 500 or status == 0:
        problems.append(f"{where}: answered {status}")
    # Every impact is counted (minor too, for the record); moderate and above fail the page.
    everything = axe.violations(page, impacts=axe.ALL_IMPACTS)
    found = [v for v in everything if v["impact"] in axe.IMPACTS]
    if found:
        problems.append(f"{where}: axe\n{axe.describe(found)}")
    wide = page.evaluate(WIDE)
    if wide:
        problems.append(f"{where}: scrolls sideways: {wide}")
    if size == "tablet":
        # Thumbs on a tablet: the main navigation's links are 44 px targets (WCAG 2.5.5; a
        # tester measured them at 19 px).
        small = page.evaluate(SMALL_NAV)
        if small:
            problems.append(f"{where}: navigation links under 44 px tall: {small}")
    if errors:
        problems.append(f"{where}: {errors}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{who}-{_short(endpoint)}-{size}.png"), full_page=True)
    bypass = page.evaluate(SKIP_LINK)
    if bypass:
        problems.append(f"{where}: {bypass}")
    # The first few controls a keyboard reaches each show a ring (WCAG 2.4.7 / 2.4.11).
    for _ in range(FOCUS_CHECKED):
        page.keyboard.press("Tab")
        ring = page.evaluate(RING)
        if ring:
            problems.append(f"{where}: {ring}")
            break
    weight: dict[str, Any] = page.evaluate(WEIGH)
    weight["status"] = status
    weight["violations"] = sum(len(v["nodes"]) for v in found)
    weight.update({f"axe_{k}": n for k, n in axe.count_by_impact(everything).items()})
    weight["axe_rules"] = sorted({v["id"] for v in everything})
    return weight


def _record_weights(who: str, weights: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Merge this role's weights into build/page-weights.json (roles may run in parallel)."""
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / ".page-weights.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        everything = json.loads(WEIGHTS.read_text()) if WEIGHTS.exists() else {}
        everything[who] = weights
        WEIGHTS.write_text(json.dumps(everything, indent=2, sort_keys=True) + "\n")


def _table(who: str, weights: dict[str, dict[str, dict[str, Any]]]) -> str:
    def kb(n: int) -> str:
        return f"{n / 1024:7.1f}"

    def impacts(w: dict[str, Any]) -> str:
        return " ".join(f"{k[:4]}={w.get('axe_' + k, 0)}" for k in axe.ALL_IMPACTS)

    lines = [
        f"\nPage weights as {who} (KiB; status; axe elements: critical serious moderate minor)"
    ]
    lines.append(f"{'page':<26}{'size':<9}{'html':>8}{'css':>8}{'js':>8}{'img':>8}{'total':>9}")
    for name, by_size in sorted(weights.items()):
        for size, w in by_size.items():
            total = w["html"] + w["css"] + w["js"] + w["images"] + w["other"]
            lines.append(
                f"{name:<26}{size:<9}{kb(w['html'])}{kb(w['css'])}{kb(w['js'])}"
                f"{kb(w['images'])}{kb(total)}  {w['status']}  {impacts(w)}"
            )
    return "\n".join(lines)


@pytest.mark.parametrize("who", [*ROLES, "public"])
def test_every_page_is_accessible_fits_and_is_weighed(
    who,
    app,
    client,
    database,
    settings,
    work,
    live_server,  # noqa: F811
) -> None:
    seeded = seed(client, database, settings, work)
    everything = pages(app, seeded)
    chosen = {e: p for e, p in everything.items() if (e in PUBLIC) == (who == "public")}
    assert chosen, who
    problems: list[str] = []
    weights: dict[str, dict[str, dict[str, Any]]] = {}
    with _browser() as browser:
        for size, options in SIZES.items():
            context = browser.new_context(**options)
            page = _page(context)
            if who != "public":
                _sign_in(page, live_server, *seeded.passwords[who])
            for endpoint, path in sorted(chosen.items()):
                w = visit(page, live_server, who, endpoint, path, size, problems)
                weights.setdefault(_short(endpoint), {})[size] = w
            context.close()
    _record_weights(who, weights)
    print(_table(who, weights))
    assert not problems, f"{len(problems)} problem(s) as {who}:\n" + "\n".join(problems)


def test_every_get_page_is_swept_or_skipped_with_a_reason(app) -> None:
    """The sweep's list is the app's: a skipped route still exists, and every listed one is
    a GET route (a renamed page is noticed here, not silently dropped)."""
    gets = {
        r.endpoint
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or ()) and r.endpoint.startswith(("ui.", "public."))
    }
    assert set(SKIPPED) <= gets, set(SKIPPED) - gets
    assert set(PUBLIC) <= gets, set(PUBLIC) - gets
    assert set(QUERIES) <= gets, set(QUERIES) - gets


def test_review_boxes_by_keyboard_alone(
    app,
    client,
    database,
    settings,
    work,
    live_server,  # noqa: F811
) -> None:
    """The review screen with a keyboard only (Chromium): the skip link first, Tab from box to
    box, each named and stating whether it is kept, a visible ring round the focused box,
    Space to drop one, Enter to save; and a box added by two taps instead of a drag."""
    seeded = seed(client, database, settings, work)
    path = pages(app, seeded)["ui.disclosure.disclosure_page"]
    with _browser() as browser:
        context = browser.new_context(**SIZES["tablet"])
        page = _page(context)
        _sign_in(page, live_server, *seeded.passwords["records"])
        page.goto(live_server + path)
        boxes = page.locator("#review-form .redbox input[type=checkbox]")
        total = boxes.count()
        assert total >= 2, total  # the complainant's name, address and telephone

        page.keyboard.press("Tab")
        skip = page.locator(":focus")
        assert skip.inner_text() == "Skip to the main content"
        assert skip.bounding_box()["y"] >= 0  # shown once focused, not left off screen
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"

        def focused_box() -> str | None:
            return page.evaluate(
                "() => document.activeElement.matches('.redbox input') ?"
                " document.activeElement.getAttribute('aria-label') : null"
            )

        for _ in range(80):  # Tab through the page's controls to the first box
            page.keyboard.press("Tab")
            if focused_box():
                break
        first = focused_box()
        assert first and first.startswith(f"Keep box 1 of {total} on page 1 of "), first
        # Named and stateful in the accessibility tree: a checkbox, checked (kept).
        assert page.get_by_role("checkbox", name=first, checked=True).count() == 1
        ring = page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement.closest('.redbox'));"
            " return [s.outlineStyle, s.outlineWidth, s.outlineColor]; }"
        )
        assert ring == ["solid", "3px", "rgb(11, 92, 173)"], ring  # #0b5cad: 6.5:1 on white

        page.keyboard.press("Tab")
        second = focused_box()
        assert second and second.startswith(f"Keep box 2 of {total} "), second
        page.keyboard.press("Space")
        assert page.get_by_role("checkbox", name=second, checked=False).count() == 1
        page.keyboard.press("Space")
        assert page.get_by_role("checkbox", name=second, checked=True).count() == 1
        page.keyboard.press("Space")  # dropped
        axe.assert_accessible(page, "the review screen, a box dropped")

        for _ in range(4 * total + 10):  # on to the form's button
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent") == "Save the reviewed boxes":
                break
        page.keyboard.press("Enter")
        page.wait_for_selector("text=Redactions reviewed.")
        assert page.locator("#review-form .redbox input[type=checkbox]").count() == total - 1

        # Without dragging (WCAG 2.5.7): tap one corner, then the opposite one.
        sheet = page.locator("#review-form figure.page .sheet").first
        sheet.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, 300)")  # the page image's lower part, clear of boxes
        box = sheet.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.7)
        assert page.locator(".corner-mark").count() == 1, page.errors_seen
        page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.75)
        added = page.get_by_role("checkbox", name=re.compile(r"\(added by you\)$"), checked=True)
        assert added.count() == 1 and page.locator(".corner-mark").count() == 0
        added.focus()
        page.keyboard.press("Space")  # an added box dropped is gone
        assert page.locator(".redbox.drawn").count() == 0
        context.close()
