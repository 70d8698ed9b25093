"""The case page as a workbench: its header (state, priority, next deadline, next steps as
buttons to the forms that do them), its sections' tabs with counts, and its timeline (newest
first, in words, never naming the complainant)."""

from __future__ import annotations

from datetime import datetime

from lxml import html as lxml_html

from tests.conftest import complaint_case
from tests.documents_helpers import build_case, issue


def page(client, number: str) -> lxml_html.HtmlElement:
    r = client.get(f"/cases/{number}")
    assert r.status_code == 200
    return lxml_html.fromstring(r.get_data(as_text=True))


def text(el: lxml_html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def by_id(doc: lxml_html.HtmlElement, id_: str) -> list[lxml_html.HtmlElement]:
    return doc.xpath(f'//*[@id="{id_}"]')


def buttons(doc: lxml_html.HtmlElement) -> list[tuple[str, str, str | None]]:
    return [
        (text(a), a.get("href"), a.get("data-opens"))
        for a in doc.xpath('//*[@id="next-actions"]//a')
    ]


def test_intake_header_offers_the_inspection_by_its_clock(client, signed_in, clock) -> None:
    clock("2026-11-16T10:00:00-06:00")
    officer = signed_in("officer")
    body = complaint_case("lees-summit-mo", received_at="2026-11-16T09:30:00-06:00")
    number = client.post("/api/cases", json=body, headers=officer.headers).json["case_number"]
    doc = page(client, number)
    assert text(by_id(doc, "case-status")[0]) == "Open"
    assert text(by_id(doc, "case-priority")[0]).startswith(("Priority", "Not a priority"))
    nxt = text(by_id(doc, "next-clock")[0])
    assert "Investigate the complaint" in nxt and "CST" in nxt and "(Central time)" in nxt
    got = buttons(doc)
    assert got[0][0].startswith("Inspect the property by Nov ")
    assert got[0][1:] == ("#inspections", "inspection-form")
    assert got[1] == ("Record a violation", "#violations", "violation-form")
    for _, _, form in got:  # each button's form is on the page
        assert by_id(doc, form), form


def test_noticed_case_offers_service_and_counts_its_sections(client, signed_in, clock) -> None:
    clock("2026-11-18T09:00:00-08:00")
    officer = signed_in("officer")
    built = build_case(client, officer.headers, "los-gatos-ca")
    notice = issue(client, officer.headers, built, "notice_of_violation")
    doc = page(client, built.case)
    name = f"Notice of Violation NOV-{notice['id']}"
    form = f"service-form-{notice['id']}"
    assert buttons(doc)[0] == (f"Record service for {name}", "#documents", form)
    assert doc.xpath(
        f'//form[@id="{form}"][@class="service-form"]'
    )  # inside its 'Record service' details
    # The violation left off the notice: a new notice, on the page that prepares one.
    assert buttons(doc)[1][0] == "Issue a notice of violation"
    assert buttons(doc)[1][1] == f"/cases/{built.case}/documents/new"
    tabs = {
        a.get("id"): text(a) for a in doc.xpath('//*[@id="case-sections"]//*[@class="tab-list"]/a')
    }
    assert tabs["tab-parties"] == "Parties (2)"
    assert tabs["tab-violations"] == "Violations (2)"
    assert tabs["tab-photos"] == "Photos & files (2)"
    assert tabs["tab-documents"] == "Notices (1)"
    # Each tab names a section of the page; the ledger is a page of its own, outside the tabs.
    for tab_id in tabs:
        assert by_id(doc, tab_id.removeprefix("tab-")), tab_id
    assert doc.xpath('//*[@id="case-sections"]//a[@id="ledger-link"]')
    # The notice's links: Los Gatos mails a notice of violation by certified mail, so an officer
    # finds its cover sheet beside the PDF; a records clerk, who records no mailing, does not.
    cover = doc.xpath(f'//*[@id="doc-{notice["id"]}-links"]/a[@id="doc-{notice["id"]}-cover"]')
    assert [a.get("href") for a in cover] == [f"/documents/{notice['id']}/cover-sheet"]
    assert text(cover[0]) == "Certified-mail cover sheet"
    signed_in("records")
    assert not page(client, built.case).xpath(f'//*[@id="doc-{notice["id"]}-cover"]')


def test_timeline_newest_first_in_words(client, signed_in, clock) -> None:
    clock("2026-11-18T09:00:00-08:00")
    officer = signed_in("officer")
    built = build_case(client, officer.headers, "los-gatos-ca")
    clock("2026-11-18T11:00:00-08:00")
    notice = issue(client, officer.headers, built, "notice_of_violation")
    items = page(client, built.case).xpath('//*[@id="timeline-list"]/li')
    told = [text(li) for li in items]
    times = [datetime.fromisoformat(li.xpath("time")[0].get("datetime")) for li in items]
    assert times == sorted(times, reverse=True)
    assert told[0].startswith("Nov 18, 2026, 11:")
    assert "PST — Notice issued: Notice of Violation NOV-" in told[0]
    assert told[0].endswith(f"NOV-{notice['id']}, by Officer 1")
    assert any(
        "Violation recorded: Junk, trash or debris on the property, by Officer 1" in t for t in told
    ), told
    assert told[-1].startswith("Nov 18, 2026, 9:") and "Case opened, by Officer 1" in told[-1]


def test_timeline_never_names_the_complainant(client, officer, signed_in, clock) -> None:
    clock("2026-11-18T09:00:00-08:00")
    # The tenant's name shares the complainant's surname: the timeline masks it.
    built = build_case(client, officer.headers, "los-gatos-ca")
    signed_in("records")
    html = client.get(f"/cases/{built.case}").get_data(as_text=True)
    timeline = html.split('id="timeline"')[1].split("</section>")[0]
    assert "Party added: Smith &amp; Sons &lt;LLC&gt;, the owner" in timeline
    assert "Party added: [complainant]" in timeline
    assert "O'Brien" not in timeline and "O&#39;Brien" not in timeline
    assert "Nguy" not in timeline
    # A records clerk records nothing: no officer step is offered.
    assert 'id="next-actions"' not in html


def test_a_closed_case_offers_no_step_and_no_close_tab(client, signed_in, clock) -> None:
    clock("2026-11-18T09:00:00-08:00")
    officer = signed_in("officer")
    built = build_case(client, officer.headers, "los-gatos-ca")
    for v in built.violations:
        r = client.post(
            f"/api/cases/{built.case}/violations/{v}/correct",
            headers=officer.headers,
            json={"corrected_at": "2026-11-18T08:00:00-08:00", "method": "Hauled away"},
        )
        assert r.status_code == 200, r.json
    doc = page(client, built.case)
    assert ("Close the case", "#case-actions", "close-form") in buttons(doc)
    r = client.post(
        f"/api/cases/{built.case}/close",
        headers=officer.headers,
        json={"reason": "voluntary_compliance", "resolution": "Cleaned up."},
    )
    assert r.status_code == 200, r.json
    doc = page(client, built.case)
    assert not by_id(doc, "next-actions") and not by_id(doc, "tab-case-actions")
    assert text(by_id(doc, "case-status")[0]) == "Closed"


def test_the_api_case_carries_its_next_steps(client, officer, records, clock) -> None:
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    notice = issue(client, officer.headers, built, "notice_of_violation")
    got = client.get(f"/api/cases/{built.case}", headers=officer.headers).json["next_actions"]
    assert got[0] == {
        "label": f"Record service for Notice of Violation NOV-{notice['id']}",
        "action": "record_service",
        "href": f"/cases/{built.case}#service-form-{notice['id']}",
    }
    assert got[1]["href"] == f"/cases/{built.case}/documents/new"
    # Role-aware: a records clerk reading the same case is offered none.
    assert (
        client.get(f"/api/cases/{built.case}", headers=records.headers).json["next_actions"] == []
    )


def test_timeline_names_an_officer_once_with_their_title(
    client, signed_in, database, clock
) -> None:
    # A tester saw "by Code Compliance Officer Officer Dana Ruiz": the title went before a
    # display name that already starts with the role.
    from docsvc.models import User

    clock("2026-11-18T09:00:00-08:00")
    officer = signed_in("officer")
    with database.session() as s:
        user = s.get(User, officer.id)
        user.display_name, user.title = "Officer Dana Ruiz", "Code Compliance Officer"
        s.commit()
    built = build_case(client, officer.headers, "los-gatos-ca")
    told = [text(li) for li in page(client, built.case).xpath('//*[@id="timeline-list"]/li')]
    assert told[-1].endswith("Case opened, by Officer Dana Ruiz, Code Compliance Officer")
    assert not any("Officer Officer" in t for t in told)
