"""A request's page as a clerk uses it: a choice's radio beside its words, the release offered
only when it can go and shown while it runs, the leak scanner's findings in words with a link to
the record's card and a confirmation before one is dismissed, and a form's address opened as a
page answered in words with the way back."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from docsvc.models import ScanFinding
from docsvc.timeutil import utcnow
from tests import helpers
from tests.conftest import complaint_case
from tests.helpers import pdf_with, text_ops, tokens

STATUS = re.compile(rb'id="request-status">([^<]*)<')


def _request(client, officer, clerk, work, jurisdiction: str, *texts: str) -> tuple[int, str]:
    case = client.post(
        "/api/cases", headers=officer.headers, json=complaint_case(jurisdiction=jurisdiction)
    ).json["case_number"]
    for n, text in enumerate(texts):
        r = helpers.upload(
            client, officer.headers, case, pdf_with(text_ops(text)), f"r{n}.pdf", "correspondence"
        )
        assert r.status_code == 201, r.json
    offset = "-06:00" if jurisdiction == "tom-bean-tx" else "-08:00"
    body = {
        "jurisdiction": jurisdiction,
        "requester": {"name": "Pat Reporter"},
        "received_at": f"2026-11-20T10:00:00{offset}",
        "description": "All records about the yard",
        "case_numbers": [case],
    }
    r = client.post("/api/disclosures", headers=clerk.headers, json=body)
    assert r.status_code == 201, r.json
    work()
    return r.json["id"], case


def _rules(css: str, selector: str) -> dict[str, str]:
    """The declarations of every rule naming `selector` in its list, later ones winning."""
    out: dict[str, str] = {}
    for selectors, body in re.findall(
        r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    ):
        if selector in [s.strip() for s in selectors.split(",")]:
            for decl in body.split(";"):
                if ":" in decl:
                    k, v = decl.split(":", 1)
                    out[k.strip()] = v.strip()
    return out


def test_a_radio_in_a_forms_field_sits_inline_at_its_own_size_and_text_inputs_stay_full_width(
    client,
) -> None:
    r = client.get("/static/style.css")
    css = r.get_data(as_text=True)
    r.close()  # a static file is sent from an open file
    # The generic rule makes every input but a checkbox a full-width block 2.75rem tall: a
    # radio, too, unless the field's own rule sets it back.
    generic = _rules(css, "input:not([type=checkbox])")
    assert generic["width"] == "100%" and generic["display"] == "block"
    for kind in ("radio", "checkbox"):
        own = _rules(css, f"label.check > input[type={kind}]")
        assert own.get("display") == "inline-block", kind
        assert own.get("min-height") == "0", kind
        assert own.get("width", "100%") != "100%", kind
    # The label is the touch target.
    assert _rules(css, "label.check").get("min-height") == "2.75rem"


@pytest.mark.slow
def test_texas_release_is_offered_only_once_the_ruling_is_recorded_and_shown_while_it_runs(
    client, signed_in, officer, work, clock
) -> None:
    clock("2026-11-23T09:00:00-06:00")
    clerk = signed_in("records")
    rid, _ = _request(
        client, officer, clerk, work, "tom-bean-tx", "Complaint from Maria O'Brien-Nguyen."
    )
    page = client.get(f"/disclosures/{rid}").data
    # Not offered before the Attorney General was asked: the reason instead, in words.
    assert b'id="release-form"' not in page
    waits = re.search(rb'id="release-waits".*?</section>', page, re.S)
    assert waits and b"Record the date the decision was requested" in waits.group(0)
    assert b"ruling_requested_at" not in page
    r = client.post(
        f"/disclosures/{rid}/ruling-requested", data={**tokens(page), "requested_on": "2026-11-23"}
    )
    assert r.status_code == 302, r.data[:300]
    page = client.get(f"/disclosures/{rid}").data
    assert b'id="release-form"' not in page
    assert "waits for the Attorney General's ruling" in html.unescape(page.decode())
    clock("2027-01-20T09:00:00-06:00")
    r = client.post(
        f"/disclosures/{rid}/ruling",
        data={
            **tokens(page),
            "issued_on": "2027-01-18",
            "reference": "OR2027-00042",
            "outcome": "withhold",
        },
    )
    assert r.status_code == 302, r.data[:300]
    page = client.get(f"/disclosures/{rid}").data
    assert b'id="release-form"' in page and b'id="release-waits"' not in page
    assert b"Correct the ruling" in page

    # Released: while the job runs the page says so, with its progress, and offers no change.
    r = client.post(
        f"/disclosures/{rid}/release", data={**tokens(page), "accept": "on", "confirmed": "yes"}
    )
    assert r.status_code == 302, r.data[:300]
    running = client.get(f"/disclosures/{rid}").data
    assert STATUS.search(running).group(1).decode() == "Releasing…"
    assert b'id="job-progress"' in running
    for form in (b'id="ruling-form"', b"Correct the ruling", b'id="review-form"'):
        assert form not in running, form
    # A correction sent from a page shown before the release started is refused, not made.
    r = client.post(
        f"/disclosures/{rid}/ruling",
        data={
            **tokens(page),
            "issued_on": "2027-01-19",
            "reference": "OR2027-00043",
            "outcome": "withhold",
        },
    )
    assert r.status_code == 409 and b"already under way" in r.data
    work()
    done = client.get(f"/disclosures/{rid}").data
    assert STATUS.search(done).group(1) == b"Released"
    assert b"OR2027-00042" in done and b"OR2027-00043" not in done


@pytest.mark.slow
def test_findings_name_the_record_as_its_card_does_and_say_where_in_words(
    client, signed_in, officer, work, database
) -> None:
    clerk = signed_in("records")
    rid, case = _request(
        client, officer, clerk, work, "los-gatos-ca", "Site visit memo.", "Second memo."
    )
    with database.session() as s:
        for file, where, kind in (
            (f"{case}-002.pdf", "page 1 OCR (mode 11)", "name"),
            (f"{case}-001.pdf", "page 2 text (pdfium)", "phone"),
            (f"{case}-001.pdf", "strings and streams (pypdf)", "email"),
            ("exemption-log.json", "text", "address"),
        ):
            s.add(
                ScanFinding(
                    request_id=rid, key=f"{file}|{where}|{kind}", file=file, location=where,
                    kind=kind, found_at=utcnow(),
                )
            )  # fmt: skip
        s.commit()
    page = client.get(f"/disclosures/{rid}").data.decode()
    section = re.search(r'<section class="card errors" id="findings">.*?</section>', page, re.S)
    assert section
    said = section.group(0)
    for code in ("OCR", "mode 11", ".pdf", ".json", "pypdf", "pdfium"):
        assert code not in re.sub(r"<[^>]+>", " ", said), code
    # The review cards in their order: the package's first record, then its second.
    first, second = (
        (m.group(1), m.group(2).strip())
        for m in re.finditer(r'id="record-(\d+)">\s*<h2>([^<]+)</h2>', page)
    )
    said = html.unescape(said)
    # The record is named as its review card is, and links to that card.
    assert (
        "The complainant's name, in the scanned image of page 1 of "
        f'<a href="#record-{second[0]}">{html.unescape(second[1])}</a>'
    ) in said
    assert (
        "The complainant's phone number, in the text of page 2 of "
        f'<a href="#record-{first[0]}">{html.unescape(first[1])}</a>'
    ) in said
    assert "e-mail address, in data stored inside the file (not shown on a page)" in said
    assert "address, in the text of the exemption log (its data file)" in said


@pytest.mark.slow
def test_dismissing_a_finding_asks_first_saying_what_goes_out_and_none_show_once_released(
    client, signed_in, officer, work, database
) -> None:
    clerk = signed_in("records")
    rid, _ = _request(
        client,
        officer,
        clerk,
        work,
        "los-gatos-ca",
        "Called back Maria O'Brien-Nguyen about the yard.",
    )
    h = clerk.headers
    boxes = client.get(f"/api/disclosures/{rid}/proposed-redactions", headers=h).json
    assert boxes
    # The clerk drops the boxes: the scanner stops the release and its findings are listed.
    assert client.put(f"/api/disclosures/{rid}/redactions", headers=h, json=[]).status_code == 200
    r = client.post(f"/api/disclosures/{rid}/release", headers=h, json={})
    assert r.status_code == 409 and r.json["code"] == "release_blocked"
    finding = next(
        f
        for f in r.json["details"]["findings"]
        if f["kind"] == "name" and f["where"].startswith("page 1 ")
    )
    page = client.get(f"/disclosures/{rid}").data
    assert f'id="finding-{finding["id"]}"'.encode() in page
    card = re.search(rb'id="record-(\d+)">\s*<h2>([^<]+)</h2>', page)
    assert card
    title = card.group(2).decode().strip()

    # Dismissing asks first, naming what would go out; nothing is dismissed until confirmed.
    url = f"/disclosures/{rid}/findings/{finding['id']}/dismiss"
    reason = "Not identifying here."
    r = client.post(url, data={**tokens(page), "reason": reason})
    assert r.status_code == 200 and b'id="confirm-question"' in r.data
    question = re.search(rb'id="confirm-question">([^<]+)<', r.data).group(1).decode()
    question = html.unescape(question)
    assert "let the complainant's name in the " in question
    assert f" of page 1 of {html.unescape(title)} go out" in question
    assert "OCR" not in question and ".pdf" not in question
    with database.session() as s:
        assert s.get(ScanFinding, finding["id"]).dismissed_at is None
    r = client.post(url, data={**tokens(r.data), "reason": reason, "confirmed": "yes"})
    assert r.status_code == 302, r.data[:300]
    with database.session() as s:
        assert s.get(ScanFinding, finding["id"]).dismissed_reason == reason

    # The boxes put back, the release goes; the findings of the stopped attempt (open ones
    # included) and their Dismiss forms are gone from the page.
    for b in boxes:
        b.pop("id"), b.pop("status"), b.pop("exemption")
    assert (
        client.put(f"/api/disclosures/{rid}/redactions", headers=h, json=boxes).status_code == 200
    )
    with database.session() as s:
        still = s.scalars(
            select(ScanFinding).where(
                ScanFinding.request_id == rid, ScanFinding.dismissed_at.is_(None)
            )
        ).all()
    assert still  # what this test is about: open findings remain from the stopped attempt
    r = client.post(f"/api/disclosures/{rid}/release", headers=h, json={})
    assert r.status_code == 201, r.json
    page = client.get(f"/disclosures/{rid}").data
    assert b'id="release"' in page
    assert b'id="findings"' not in page and b"/dismiss" not in page


@pytest.mark.slow
def test_a_form_address_opened_as_a_page_says_so_with_the_way_back(
    client, signed_in, officer, work
) -> None:
    clerk = signed_in("records")
    rid, _ = _request(client, officer, clerk, work, "los-gatos-ca", "Site visit memo.")
    for address in (f"/disclosures/{rid}/release", f"/disclosures/{rid}/findings/7/dismiss"):
        r = client.get(address)
        assert r.status_code == 405, address
        assert "POST" in r.headers["Allow"]
        body = r.get_data(as_text=True)
        assert "This address only takes a form" in body
        assert "method is not allowed" not in body.lower()
        assert f'href="/disclosures/{rid}" id="back-to-page"' in body
    # A case's form: back to the case's page.
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json
    r = client.get(f"/cases/{case['case_number']}/settlements")
    assert r.status_code == 405
    assert f'href="/cases/{case["case_number"]}" id="back-to-page"' in r.get_data(as_text=True)
    # The API answers in its own shape.
    r = client.get(f"/api/disclosures/{rid}/release", headers=clerk.headers)
    assert r.status_code == 405 and r.is_json and r.json["code"] == "validation_error"
