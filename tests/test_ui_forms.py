"""The pages' forms tell the truth: a refused form comes back on its own page (4xx) with each
message beside its field in words and everything typed kept; required fields are marked; a
step that cannot be undone is asked about first and done only with confirmed=yes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import lxml.html
import pytest
from sqlalchemy import select

from docsvc.jobs import queue
from docsvc.models import Document, Jurisdiction
from docsvc.retention.jobs import APPROVE_JOB, EXECUTE_JOB
from tests.documents_helpers import article_number, build_case, document_body, issue
from tests.helpers import tokens

BAD_ARTICLE = "9407 1112 0620 8180 7023 80"  # 22 digits, wrong check digit


def tree(r):
    return lxml.html.fromstring(r.get_data(as_text=True))


def refused_field(page, field_id: str) -> str:
    """The message beside an input, checked to be wired to it as an error."""
    (control,) = page.xpath(f'//*[@id="{field_id}"]')
    assert control.get("aria-invalid") == "true"
    described = control.get("aria-describedby", "").split()
    assert f"{field_id}-error" in described
    (message,) = page.xpath(f'//*[@id="{field_id}-error"]')
    assert "field-error" in message.get("class")
    # Beside its field: in the same label as the input.
    assert message.getparent() is control.getparent()
    return message.text_content().strip()


def summary(page) -> list[str]:
    (box,) = page.xpath('//*[@id="error-summary"]')
    assert box.get("role") == "alert" and "errors" in box.get("class")
    return [" ".join(li.text_content().split()) for li in box.xpath(".//li")]


def issued_notice(client, officer, clock):
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    clock("2026-11-18T10:00:00-08:00")
    return built, doc


def test_a_bad_article_number_comes_back_beside_its_field_with_the_values_kept(
    client, signed_in, officer, clock
) -> None:
    built, doc = issued_notice(client, officer, clock)
    signed_in()
    token = tokens(client.get(f"/cases/{built.case}").data)
    form = {
        **token,
        "method": "certified_mail",
        "mailed_at": "2026-11-18T09:30",
        "article_number": BAD_ARTICLE,
    }
    r = client.post(f"/documents/{doc['id']}/service", data=form)
    assert r.status_code == 422
    page = tree(r)
    key = f"service-{doc['id']}"
    said = refused_field(page, f"{key}-article_number")
    assert "certified mail needs its USPS article number" in said
    assert "article_number" not in said
    assert summary(page) == [f"USPS article number: {said.lstrip('⚠ ').strip()}"]
    assert page.xpath('//*[@id="error-summary"]//a/@href') == [f"#{key}-article_number"]
    # Not in a green banner that reads like success, and nothing was recorded.
    assert not page.xpath('//*[contains(@class, "flash")]')
    assert "Service recorded" not in r.get_data(as_text=True)
    # The form is open, with what was typed.
    (form_el,) = page.xpath(f'//form[@action="/documents/{doc["id"]}/service"]')
    assert form_el.getparent().tag == "details" and form_el.getparent().get("open") is not None
    assert form_el.xpath('.//input[@name="article_number"]/@value') == [BAD_ARTICLE]
    assert form_el.xpath('.//input[@name="mailed_at"]/@value') == ["2026-11-18T09:30"]
    assert form_el.xpath('.//select[@name="method"]/option[@selected]/@value') == ["certified_mail"]
    assert client.get(f"/api/documents/{doc['id']}", headers=officer.headers).json["services"] == []

    # Mailed before the notice was issued: said beside the date, in words.
    r = client.post(
        f"/documents/{doc['id']}/service",
        data=form | {"mailed_at": "2026-11-17T08:00", "article_number": article_number()},
    )
    assert r.status_code == 422
    page = tree(r)
    said = refused_field(page, f"{key}-mailed_at")
    assert "this date is before the document was issued" in said and "mailed_at" not in said
    assert summary(page)[0].startswith("Mailed on: ")
    assert page.xpath(f'//*[@id="{key}-article_number"]/@value') == [article_number()]

    # Fixed: recorded, and the message that says so is a status, not an alert.
    r = client.post(
        f"/documents/{doc['id']}/service",
        data=form | {"article_number": article_number()},
        follow_redirects=True,
    )
    assert r.status_code == 200
    (done,) = tree(r).xpath('//*[contains(@class, "flash")]')
    assert done.get("role") == "status" and "Service recorded." in done.text_content()
    assert not tree(r).xpath('//*[@id="error-summary"]')


def test_other_case_page_forms_say_what_to_fix_beside_the_field(
    client, signed_in, officer, clock
) -> None:
    built, doc = issued_notice(client, officer, clock)
    signed_in()
    token = tokens(client.get(f"/cases/{built.case}").data)
    r = client.post(
        f"/cases/{built.case}/violations",
        data={
            **token,
            "violation_type": "junk-debris",
            "description": "Couch on the lawn",
            "observed_at": "",
        },
    )
    assert r.status_code == 422
    page = tree(r)
    assert refused_field(page, "violation-observed_at").endswith("enter a date and time")
    assert page.xpath('//*[@id="violation-description"]/text()') == ["Couch on the lawn"]
    r = client.post(
        f"/cases/{built.case}/parties",
        data={**token, "role": "owner", "name": "Dana Smith", "email": "not mail"},
    )
    assert r.status_code == 422
    page = tree(r)
    assert refused_field(page, "party-email").endswith(
        "enter an email address, like name@example.org"
    )
    assert refused_field(page, "party-mailing_address").endswith("fill this in")
    assert page.xpath('//*[@id="party-name"]/@value') == ["Dana Smith"]
    # A receipt delivered before it was mailed (the file is chosen again, the rest kept).
    import io

    from tests.helpers import pdf

    client.post(
        f"/documents/{doc['id']}/service",
        data={
            **token,
            "method": "certified_mail",
            "when": "2026-11-18T09:30",
            "article_number": article_number(),
        },
    )
    r = client.post(
        f"/documents/{doc['id']}/return-receipt",
        content_type="multipart/form-data",
        data={
            **token,
            "status": "delivered",
            "delivered_at": "2026-11-18T08:00",
            "signed_by": "R. Smith",
            "file": (io.BytesIO(pdf("PS Form 3811")), "3811.pdf"),
        },
    )
    assert r.status_code == 422
    page = tree(r)
    said = refused_field(page, f"receipt-{doc['id']}-delivered_at")
    assert "this date is before the mailing date" in said
    assert page.xpath(f'//*[@id="receipt-{doc["id"]}-signed_by"]/@value') == ["R. Smith"]


def test_ledger_form_names_the_field_in_words(client, signed_in, officer) -> None:
    from tests.conftest import complaint_case

    signed_in()
    case = client.post("/api/cases", json=complaint_case(), headers=officer.headers).json[
        "case_number"
    ]
    token = tokens(client.get(f"/cases/{case}/ledger").data)
    r = client.post(
        f"/cases/{case}/ledger",
        data={**token, "kind": "payment", "amount": "ten", "assessed_on": "soon"},
    )
    assert r.status_code == 422
    page = tree(r)
    assert refused_field(page, "entry-amount").endswith("enter an amount in dollars, like 125.50")
    assert refused_field(page, "entry-assessed_on").endswith("enter a date (year, month and day)")
    assert page.xpath('//*[@id="entry-amount"]/@value') == ["ten"]
    assert "Amount: enter an amount in dollars, like 125.50" in summary(page)


def test_new_case_form_marks_required_fields_defaults_received_to_now_and_says_what_to_fix(
    client, signed_in, database, clock, count_rows
) -> None:
    clock("2026-11-22T17:45:00+00:00")
    signed_in()
    r = client.get("/cases/new")
    page = tree(r)
    (chosen,) = page.xpath('//select[@name="jurisdiction"]/option[@selected]/@value')
    with database.session() as s:
        zone = ZoneInfo(s.get(Jurisdiction, chosen).timezone)
    now = datetime.fromisoformat("2026-11-22T17:45:00+00:00").astimezone(zone)
    assert page.xpath('//input[@name="received_at"]/@value') == [now.strftime("%Y-%m-%dT%H:%M")]
    # Each jurisdiction carries its own now, for the page's script when another is chosen.
    options = page.xpath('//select[@name="jurisdiction"]/option')
    assert options and all(o.get("data-now") for o in options)
    for name in ("address", "jurisdiction"):
        (control,) = page.xpath(f'//*[@name="{name}"]')
        assert control.get("required") is not None, name
        assert control.getparent().xpath('.//*[@class="req"]'), name  # the visible marker
    # Required of a complaint only: said in words, never a `required` that traps a patrol case.
    for name in ("received_at", "description"):
        (control,) = page.xpath(f'//*[@name="{name}"]')
        assert control.get("required") is None, name
        assert "Required when the case is from a complaint." in control.getparent().text_content()
    for name in ("parcel", "c_name", "origin_note"):
        (control,) = page.xpath(f'//*[@name="{name}"]')
        assert control.get("required") is None and not control.getparent().xpath(
            './/*[@class="req"]'
        ), name

    r = client.post(
        "/cases/new",
        data={
            **tokens(r.data),
            "jurisdiction": "tom-bean-tx",
            "origin": "complaint",
            "address": "1418 Elm Street",
            "received_at": "2026-11-31T09:30",
            "channel": "phone",
            "description": "Tall grass",
            "c_name": "Maria",
            "disclosure_preference": "nondisclosure",
        },
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "complaint.received_at" not in html and "Not a valid datetime" not in html
    page = tree(r)
    assert summary(page) == ["Received: enter a date and time"]
    assert refused_field(page, "intake-received_at").endswith("enter a date and time")
    assert page.xpath('//*[@id="intake-received_at"]/@value') == ["2026-11-31T09:30"]
    assert page.xpath('//*[@id="intake-address"]/@value') == ["1418 Elm Street"]
    assert page.xpath('//*[@id="intake-c_name"]/@value') == ["Maria"]
    assert page.xpath('//*[@id="intake-jurisdiction"]/option[@selected]/@value') == ["tom-bean-tx"]
    assert page.xpath('//*[@id="intake-channel"]/option[@selected]/@value') == ["phone"]
    assert count_rows("cases") == 0


def _confirmation(r, question: str, yes: str) -> lxml.html.HtmlElement:
    assert r.status_code == 200, r.get_data(as_text=True)[:2000]
    page = tree(r)
    assert page.xpath('string(//*[@id="confirm-question"])') == question
    assert page.xpath('string(//*[@id="confirm-yes"])') == yes
    assert page.xpath('//*[@id="confirm-form"]//input[@name="confirmed"]/@value') == ["yes"]
    assert page.xpath('//*[@id="confirm-form"]//input[@name="csrf_token"]/@value')
    # Cancel: a link back, or (a form with typed input) a button sending the form back.
    assert page.xpath('//*[@id="confirm-cancel"]/@href') or page.xpath(
        '//button[@id="confirm-cancel"][@form="confirm-cancel-form"]'
    )
    return page


def _carried(page) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for i in page.xpath('//*[@id="confirm-form"]//input[@type="hidden"]'):
        out.setdefault(i.get("name"), []).append(i.get("value"))
    return out


def _cancel(client, page):
    """Press 'Cancel' where it sends the form back (no JavaScript): its own hidden form."""
    assert page.xpath('//button[@id="confirm-cancel"]/@form') == ["confirm-cancel-form"]
    (form,) = page.xpath('//form[@id="confirm-cancel-form"]')
    assert form.get("method") == "post"
    data: dict[str, list[str]] = {}
    for i in form.xpath('.//input[@type="hidden"]'):
        data.setdefault(i.get("name"), []).append(i.get("value"))
    assert data["confirmed"] == ["no"] and data["csrf_token"]
    return client.post(
        form.get("action"), data={k: v if len(v) > 1 else v[0] for k, v in data.items()}
    )


def _again(client, r, page):
    """Press 'Yes' on the confirmation page: the form it carries, as the browser sends it."""
    (form,) = page.xpath('//*[@id="confirm-form"]')
    data = {k: v if len(v) > 1 else v[0] for k, v in _carried(page).items()}
    return client.post(form.get("action"), data=data)


def test_issuing_a_draft_asks_first(client, signed_in, officer, clock, database) -> None:
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    draft = issue(client, officer.headers, built, "notice_of_violation", draft=True)
    signed_in()
    token = tokens(client.get(f"/cases/{built.case}").data)
    r = client.post(f"/documents/{draft['id']}/issue", data={**token})
    page = _confirmation(
        r,
        f"Issue Notice of Violation NOV-{draft['id']} to Smith & Sons <LLC>?",
        "Yes, issue it",
    )
    assert "frozen as PDF/A" in page.xpath('string(//*[@id="confirm-consequence"])')
    assert page.xpath('//*[@id="confirm-cancel"]/@href') == [
        f"/cases/{built.case}#doc-{draft['id']}"
    ]
    with database.session() as s:
        assert s.get(Document, draft["id"]).status == "draft"
    r = _again(client, r, page)
    assert r.status_code == 302
    with database.session() as s:
        assert s.get(Document, draft["id"]).status == "issued"


def test_issuing_from_the_new_document_form_asks_first(
    client, signed_in, officer, clock, database
) -> None:
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    signed_in()
    page = client.get(f"/cases/{built.case}/documents/new?type=notice_of_violation")
    body = document_body("notice_of_violation", built)
    form = {
        **tokens(page.data),
        "type": "notice_of_violation",
        "recipient": [str(built.owner), str(built.tenant)],
        "violation_ids": [str(v) for v in body["violation_ids"]],
        "photo_ids": [str(built.photo)],
        "f_corrective_action": "Remove the couch & mow.",
        "action": "issue",
    }
    r = client.post(f"/cases/{built.case}/documents", data=form)
    page = _confirmation(
        r,
        "Issue Notice of Violation to Smith & Sons <LLC> and O'Brien-Nguyễn, Trần?",
        "Yes, issue them",
    )
    carried = _carried(page)
    assert carried["recipient"] == [str(built.owner), str(built.tenant)]
    assert carried["f_corrective_action"] == ["Remove the couch & mow."]
    with database.session() as s:
        assert s.scalars(select(Document)).all() == []
    # Cancel goes back to the form with everything typed, not an empty one.
    back = _cancel(client, page)
    assert back.status_code == 200
    shown = tree(back)
    assert not shown.xpath('//*[@id="error-summary"]') and not shown.xpath(
        '//*[@id="confirm-form"]'
    )
    (doc_form,) = shown.xpath('//form[@id="document-form"]')
    assert sorted(doc_form.xpath('.//input[@name="recipient"][@checked]/@value')) == sorted(
        [str(built.owner), str(built.tenant)]
    )  # the tenant too, which a fresh form leaves unticked
    assert doc_form.xpath('.//input[@name="photo_ids"][@checked]/@value') == [str(built.photo)]
    assert doc_form.xpath('.//textarea[@name="f_corrective_action"]/text()') == [
        "Remove the couch & mow."
    ]
    with database.session() as s:
        assert s.scalars(select(Document)).all() == []
    r = _again(client, r, page)
    assert r.status_code == 302
    with database.session() as s:
        assert sorted(d.status for d in s.scalars(select(Document))) == ["issued", "issued"]
    # A draft is not asked about: it can still be edited (a fresh form: that one was used).
    fresh = tokens(client.get(f"/cases/{built.case}/documents/new?type=notice_of_violation").data)
    r = client.post(f"/cases/{built.case}/documents", data=form | fresh | {"action": "draft"})
    assert r.status_code == 302


def test_closing_and_refusing_a_case_ask_first(client, signed_in, officer, open_case) -> None:
    signed_in()
    for route, form, question, yes, status in (
        (
            "close",
            {"reason": "voluntary_compliance", "resolution": "Couch removed."},
            "Close case {n} at 1418 Elm Street as voluntary compliance?",
            "Yes, close the case",
            "closed",
        ),
        (
            "refuse",
            {"reason": "frivolous", "note": "Third report of the same hedge."},
            "Refuse case {n} at 1418 Elm Street as frivolous?",
            "Yes, refuse the case",
            "refused",
        ),
    ):
        number = open_case()["case_number"]
        token = tokens(client.get(f"/cases/{number}").data)
        r = client.post(f"/cases/{number}/{route}", data={**token, **form})
        page = _confirmation(r, question.format(n=number), yes)
        carried = {
            k: v[0] for k, v in _carried(page).items() if k not in ("confirmed", "csrf_token")
        }
        assert carried == form | {"submission": token["submission"]}  # the form's own token
        api = client.get(f"/api/cases/{number}", headers=officer.headers).json
        assert api["status"] == "open"
        # Cancel: the case page again with what was typed in the form.
        back = _cancel(client, page)
        assert back.status_code == 200
        shown = tree(back)
        for name, value in form.items():
            (control,) = shown.xpath(f'//*[@id="{route}-{name}"]')
            got = control.xpath("./option[@selected]/@value") or [control.get("value")]
            assert got == [value], (route, name)
        assert client.get(f"/api/cases/{number}", headers=officer.headers).json["status"] == "open"
        r = _again(client, r, page)
        assert r.status_code == 302
        assert client.get(f"/api/cases/{number}", headers=officer.headers).json["status"] == status
    # What the form lacks is said at once, not asked about.
    number = open_case()["case_number"]
    token = tokens(client.get(f"/cases/{number}").data)
    r = client.post(f"/cases/{number}/close", data={**token, "reason": "voluntary_compliance"})
    assert r.status_code == 422 and not tree(r).xpath('//*[@id="confirm-form"]')
    assert refused_field(tree(r), "close-resolution").endswith("fill this in")


def test_retention_steps_ask_first(
    client, signed_in, officer, make_user, clock, database, settings
) -> None:
    from docsvc.models import DispositionItem
    from tests.retention_helpers import adopt, closed_case

    adopt(settings.data_dir)
    doomed = closed_case(client, officer, clock, "2021-03-10T10:00:00-08:00")
    clock("2026-11-22T09:00:00-08:00")
    clerk = signed_in("records")
    token = tokens(client.get("/retention").data)
    assert client.post("/retention/propose", data={**token}).status_code == 302
    with database.session() as s:
        (item,) = s.scalars(select(DispositionItem)).all()
        item_id = item.id

    def approvals() -> int:
        with database.session() as s:
            return len(s.get(DispositionItem, item_id).approvals or [])

    r = client.post("/retention/approve", data={**token, "item": str(item_id)})
    page = _confirmation(
        r, f"Approve the destruction of 1 case file as records: {doomed}?", "Yes, approve"
    )
    assert approvals() == 0
    back = _cancel(client, page)  # the ticked file stays ticked
    assert back.status_code == 200 and approvals() == 0
    assert tree(back).xpath('//input[@name="item"][@checked]/@value') == [str(item_id)]
    assert _again(client, r, page).status_code == 302
    assert approvals() == 1

    r = client.post("/retention/approve-all", data={**token})
    page = _confirmation(
        r,
        "Approve the destruction of all 0 case files that wait for records?",
        "Yes, approve them all",
    )
    with database.session() as s:
        assert queue.latest(s, APPROVE_JOB, clerk.id) is None
    r = client.post("/retention/execute", data={**token})
    page = _confirmation(
        r, "Destroy the 0 case files approved for destruction?", "Yes, destroy them"
    )
    assert "cannot be undone" in page.xpath('string(//*[@id="confirm-consequence"])')
    with database.session() as s:
        assert queue.latest(s, EXECUTE_JOB, 0) is None
    assert _again(client, r, page).status_code == 302
    with database.session() as s:
        assert queue.latest(s, EXECUTE_JOB, 0) is not None


def test_the_bundle_form_says_what_to_fix_beside_the_field(client, signed_in, open_case) -> None:
    number = open_case()["case_number"]
    signed_in("attorney")
    page = client.get(f"/cases/{number}")
    assert b'pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]*"' in page.data
    r = client.post(
        f"/cases/{number}/bundles",
        data={**tokens(page.data), "bates_prefix": "LGCE", "max_volume_mb": "5000"},
    )
    assert r.status_code == 422
    page = tree(r)
    said = refused_field(page, "bundle-max_volume_mb")
    assert said.endswith("between 1 and 2000.") and "max_volume_mb" not in said
    assert page.xpath('//*[@id="bundle-bates_prefix"]/@value') == ["LGCE"]
    assert page.xpath('//*[@id="bundle-max_volume_mb"]/@value') == ["5000"]


def test_a_case_not_from_a_complaint_opens_without_javascript(
    client, signed_in, count_rows
) -> None:
    """The browser sends the whole form as the page shows it (no script hides the complaint):
    nothing in it may block a patrol case, and the server asks for a complaint's parts only
    when the case is from a complaint."""
    signed_in()
    page = tree(client.get("/cases/new"))
    (form,) = page.xpath('//form[@id="intake-form"]')
    blocking = [
        el.get("name")
        for el in form.xpath(".//*[@required]")
        if not (el.get("value") or el.xpath("./option[@selected]") or el.text)
    ]
    assert blocking == ["address"], blocking  # only what every case needs is left to type
    sent = {i.get("name"): i.get("value") or "" for i in form.xpath(".//input[@name]")}
    sent = {k: v for k, v in sent.items() if k not in ("anonymous",)}
    for sel in form.xpath(".//select"):
        sent[sel.get("name")] = sel.xpath("./option[@selected]/@value")[0]
    sent |= {"origin": "patrol", "origin_note": "Route 4", "address": "1418 Elm Street"}
    r = client.post("/cases/new", data=sent)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    assert count_rows("cases") == 1
    # From a complaint, what it lacks is said beside its field, the rest kept.
    fresh = tokens(client.get("/cases/new").data)  # the first form's token is used
    r = client.post("/cases/new", data=sent | fresh | {"origin": "complaint"})
    assert r.status_code == 422
    page = tree(r)
    assert refused_field(page, "intake-description").endswith("fill this in")
    assert page.xpath('//*[@id="intake-origin_note"]/@value') == ["Route 4"]
    assert count_rows("cases") == 1


def test_a_records_request_form_says_what_to_fix_beside_each_field(
    client, signed_in, open_case, count_rows
) -> None:
    open_case()
    signed_in("records")
    page = client.get("/disclosures")
    shown = tree(page)
    for name in ("received_at", "name", "description"):
        assert shown.xpath(f'//*[@id="request-{name}"]/@required'), name
        assert shown.xpath(f'//label[@for="request-{name}"]//*[@class="req"]'), name
    form = {
        **tokens(page.data),
        "jurisdiction": "los-gatos-ca",
        "received_at": "2026-11-31T10:00",
        "name": "",
        "email": "pat@news.example",
        "description": "All records about 1418 Elm",
        "case_numbers": "LG-1999-000009",
    }
    r = client.post("/disclosures", data=form)
    assert r.status_code == 422
    page = tree(r)
    assert refused_field(page, "request-received_at").endswith("enter a date and time")
    assert refused_field(page, "request-name").endswith("fill this in")
    assert page.xpath('//*[@id="request-email"]/@value') == ["pat@news.example"]
    assert page.xpath('//*[@id="request-description"]/text()') == ["All records about 1418 Elm"]
    assert page.xpath('//details[@id="new-request"]/@open') is not None
    # The service's refusal of a case number sits beside the case numbers.
    r = client.post("/disclosures", data=form | {"received_at": "2026-11-20T10:00", "name": "Pat"})
    assert r.status_code == 422
    page = tree(r)
    assert "no case LG-1999-000009" in refused_field(page, "request-case_numbers")
    assert page.xpath('//*[@id="request-case_numbers"]/@value') == ["LG-1999-000009"]
    assert summary(page)[0].startswith("Case numbers: ")
    assert count_rows("disclosure_requests") == 0


def test_counsel_decision_and_dismissal_say_what_to_fix_beside_the_field(
    client, signed_in, officer, work, database
) -> None:
    from tests.conftest import complaint_case

    mo = client.post(
        "/api/cases", headers=officer.headers, json=complaint_case(jurisdiction="lees-summit-mo")
    ).json["case_number"]
    clerk = signed_in("records")
    body = {
        "jurisdiction": "lees-summit-mo",
        "requester": {"name": "Pat"},
        "received_at": "2026-11-20T10:00:00-06:00",
        "description": "The yard",
        "case_numbers": [mo],
    }
    rid = client.post("/api/disclosures", headers=clerk.headers, json=body).json["id"]
    work()
    token = tokens(client.get(f"/disclosures/{rid}").data)
    decide = f"/disclosures/{rid}/cases/{mo}/decision"
    r = client.post(
        decide,
        data={**token, "decision": "redact", "explanation": "Counsel: closed record."},
    )
    assert r.status_code == 422
    page = tree(r)
    assert "name the statute that authorises withholding" in refused_field(
        page, f"decision-{mo}-statute"
    )
    assert page.xpath(f'//*[@id="decision-{mo}-explanation"]/@value') == ["Counsel: closed record."]
    r = client.post(decide, data={**token, "decision": "disclose", "statute": "RSMo 610"})
    assert r.status_code == 422
    page = tree(r)
    assert refused_field(page, f"decision-{mo}-explanation").endswith("fill this in")
    assert page.xpath(f'//*[@id="decision-{mo}-decision"]/option[@selected]/@value') == ["disclose"]
    assert page.xpath(f'//*[@id="decision-{mo}-statute"]/@value') == ["RSMo 610"]

    # A leak-scanner finding dismissed without a reason: said beside the reason.
    from docsvc.models import ScanFinding
    from docsvc.timeutil import utcnow

    with database.session() as s:
        finding = ScanFinding(
            request_id=rid, key="k", file="record 1", location="page 1", kind="name",
            found_at=utcnow(),
        )  # fmt: skip
        s.add(finding)
        s.commit()
        fid = finding.id
    r = client.post(f"/disclosures/{rid}/findings/{fid}/dismiss", data={**token})
    assert r.status_code == 422
    said = refused_field(tree(r), f"dismiss-{fid}-reason")
    assert "give the reason the finding does not identify the complainant" in said


def test_certifying_a_bundle_asks_first_and_says_what_to_fix_beside_the_title(
    client, signed_in, open_case, attorney, work, database
) -> None:
    from docsvc.models import Bundle

    number = open_case()["case_number"]
    r = client.post(
        f"/api/cases/{number}/bundles", headers=attorney.headers, json={"bates_prefix": "C"}
    )
    bundle = r.json["id"]
    work()
    signed_in("records")
    page = client.get(f"/bundles/{bundle}")
    token = tokens(page.data)
    assert tree(page).xpath('//form[@id="certify-form"]//*[@id="certify-title"]')

    def certified() -> bool:
        with database.session() as s:
            return s.get(Bundle, bundle).certification_sha256 is not None

    r = client.post(f"/bundles/{bundle}/certify", data={**token, "title": "x" * 201})
    assert r.status_code == 422
    assert "at most 200 characters" in refused_field(tree(r), "certify-title")
    r = client.post(f"/bundles/{bundle}/certify", data={**token, "title": "Clerk"})
    page = _confirmation(
        r, f"Certify bundle {bundle} of case {number} as custodian?", "Yes, certify it"
    )
    assert "cannot be withdrawn" in page.xpath('string(//*[@id="confirm-consequence"])')
    assert not certified()
    back = _cancel(client, page)
    assert back.status_code == 200 and not certified()
    assert tree(back).xpath('//*[@id="certify-title"]/@value') == ["Clerk"]
    assert _again(client, r, page).status_code == 302
    assert certified()


def test_a_legal_hold_on_no_such_case_is_said_beside_the_case_numbers(
    client, signed_in, open_case, count_rows
) -> None:
    number = open_case()["case_number"]
    signed_in("records")
    token = tokens(client.get("/retention").data)
    form = {
        **token,
        "matter": "Smith v. City",
        "reason": "Litigation hold",
        "case_numbers": f"{number}, LG-1999-000001",
    }
    r = client.post("/retention/holds", data=form)
    assert r.status_code == 422
    page = tree(r)
    said = refused_field(page, "hold-case_numbers")
    assert "no case LG-1999-000001" in said and "check the case number" in said
    assert page.xpath('//*[@id="hold-matter"]/@value') == ["Smith v. City"]
    assert summary(page) == [f"Case numbers: {said.lstrip('⚠ ').strip()}"]
    assert count_rows("holds") == 0
    r = client.post("/retention/holds", data=form | {"case_numbers": number})
    assert r.status_code == 302 and count_rows("holds") == 1


def test_a_hold_matter_longer_than_the_api_allows_is_refused_beside_it(
    client, signed_in, open_case, count_rows
) -> None:
    """The page validates a hold with the API's own shape: a 301-character matter is refused
    beside the field, as POST /api/holds refuses it, and nothing is placed."""
    number = open_case()["case_number"]
    signed_in("records")
    form = {
        **tokens(client.get("/retention").data),
        "matter": "M" * 301,
        "reason": "Litigation hold",
        "case_numbers": number,
    }
    r = client.post("/retention/holds", data=form)
    assert r.status_code in (400, 422)
    said = refused_field(tree(r), "hold-matter")
    assert "300" in said
    assert count_rows("holds") == 0
    r = client.post(
        "/retention/holds",
        data=form | tokens(client.get("/retention").data) | {"matter": "M" * 300},
    )
    assert r.status_code == 302 and count_rows("holds") == 1


def test_a_form_name_belongs_to_one_form(client, signed_in, officer) -> None:
    """Two pages registering one name gave the first page's form the second's labels: the
    case page's "Close as" read "reason" once the request page registered its own "close"."""
    from docsvc.ui.forms import Spec, register
    from tests.conftest import complaint_case

    first = register("one-form-only", Spec(()))
    assert register("one-form-only", first) is first  # the same form again is harmless
    with pytest.raises(ValueError, match="registered already"):
        register("one-form-only", Spec(()))
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json
    signed_in("officer")
    page = client.get(f"/cases/{case['case_number']}").get_data(as_text=True)
    close = page.split('id="close-form"')[1].split("</form>")[0]
    assert ">Close as" in close and ">Resolution" in close
