"""More time on written request from the browser (Los Gatos VII.b.ii): the request recorded
from the notice's place on the case page with its letter (chosen from the case's files or
uploaded with it), granted after a confirmation that says what moves, or refused; refusals
said beside their field; nothing of it where the profile grants no extensions."""

from __future__ import annotations

import html as html_lib
import io
import re

import pytest
from sqlalchemy import select

from docsvc.models import Attachment, Document, Extension, User
from tests import helpers
from tests.helpers import tokens
from tests.test_extensions import compliance_due, served_notice

pytestmark = pytest.mark.rule("LG VII.b.ii")


def request_form(doc_id: int, **over) -> dict:
    return {
        "document_id": str(doc_id),
        "requested_on": "2026-11-25",
        "reason": "The hauler cannot come before December.",
        "requested_until": "2026-12-05",
        **over,
    }


def open_page(client, case: str, doc_id: int | None = None):
    url = f"/cases/{case}/extensions" + (f"?document={doc_id}" if doc_id else "")
    r = client.get(url)
    assert r.status_code == 200, r.get_data(as_text=True)[:2000]
    return r


def beside(html: str, input_id: str) -> str:
    """The message shown beside an input ("" when none)."""
    found = re.search(rf'id="{input_id}-error">.*?</span>(.*?)</span>', html, re.S)
    return html_lib.unescape(found.group(1).strip()) if found else ""


def pending(database) -> Extension:
    with database.session() as s:
        (row,) = s.scalars(select(Extension)).all()
        s.expunge(row)
        return row


def test_request_recorded_and_granted_after_asking(
    client, officer, signed_in, clock, database
) -> None:
    built, doc, letter = served_notice(client, officer.headers, clock)
    before = compliance_due(client, officer.headers, built.case, doc["id"])
    user = signed_in("officer")
    with database.session() as s:
        me = s.get(User, user.id).display_name
    case_page = client.get(f"/cases/{built.case}").get_data(as_text=True)
    link = re.search(rf'<a href="([^"]+)"[^>]*id="doc-{doc["id"]}-extensions"', case_page)
    assert link, "no link to the requests for more time at the notice's place"
    page = client.get(link.group(1).replace("&amp;", "&"))
    html = page.get_data(as_text=True)
    # The notice chosen from the case page is the one preselected, with its date in words.
    assert re.search(rf'<option value="{doc["id"]}" selected>[^<]*November 30, 2026', html)
    assert f'<option value="{letter}">Correspondence {letter}' in html
    r = client.post(
        f"/cases/{built.case}/extensions",
        data={**tokens(page.data), **request_form(doc["id"]), "letter_attachment_id": letter},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    ext = pending(database)
    assert ext.decision == "pending" and ext.letter_attachment_id == letter
    page = open_page(client, built.case)
    html = page.get_data(as_text=True)
    shown = re.sub(r"<[^>]+>", " ", re.split(r"<main\b[^>]*>", html)[1])  # what a person reads
    assert "Waiting for a decision" in shown and "pending" not in shown.lower()
    # Who decides defaults to the one signed in, with the profile's authority.
    assert f'value="{me}, Code Compliance Officer"' in html
    form = {
        **tokens(page.data),
        "decision": "granted",
        "decided_by": f"{me}, Code Compliance Officer",
        "decided_on": "2026-11-26",
        "new_compliance_date": "2026-12-04",
        "decision_note": "Granted to December 4.",
    }
    asked = client.post(f"/extensions/{ext.id}/decision", data=form)
    assert asked.status_code == 200
    question = asked.get_data(as_text=True)
    assert 'id="confirm-question"' in question
    assert f"Grant more time on Notice of Violation NOV-{doc['id']}, to December 4, 2026?" in (
        question
    )
    assert "moves from November 30, 2026 to December 4, 2026" in question
    assert "notice of extension to Smith &amp; Sons &lt;LLC&gt;" in question
    assert pending(database).decision == "pending"  # asked, not done
    assert compliance_due(client, officer.headers, built.case, doc["id"]) == before
    r = client.post(f"/extensions/{ext.id}/decision", data={**form, "confirmed": "yes"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    done = pending(database)
    assert done.decision == "granted" and str(done.new_compliance_date) == "2026-12-04"
    assert done.decided_by == f"{me}, Code Compliance Officer"
    assert compliance_due(client, officer.headers, built.case, doc["id"]).startswith("2026-12-04")
    # The notice of extension is a draft among the case's documents, in words on both pages.
    with database.session() as s:
        notice = s.get(Document, done.notice_document_id)
        assert notice.type == "notice_of_extension" and notice.status == "draft"
    html = client.get(f"/cases/{built.case}").get_data(as_text=True)
    item = re.search(rf'<li id="doc-{notice.id}">(.*?)</li>', html, re.S)
    assert item and "Notice of Extension" in item.group(1) and "Draft" in item.group(1)
    assert "Request for more time recorded" in html and "More time granted" in html
    assert "extension.granted" not in html
    html = open_page(client, built.case).get_data(as_text=True)
    assert f"#doc-{notice.id}" in html and "Granted by" in html and "2026-12-04" in html
    assert 'class="decision-form"' not in html  # decided once


def test_letter_uploaded_with_the_request_and_refusals_beside_their_fields(
    client, officer, signed_in, clock, database
) -> None:
    built, doc, _letter = served_notice(client, officer.headers, clock)
    signed_in("officer")
    page = open_page(client, built.case)
    # Neither a letter chosen nor uploaded: said beside the letter's field, what was typed kept.
    r = client.post(
        f"/cases/{built.case}/extensions", data={**tokens(page.data), **request_form(doc["id"])}
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    error = beside(html, "extension-request-letter_attachment_id")
    assert "choose the letter from the case's files, or upload it" in error
    assert "The hauler cannot come before December." in html
    # Beyond the ten days the rule allows: beside the date asked for, in words.
    r = client.post(
        f"/cases/{built.case}/extensions",
        data={
            **tokens(r.data),
            **request_form(doc["id"], requested_until="2026-12-20"),
            "letter_file": (io.BytesIO(helpers.pdf("Until Dec 20 please")), "letter.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    error = beside(html, "extension-request-requested_until")
    assert "more than 10 days after the request" in error
    assert "requested_until" not in error
    with database.session() as s:  # the refused request kept no letter
        assert s.scalar(select(Extension.id)) is None
        kinds = [a.kind for a in s.scalars(select(Attachment))]
        assert kinds.count("correspondence") == 1  # the one served_notice uploaded
    r = client.post(
        f"/cases/{built.case}/extensions",
        data={
            **tokens(r.data),
            **request_form(doc["id"]),
            "letter_file": (io.BytesIO(helpers.pdf("Until Dec 5 please")), "letter.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    ext = pending(database)
    with database.session() as s:
        letter = s.get(Attachment, ext.letter_attachment_id)
        assert letter.kind == "correspondence" and letter.caption == "Written request for more time"


def test_refused_without_asking_and_a_bad_date_beside_its_field(
    client, officer, signed_in, clock, database
) -> None:
    built, doc, letter = served_notice(client, officer.headers, clock)
    before = compliance_due(client, officer.headers, built.case, doc["id"])
    signed_in("officer")
    page = open_page(client, built.case)
    r = client.post(
        f"/cases/{built.case}/extensions",
        data={**tokens(page.data), **request_form(doc["id"]), "letter_attachment_id": letter},
    )
    assert r.status_code == 302
    ext = pending(database)
    page = open_page(client, built.case)
    # A grant past the rule's ten days: refused beside the new date, nothing asked.
    r = client.post(
        f"/extensions/{ext.id}/decision",
        data={**tokens(page.data), "decision": "granted", "new_compliance_date": "2026-12-31"},
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    error = beside(html, f"decide-{ext.id}-new_compliance_date")
    assert "more than 10 days after the request" in error
    assert 'id="confirm-question"' not in html and pending(database).decision == "pending"
    r = client.post(
        f"/extensions/{ext.id}/decision",
        data={**tokens(r.data), "decision": "refused", "decision_note": "Not minor enough."},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    row = pending(database)
    assert row.decision == "refused" and row.notice_document_id is None
    assert compliance_due(client, officer.headers, built.case, doc["id"]) == before
    html = open_page(client, built.case).get_data(as_text=True)
    assert "Refused by" in html and "Not minor enough." in html


def test_nothing_of_it_where_the_profile_grants_no_extensions(
    client, officer, signed_in, clock
) -> None:
    from tests.documents_helpers import build_case, issue

    clock("2026-11-18T10:00:00-06:00")
    built = build_case(client, officer.headers, "tom-bean-tx")
    doc = issue(
        client, officer.headers, built, "notice_of_violation",
        served={"method": "personal", "served_at": "2026-11-18T10:00:00-06:00"},
    )  # fmt: skip
    signed_in("officer")
    case_page = client.get(f"/cases/{built.case}")
    html = case_page.get_data(as_text=True)
    assert f'id="doc-{doc["id"]}"' in html and "Requests for more time" not in html
    page = open_page(client, built.case)
    html = page.get_data(as_text=True)
    assert "grants no extensions on written request" in html
    assert 'id="extension-request-form"' not in html
    letter = helpers.upload(
        client, officer.headers, built.case, helpers.pdf("More time please"), "l.pdf",
        kind="correspondence",
    ).json["id"]  # fmt: skip
    r = client.post(
        f"/cases/{built.case}/extensions",
        data={**tokens(case_page.data), **request_form(doc["id"]), "letter_attachment_id": letter},
    )
    assert r.status_code == 409  # the service's own refusal, said on the page
    assert "grants no extensions on written request" in r.get_data(as_text=True)
