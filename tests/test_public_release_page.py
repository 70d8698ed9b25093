"""The public's view of a release: the link the clerk sent answers a browser with a page (the
agency, the request's number and dates, each file and its page count, the exemption log in
words, a download) and any other caller with the ZIP, as before (docs/API.md); `/package.zip`
is always the ZIP. The page shows only what the released package holds: identity planted in
every field a clerk, an officer or the requester could fill never reaches it."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from tests import helpers
from tests.conftest import complaint_case
from tests.helpers import pdf_with, text_ops

pytestmark = pytest.mark.slow

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
REQUESTER, REQUESTER_EMAIL = "Pat Reporter", "pat@news.example"
NAME, PHONE, EMAIL = "Maria O'Brien-Nguyễn", "(408) 555-0142", "maria@example.org"
HOME = "1420 Elm Street Apt 7Q"
# Whatever of the complainant a page could show, in the forms HTML would carry it.
NEVER = (
    "O'Brien",
    "O&#39;Brien",
    "O&#x27;Brien",
    "Nguy",
    "555-0142",
    "maria@",
    "1420 Elm",
    "Apt 7Q",
    REQUESTER,
    REQUESTER_EMAIL,
)


def _release(
    client,
    officer,
    clerk,
    work,
    *,
    jurisdiction: str = "los-gatos-ca",
    upload_name: str = "memo.pdf",
    caption: str = "",
    description: str = "All records about the yard",
    notes: str | None = None,
    decision: dict | None = None,
    **release,
):
    """A request for one case with one uploaded letter naming the complainant, released through
    the API: (request id, the public link's path, the release's answer)."""
    complaint = {
        "complainant": {"name": NAME, "phone": PHONE, "email": EMAIL, "address": HOME},
    }
    case = client.post(
        "/api/cases",
        headers=officer.headers,
        json=complaint_case(jurisdiction=jurisdiction, **complaint),
    ).json["case_number"]
    letter = pdf_with(text_ops(f"Letter from Maria O'Brien-Nguyen, telephone {PHONE}, {EMAIL}."))
    form = {"caption": caption} if caption else {}
    r = helpers.upload(client, officer.headers, case, letter, upload_name, "correspondence", **form)
    assert r.status_code == 201, r.json
    body = {
        "jurisdiction": jurisdiction,
        "requester": {"name": REQUESTER, "email": REQUESTER_EMAIL},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": description,
        "case_numbers": [case],
    }
    if notes:
        body["notes"] = notes
    r = client.post("/api/disclosures", headers=clerk.headers, json=body)
    assert r.status_code == 201, r.json
    rid = r.json["id"]
    work()
    if decision:
        r = client.post(
            f"/api/disclosures/{rid}/cases/{case}/decision", headers=clerk.headers, json=decision
        )
        assert r.status_code == 200, r.json
    r = client.post(
        f"/api/disclosures/{rid}/release",
        headers=clerk.headers,
        json={"accept_proposed_redactions": True, **release},
    )
    link = (
        "/public/releases/" + r.json["public_url"].rsplit("/", 1)[1] if r.status_code == 201 else ""
    )
    return rid, link, r


def _page(client, link: str) -> str:
    r = client.get(link, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.mimetype == "text/html", r.status_code
    assert "Accept" in r.headers["Vary"] and r.headers["Cache-Control"] == "no-store"
    return r.get_data(as_text=True)


def _text(html: str) -> str:
    """The page's words, tags dropped and spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" ,", ",")


def test_a_browser_gets_a_page_about_the_release_and_a_program_the_zip(
    client, officer, records, work, clock
) -> None:
    clock("2026-11-30T09:00:00-08:00")
    rid, link, r = _release(client, officer, records, work, expires_at="2026-12-05T00:00:00-08:00")
    assert r.status_code == 201, r.json
    package = client.get(f"/api/disclosures/{rid}/package", headers=records.headers).data
    names = zipfile.ZipFile(io.BytesIO(package)).namelist()
    record = next(n for n in names if re.fullmatch(r".+-\d{3}\.pdf", n))

    html = _page(client, link)
    text = _text(html)
    assert html.count("<h1") == 1 and '<html lang="en">' in html
    assert "<title>Records released: Request " in html
    assert "Town of Los Gatos" in text and "Custodian of Records" in text
    assert f"Request {rid}" in text
    assert "Request received November 20, 2026" in text
    assert "Records released November 30, 2026" in text
    assert "Dates are in Pacific time" in text
    assert "Until the end of December 4, 2026" in text  # the last day the clerk chose
    # Every file of the package, with what it is and its length counted in the file itself.
    for name in names:
        assert name in text, name
    row = re.search(rf"<tr>\s*<th scope=\"row\">.*?{re.escape(record)}.*?</tr>", html, re.S)
    assert row is not None
    assert "Correspondence (PDF), filed November 30, 2026" in row.group(0)
    assert "1 page" in row.group(0)
    assert re.search(r"exemption-log\.pdf.*?\d+ pages?", html, re.S)
    # The exemption log in words: what, where, under which law; never the value.
    log = client.get(f"/api/disclosures/{rid}/exemption-log", headers=records.headers).json
    assert log and {e["kind"] for e in log} >= {"name"}
    assert "What was withheld, and why" in text
    withheld = html.split('id="exemption-log"')[1]
    assert re.search(
        rf"{re.escape(record)}</th><td>Page 1</td><td>The complainant's name</td>",
        withheld.replace("&#39;", "'"),
    )
    for e in log:
        assert e["statute"] in withheld and e["explanation"].replace("'", "&#39;") in withheld
    # The download: all at once, and each file.
    size = len(package)
    shown = re.search(r'id="download-all" href="([^"]+)">Download all \(ZIP, (\d+) KB\)', html)
    assert shown is not None and shown.group(1) == f"http://localhost{link}/package.zip"
    assert abs(int(shown.group(2)) - size / 1024) <= 1
    assert f'href="http://localhost{link}/files/{record}"' in html
    assert "(408) 354-6874" in text  # the records office to contact

    # Any other caller gets the ZIP, the same bytes as before.
    for accept in ({}, {"Accept": "*/*"}, {"Accept": "application/zip"}):
        got = client.get(link, headers=accept)
        assert got.status_code == 200 and got.mimetype == "application/zip", accept
        assert got.data == package and "Accept" in got.headers["Vary"]
        # Kept out of search indexes like the page (a tester saw the ZIP answer without it).
        assert got.headers["X-Robots-Tag"] == "noindex"
    got = client.get(f"{link}/package.zip", headers={"Accept": BROWSER})
    assert got.status_code == 200 and got.mimetype == "application/zip" and got.data == package
    assert got.headers["X-Robots-Tag"] == "noindex"
    one = client.get(f"{link}/files/{record}", headers={"Accept": BROWSER})
    assert one.status_code == 200 and one.mimetype == "application/pdf"
    assert one.headers["X-Robots-Tag"] == "noindex"
    assert one.data == zipfile.ZipFile(io.BytesIO(package)).read(record)
    assert one.headers["Content-Disposition"] == f'attachment; filename="{record}"'
    assert "sandbox" in one.headers["Content-Security-Policy"]
    for bad in ("nothing.pdf", "index.json.exe", "%2E%2E", ".index.pdf", "a..pdf"):
        got = client.get(f"{link}/files/{bad}")
        assert got.status_code == 404 and got.mimetype == "text/html", bad
        assert "No such file in this release" in got.get_data(as_text=True)
    # A name with a folder matches no route at all (the application's own 404).
    assert client.get(f"{link}/files/..%2Findex.pdf").status_code == 404

    # Revoked: 410 in words on every address, whatever Accept says.
    client.post(
        f"/api/disclosures/{rid}/release/revoke", headers=records.headers, json={"reason": "x"}
    )
    for path in (link, f"{link}/package.zip", f"{link}/files/{record}"):
        for accept in (BROWSER, "*/*", "application/zip"):
            got = client.get(path, headers={"Accept": accept})
            assert got.status_code == 410 and got.mimetype == "text/html", (path, accept)
            assert "This release is no longer available" in got.get_data(as_text=True)
    # Unknown: 404 in words, whatever Accept says.
    for path in ("/public/releases/no-such-token", "/public/releases/no-such-token/package.zip"):
        for accept in (BROWSER, "*/*"):
            got = client.get(path, headers={"Accept": accept})
            assert got.status_code == 404 and got.mimetype == "text/html"
            assert "No release at this link" in got.get_data(as_text=True)


def test_complainant_identity_planted_everywhere_never_reaches_the_page(
    client, officer, records, work
) -> None:
    planted = f"{NAME} {PHONE} {EMAIL} {HOME}"
    _, link, r = _release(
        client,
        officer,
        records,
        work,
        upload_name=f"{NAME} {PHONE} {EMAIL} Apt 7Q.pdf",
        caption=f"Letter from {planted}",
        description=f"Records of the complaint by {planted}",
        notes=f"Requester says the complainant is {planted}",
    )
    assert r.status_code == 201, r.json
    got = client.get(link, headers={"Accept": BROWSER})
    html = got.get_data(as_text=True)
    assert got.status_code == 200 and "The files" in html
    everything = html + str(dict(got.headers))
    for never in NEVER:
        assert never not in everything, never
        assert never.lower() not in everything.lower(), never
    # The request's own words stay on the staff side.
    assert "Records of the complaint by" not in html and "Requester says" not in html
    # Where the package does name her (it was released: her name in the letter was boxed), the
    # page names only the kind withheld.
    assert "The complainant&#39;s name" in html or "The complainant's name" in html


def test_counsels_explanation_reaches_the_page_only_as_released(
    client, officer, records, work
) -> None:
    """Counsel types the explanation: it is scanned with the package, so one naming the
    complainant stops the release; a clean one is shown in words."""
    mo = "lees-summit-mo"
    naming = {
        "decision": "redact",
        "statute": "RSMo §610.021(14)",
        "explanation": f"Withheld at the request of {NAME}.",
    }
    _, _, r = _release(client, officer, records, work, jurisdiction=mo, decision=naming)
    assert r.status_code == 409 and r.json["code"] == "release_blocked", r.json
    clean = {**naming, "explanation": "City counsel: protected by law as a confidential source."}
    _, link, r = _release(client, officer, records, work, jurisdiction=mo, decision=clean)
    assert r.status_code == 201, r.json
    text = _text(_page(client, link))
    assert "RSMo §610.021(14) City counsel: protected by law as a confidential source." in text
    assert "City of Lee" in text and "Central time" in text
    for never in NEVER:
        assert never not in text, never


def test_a_package_is_listed_from_what_it_holds_and_only_plain_names_are_served() -> None:
    """An older or odd package (no index, an image, a folder, a damaged PDF) is still listed
    in words, and only a plain name of a known type can be fetched on its own."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from docsvc.disclosure import public_view

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("LG-1-001.pdf", pdf_with(text_ops("A page.")))
        zf.writestr("photo.png", b"\x89PNG\r\n\x1a\n")
        zf.writestr("notes/inside.pdf", pdf_with(text_ops("In a folder.")))
        zf.writestr(".hidden.pdf", b"%PDF-1.4")
        zf.writestr("damaged.pdf", b"%PDF-1.4 not really")
        zf.writestr("run.exe", b"MZ")
    data = out.getvalue()
    files = {f.name: f for f in public_view._read(data).files}
    assert files["LG-1-001.pdf"].extent == "1 page" and files["LG-1-001.pdf"].single
    assert files["photo.png"].extent == "1 image"
    assert files["damaged.pdf"].extent == ""  # listed, without a count it cannot make
    assert not files["notes/inside.pdf"].single and not files[".hidden.pdf"].single
    assert not files["run.exe"].single and files["run.exe"].description is None
    assert public_view.member(data, "photo.png") == (b"\x89PNG\r\n\x1a\n", "image/png")
    for name in ("notes/inside.pdf", ".hidden.pdf", "run.exe", "missing.pdf", "../LG-1-001.pdf"):
        assert public_view.member(data, name) is None, name
    # An expiry other than a midnight is said with its clock time.
    pacific = ZoneInfo("America/Los_Angeles")
    at = datetime(2026, 12, 5, 1, 30, tzinfo=UTC)  # 17:30 on the 4th, Pacific
    assert public_view._until(at, pacific) == "December 4, 2026 at 5:30 p.m."
    assert public_view._size(2_411_725) == "2.3 MB" and public_view._size(300) == "1 KB"


from tests import axe  # noqa: E402
from tests import test_browser as tablet  # noqa: E402

live_server, page = tablet.live_server, tablet.page  # its fixtures

# What the page costs: the document and everything it loaded, in bytes as sent.
WEIGHT = """() => {
  const all = [...performance.getEntriesByType('navigation'),
               ...performance.getEntriesByType('resource')];
  const sizes = Object.fromEntries(all.map((e) => [new URL(e.name).pathname, e.encodedBodySize]));
  return {requests: all.length, bytes: all.reduce((n, e) => n + e.encodedBodySize, 0), sizes};
}"""
# The address of each link is printed after it on paper.
AFTER = "(el) => getComputedStyle(el, '::after').content"


@pytest.mark.browser
def test_the_public_page_in_a_browser_on_a_tablet_a_desktop_and_paper(
    page, live_server, make_user, client, work
) -> None:
    officer = make_user("officer")
    clerk = make_user("records", with_password=True)
    rid, link, r = _release(client, officer, clerk, work)
    assert r.status_code == 201, r.json
    package = client.get(f"/api/disclosures/{rid}/package", headers=clerk.headers).data
    tablet.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((800, 1280), (1440, 900)):
        page.set_viewport_size({"width": width, "height": height})
        answer = page.goto(f"{live_server}{link}")
        assert answer is not None and answer.status == 200
        assert page.inner_text("h1") == f"Records released in answer to request {rid}"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        axe.assert_accessible(page, f"the public release page at {width}x{height}")
        if width == 800:  # the first visit: every byte a requester's first look costs
            weight = page.evaluate(WEIGHT)
            (tablet.SCREENSHOTS.parent / "public-release-weight.json").write_text(
                json.dumps(weight, indent=2)
            )
            # The page, its style sheet and its icon: no script, no font, no image.
            assert weight["requests"] == 3 and weight["bytes"] < 40_000, weight
        page.screenshot(
            path=str(tablet.SCREENSHOTS / f"public-release-{width}x{height}.png"), full_page=True
        )
    content = page.content()
    for never in NEVER:
        assert never not in content, never

    # "Download all" gives the ZIP, the same bytes the clerk has.
    with page.expect_download() as download:
        page.click("#download-all")
    saved = download.value.path()
    assert saved is not None and saved.read_bytes() == package
    assert download.value.suggested_filename == f"release-{rid}.zip"

    # On paper: everything a reader needs stays, each link's address is printed after it.
    page.emulate_media(media="print")
    for essential in ("h1", "#release-facts", "#files", "#exemption-log table", "#records-office"):
        assert page.is_visible(essential), essential
    assert page.is_visible("#download-all")
    after = page.eval_on_selector("#download-all", AFTER)
    assert f"{live_server}{link}/package.zip" in after
    record = page.eval_on_selector("#files tbody a", AFTER)
    assert f"{live_server}{link}/files/" in record
    page.screenshot(path=str(tablet.SCREENSHOTS / "public-release-print.png"), full_page=True)
    page.emulate_media(media="screen")


def test_the_clerks_page_shows_the_link_to_select_without_script(
    client, signed_in, officer, work
) -> None:
    clerk = signed_in("records")
    rid, link, r = _release(client, officer, clerk, work)
    assert r.status_code == 201, r.json
    html = client.get(f"/disclosures/{rid}").get_data(as_text=True)
    shown = re.search(r'<code class="public-url" id="public-link">([^<]+)</code>', html)
    assert shown is not None and shown.group(1) == f"http://localhost{link}"
    # The button needs the script (it is hidden until copy-link.js finds a clipboard), and the
    # script is a file of our own, as the page's CSP requires.
    assert re.search(r'<button type="button" id="copy-link" data-copy="public-link" hidden>', html)
    assert '<script src="/static/copy-link.js" defer></script>' in html
    assert 'id="public-page-link" target="_blank" rel="noopener"' in html
    assert f'href="http://localhost{link}" id="public-page-link"' in html


@pytest.mark.browser
def test_the_clerk_copies_the_public_link_and_opens_the_public_page(
    page, live_server, make_user, client, work
) -> None:
    officer = make_user("officer")
    clerk = make_user("records", with_password=True)
    rid, link, r = _release(client, officer, clerk, work)
    assert r.status_code == 201, r.json
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    tablet.sign_in(page, live_server, clerk)
    page.goto(f"{live_server}/disclosures/{rid}")
    public_url = page.inner_text("#public-link").strip()
    assert public_url.endswith(link)
    assert page.get_attribute("#public-page-link", "href") == public_url
    axe.assert_accessible(page, "the clerk's request page, released")
    page.click("#copy-link")
    page.wait_for_selector("#copy-done:has-text('Copied')")
    assert page.evaluate("navigator.clipboard.readText()") == public_url
    page.screenshot(path=str(tablet.SCREENSHOTS / "release-copy-link-tablet.png"), full_page=True)
    # The public page opens in its own tab, as the requester sees it.
    with page.context.expect_page() as opened:
        page.click("#public-page-link")
    public = opened.value
    public.wait_for_load_state()
    assert public.inner_text("h1") == f"Records released in answer to request {rid}"
    public.close()
