"""A release's public link can be stopped: revoked by a clerk (API and page, with the reason and
a confirmation), revoked when its request is closed unless the clerk keeps it, or expired. A
link that no longer works answers 410 with a page in words naming the agency's records office,
never the requester or the complainant; each revocation is audited by field name only."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from docsvc.models import AuditEvent
from tests import helpers
from tests.conftest import complaint_case
from tests.helpers import pdf_with, text_ops, tokens

pytestmark = pytest.mark.slow

REQUESTER = "Pat Reporter"
REQUESTER_EMAIL = "pat@news.example"
COMPLAINANT = "O'Brien"


def _released(client, officer, clerk, work, jurisdiction: str = "los-gatos-ca", **release):
    """A request released through the API: (request id, the public link's path)."""
    case = client.post(
        "/api/cases", headers=officer.headers, json=complaint_case(jurisdiction=jurisdiction)
    ).json["case_number"]
    r = helpers.upload(
        client,
        officer.headers,
        case,
        pdf_with(text_ops("Site visit memo.")),
        "memo.pdf",
        "correspondence",
    )
    assert r.status_code == 201, r.json
    body = {
        "jurisdiction": jurisdiction,
        "requester": {"name": REQUESTER, "email": REQUESTER_EMAIL},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": "All records about the yard",
        "case_numbers": [case],
    }
    r = client.post("/api/disclosures", headers=clerk.headers, json=body)
    assert r.status_code == 201, r.json
    rid = r.json["id"]
    work()
    r = client.post(
        f"/api/disclosures/{rid}/release",
        headers=clerk.headers,
        json={"accept_proposed_redactions": True, **release},
    )
    assert r.status_code == 201, r.json
    return rid, "/public/releases/" + r.json["public_url"].rsplit("/", 1)[1]


BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"


def _gone(client, link: str) -> str:
    """The link answers 410 with the page in words, to a program and a browser alike, and so
    does its ZIP's own address; its text."""
    for path, accept in ((link, "*/*"), (link, BROWSER), (f"{link}/package.zip", "*/*")):
        r = client.get(path, headers={"Accept": accept})
        assert r.status_code == 410
        assert r.mimetype == "text/html" and not r.is_json
        body = r.get_data(as_text=True)
        assert "This release is no longer available" in body
        assert "contact the records office of Town of Los Gatos" in body
        for never in (REQUESTER, REQUESTER_EMAIL, COMPLAINANT, "O&#39;Brien", "Traceback"):
            assert never not in body, never
    return body


def _works(client, link: str) -> None:
    """The ZIP to a program (as always) and at its own address; a page to a browser."""
    r = client.get(link)
    assert r.status_code == 200 and r.mimetype == "application/zip"
    r = client.get(f"{link}/package.zip", headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.mimetype == "application/zip"
    r = client.get(link, headers={"Accept": BROWSER})
    assert r.status_code == 200 and r.mimetype == "text/html" and b"Download all" in r.data


def _events(database, action: str, rid: int) -> list[AuditEvent]:
    with database.session() as s:
        return list(
            s.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == action, AuditEvent.object_id == str(rid)
                )
            )
        )


def test_a_clerk_revokes_the_link_through_the_api_and_it_answers_410_with_a_page(
    client, officer, records, work, database
) -> None:
    rid, link = _released(client, officer, records, work)
    _works(client, link)
    shown = client.get(f"/api/disclosures/{rid}", headers=records.headers).json["release"]
    assert shown["link"] == "live" and shown["revoked_at"] is None and shown["expires_at"] is None

    reason = "Sent to the wrong address by mistake"
    r = client.post(
        f"/api/disclosures/{rid}/release/revoke", headers=records.headers, json={"reason": reason}
    )
    assert r.status_code == 200, r.json
    assert r.json["link"] == "revoked" and r.json["revoke_reason"] == reason
    assert r.json["revoked_by"] and r.json["revoked_at"].endswith("-08:00")  # Los Gatos' clock
    _gone(client, link)
    # The clerk still has the package; the request shows the link revoked.
    assert client.get(f"/api/disclosures/{rid}/package", headers=records.headers).status_code == 200
    shown = client.get(f"/api/disclosures/{rid}", headers=records.headers).json["release"]
    assert shown["link"] == "revoked" and shown["revoke_reason"] == reason

    (event,) = _events(database, "disclosure.revoke", rid)
    assert event.object_type == "disclosure" and event.actor_id == records.id
    assert event.fields == ["revoke_reason", "revoked_at", "revoked_by_id"]
    assert "wrong address" not in json.dumps([event.fields, event.hashes])  # names, not values

    # Revoked is final: neither revoked again nor reopened by an expiry.
    r = client.post(
        f"/api/disclosures/{rid}/release/revoke", headers=records.headers, json={"reason": "x"}
    )
    assert r.status_code == 409 and "already revoked" in r.json["error"]
    later = "2099-01-01T00:00:00-08:00"
    r = client.patch(
        f"/api/disclosures/{rid}/release", headers=records.headers, json={"expires_at": later}
    )
    assert r.status_code == 409
    _gone(client, link)
    # A reason is required, and short.
    rid2, _ = _released(client, officer, records, work)
    for body in ({}, {"reason": "  "}, {"reason": "x" * 301}):
        r = client.post(
            f"/api/disclosures/{rid2}/release/revoke", headers=records.headers, json=body
        )
        assert r.status_code == 422, body


def test_closing_the_request_revokes_its_link_unless_the_clerk_keeps_it(
    client, officer, records, work, database
) -> None:
    closed, link = _released(client, officer, records, work)
    r = client.patch(
        f"/api/disclosures/{closed}", headers=records.headers, json={"status": "closed"}
    )
    assert r.status_code == 200, r.json
    assert r.json["status"] == "closed" and r.json["release"]["link"] == "revoked"
    assert r.json["release"]["revoke_reason"] == "The request was closed."
    _gone(client, link)
    (event,) = _events(database, "disclosure.revoke", closed)
    assert event.fields == ["revoke_reason", "revoked_at", "revoked_by_id"]
    (update,) = _events(database, "disclosure.update", closed)
    assert update.fields == ["status"]  # keep_release_link is an instruction, not a change

    kept, kept_link = _released(client, officer, records, work)
    r = client.patch(
        f"/api/disclosures/{kept}", headers=records.headers, json={"keep_release_link": True}
    )
    assert r.status_code == 422 and "when closing" in r.json["error"]
    r = client.patch(
        f"/api/disclosures/{kept}",
        headers=records.headers,
        json={"status": "closed", "keep_release_link": True},
    )
    assert r.status_code == 200, r.json
    assert r.json["status"] == "closed" and r.json["release"]["link"] == "live"
    _works(client, kept_link)
    assert _events(database, "disclosure.revoke", kept) == []
    # Closing again (a notes change sent with the status) does not revoke what was kept.
    r = client.patch(
        f"/api/disclosures/{kept}",
        headers=records.headers,
        json={"status": "closed", "notes": "Requester has the files."},
    )
    assert r.status_code == 200 and r.json["release"]["link"] == "live"
    _works(client, kept_link)
    # The kept link can still be revoked by hand.
    r = client.post(
        f"/api/disclosures/{kept}/release/revoke",
        headers=records.headers,
        json={"reason": "Requester confirmed receipt"},
    )
    assert r.status_code == 200
    _gone(client, kept_link)


def test_a_link_expires_and_its_expiry_is_set_when_releasing_or_later(
    client, officer, records, work, database, clock
) -> None:
    move = clock("2026-11-25T09:00:00-08:00")
    past = "2026-11-24T09:00:00-08:00"
    rid, link = _released(client, officer, records, work, expires_at="2026-11-27T17:00:00-08:00")
    shown = client.get(f"/api/disclosures/{rid}", headers=records.headers).json["release"]
    assert shown["expires_at"] == "2026-11-27T17:00:00-08:00" and shown["link"] == "live"
    _works(client, link)
    move(timedelta(days=3))  # 28 November: past its expiry
    _gone(client, link)
    shown = client.get(f"/api/disclosures/{rid}", headers=records.headers).json["release"]
    assert shown["link"] == "expired"
    # An expiry in the past is refused; a later one opens the link again, audited; null: none.
    r = client.patch(
        f"/api/disclosures/{rid}/release", headers=records.headers, json={"expires_at": past}
    )
    assert r.status_code == 422 and "later than now" in r.json["error"]
    r = client.patch(
        f"/api/disclosures/{rid}/release",
        headers=records.headers,
        json={"expires_at": "2026-12-31T23:59:00-08:00"},
    )
    assert r.status_code == 200 and r.json["link"] == "live"
    _works(client, link)
    r = client.patch(
        f"/api/disclosures/{rid}/release", headers=records.headers, json={"expires_at": None}
    )
    assert r.status_code == 200 and r.json["expires_at"] is None
    events = _events(database, "disclosure.expiry", rid)
    assert len(events) == 2 and all(e.fields == ["expires_at"] for e in events)
    # A release asked with an expiry already past is refused, and releases nothing.
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json
    r = client.post(
        "/api/disclosures",
        headers=records.headers,
        json={
            "jurisdiction": "los-gatos-ca",
            "requester": {"name": REQUESTER},
            "received_at": "2026-11-20T10:00:00-08:00",
            "description": "x",
            "case_numbers": [case["case_number"]],
        },
    )
    other = r.json["id"]
    work()
    r = client.post(
        f"/api/disclosures/{other}/release",
        headers=records.headers,
        json={"accept_proposed_redactions": True, "expires_at": past},
    )
    assert r.status_code == 422 and "later than now" in r.json["error"]
    shown = client.get(f"/api/disclosures/{other}", headers=records.headers).json
    assert shown["status"] == "review" and shown["release"] is None


def test_only_the_requests_own_clerks_may_revoke_or_set_an_expiry(
    client, officer, records, make_user, work
) -> None:
    rid, link = _released(client, officer, records, work)
    texan = make_user("records", jurisdictions=["tom-bean-tx"])
    revoke, patch = f"/api/disclosures/{rid}/release/revoke", f"/api/disclosures/{rid}/release"
    close = f"/api/disclosures/{rid}"
    body, expiry = {"reason": "no"}, {"expires_at": None}
    assert client.post(revoke, headers=texan.headers, json=body).status_code == 404
    assert client.patch(patch, headers=texan.headers, json=expiry).status_code == 404
    assert client.patch(close, headers=texan.headers, json={"status": "closed"}).status_code == 404
    assert client.post(revoke, headers=officer.headers, json=body).status_code == 403
    assert client.patch(patch, headers=officer.headers, json=expiry).status_code == 403
    assert client.post(revoke, json=body).status_code == 401
    assert client.patch(patch, json=expiry).status_code == 401
    _works(client, link)  # none of them changed anything
    # A request not released has no link to revoke.
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json
    r = client.post(
        "/api/disclosures",
        headers=records.headers,
        json={
            "jurisdiction": "los-gatos-ca",
            "requester": {"name": REQUESTER},
            "received_at": "2026-11-20T10:00:00-08:00",
            "description": "x",
            "case_numbers": [case["case_number"]],
        },
    )
    r = client.post(
        f"/api/disclosures/{r.json['id']}/release/revoke", headers=records.headers, json=body
    )
    assert r.status_code == 404 and "has not been released" in r.json["error"]


def test_an_unknown_link_answers_404_with_a_page_in_words(client) -> None:
    for token in ("not-a-real-token", "x" * 200):
        for path in (f"/public/releases/{token}", f"/public/releases/{token}/package.zip"):
            for accept in ("*/*", BROWSER):
                r = client.get(path, headers={"Accept": accept})
                assert r.status_code == 404 and r.mimetype == "text/html" and not r.is_json
                assert "No release at this link" in r.get_data(as_text=True)


def test_a_clerk_revokes_from_the_page_after_confirming_and_closes_another_keeping_its_link(
    client, signed_in, officer, make_user, work, database
) -> None:
    clerk = signed_in("records")
    rid, link = _released(client, officer, clerk, work)
    page = client.get(f"/disclosures/{rid}").data
    assert b'id="revoke-form"' in page and b"Works until it is revoked" in page
    # No reason: refused beside the field, nothing done.
    r = client.post(f"/disclosures/{rid}/release/revoke", data=tokens(page))
    assert r.status_code == 422 and b"field-error" in r.data
    _works(client, link)
    # Asked first; nothing happens until confirmed.
    page = client.get(f"/disclosures/{rid}").data
    r = client.post(
        f"/disclosures/{rid}/release/revoke", data={**tokens(page), "reason": "Wrong requester"}
    )
    assert r.status_code == 200 and b'id="confirm-question"' in r.data
    assert f"Revoke the public link of request {rid}?" in r.get_data(as_text=True)
    _works(client, link)
    r = client.post(
        f"/disclosures/{rid}/release/revoke",
        data={**tokens(r.data), "reason": "Wrong requester", "confirmed": "yes"},
    )
    assert r.status_code == 302
    _gone(client, link)
    page = client.get(f"/disclosures/{rid}").get_data(as_text=True)
    state = re.search(r'id="link-state">(.*?)</p>', page, re.S)
    assert state is not None
    words = re.sub(r"<[^>]+>", "", state.group(1))
    assert "Revoked" in words and "Pacific time" in words and "Reason: Wrong requester" in words
    assert 'id="revoke-form"' not in page
    assert len(_events(database, "disclosure.revoke", rid)) == 1

    # Closing from the page: the link is kept when the clerk says so, revoked otherwise.
    kept, kept_link = _released(client, officer, clerk, work)
    page = client.get(f"/disclosures/{kept}").data
    assert b'id="close-form"' in page
    r = client.post(f"/disclosures/{kept}/close", data={**tokens(page), "keep": "on"})
    assert b"Its public link keeps working" in r.data
    r = client.post(
        f"/disclosures/{kept}/close", data={**tokens(r.data), "keep": "on", "confirmed": "yes"}
    )
    assert r.status_code == 302
    _works(client, kept_link)
    # Closed after its release, it does not read as if the requester had been sent nothing.
    page = client.get(f"/disclosures/{kept}").get_data(as_text=True)
    assert 'id="request-status">Closed after release<' in page
    listed = client.get("/disclosures").get_data(as_text=True)
    assert "Closed after release" in listed and "Closed without release" not in listed
    closed, closed_link = _released(client, officer, clerk, work)
    page = client.get(f"/disclosures/{closed}").data
    r = client.post(f"/disclosures/{closed}/close", data=tokens(page))
    assert b"Its public link stops working" in r.data
    r = client.post(f"/disclosures/{closed}/close", data={**tokens(r.data), "confirmed": "yes"})
    assert r.status_code == 302
    _gone(client, closed_link)
    page = client.get(f"/disclosures/{closed}").get_data(as_text=True)
    assert "Reason: The request was closed." in page and 'id="close-form"' not in page


def test_an_end_date_chosen_on_the_page_is_the_last_day_the_link_works(
    client, signed_in, officer, work, clock
) -> None:
    move = clock("2026-11-25T09:00:00-08:00")
    clerk = signed_in("records")
    rid, link = _released(client, officer, clerk, work)
    page = client.get(f"/disclosures/{rid}").data
    r = client.post(
        f"/disclosures/{rid}/release/expiry", data={**tokens(page), "expires_on": "2026-11-26"}
    )
    assert r.status_code == 302
    text = client.get(f"/disclosures/{rid}").get_data(as_text=True)
    assert "Works until the end of 2026-11-26 (Pacific time)" in text
    # The field shows the day chosen; emptied, it asks before lifting the limit (a clerk
    # clicking "Change the end date" on an empty field had removed it unasked).
    field = re.search(r'<input[^>]*name="expires_on"[^>]*>', text.split('id="expiry-form"')[1])
    assert field is not None and 'value="2026-11-26"' in field.group(0)
    r = client.post(
        f"/disclosures/{rid}/release/expiry", data={**tokens(text.encode()), "expires_on": ""}
    )
    assert r.status_code == 200 and b"Remove the end date of request" in r.data
    text = client.get(f"/disclosures/{rid}").get_data(as_text=True)
    assert "Works until the end of 2026-11-26 (Pacific time)" in text
    move(timedelta(days=1, hours=14))  # 23:00 on the 26th, Pacific: still works
    _works(client, link)
    move(timedelta(hours=1, minutes=1))  # just after midnight
    _gone(client, link)
    text = client.get(f"/disclosures/{rid}").get_data(as_text=True)
    assert "Expired at the end of 2026-11-26 (Pacific time)" in text
    # A day already past is refused beside the field.
    page = client.get(f"/disclosures/{rid}").data
    r = client.post(
        f"/disclosures/{rid}/release/expiry", data={**tokens(page), "expires_on": "2026-11-20"}
    )
    assert r.status_code == 422 and b"later than now" in r.data


from tests import test_browser as tablet  # noqa: E402

live_server, page = tablet.live_server, tablet.page  # its fixtures


@pytest.mark.browser
def test_a_clerk_revokes_the_link_from_the_requests_page_in_a_browser(
    page, live_server, make_user, client, work
) -> None:
    officer = make_user("officer")
    clerk = make_user("records", with_password=True)
    rid, link = _released(client, officer, clerk, work)
    tablet.sign_in(page, live_server, clerk)
    page.goto(f"{live_server}/disclosures/{rid}")
    assert "Works until it is revoked" in page.inner_text("#link-state")
    page.fill("#revoke-form input[name=reason]", "Sent to the wrong requester")
    page.click("#revoke-form button[type=submit]")
    assert page.inner_text("#confirm-question") == f"Revoke the public link of request {rid}?"
    _works(client, link)  # asked, not yet done
    page.click("#confirm-yes")
    page.wait_for_selector("text=Public link revoked")
    state = page.inner_text("#link-state")
    assert "Revoked" in state and "Pacific time" in state
    assert "Reason: Sent to the wrong requester" in state
    assert page.locator("#revoke-form").count() == 0
    tablet.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(tablet.SCREENSHOTS / "release-revoked-tablet.png"), full_page=True)
    # Whoever follows the link now reads, in words, whom to ask.
    answer = page.goto(f"{live_server}{link}")
    assert answer is not None and answer.status == 410
    assert page.inner_text("h1") == "This release is no longer available"
    assert "contact the records office of Town of Los Gatos" in page.inner_text("main")
    assert REQUESTER not in page.content()
    page.screenshot(path=str(tablet.SCREENSHOTS / "release-gone-tablet.png"), full_page=True)


def test_the_pages_release_form_sets_the_links_last_day(
    client, signed_in, officer, work, clock
) -> None:
    clock("2026-11-25T09:00:00-08:00")
    clerk = signed_in("records")
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json
    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": REQUESTER},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": "All records about the yard",
        "case_numbers": [case["case_number"]],
    }
    rid = client.post("/api/disclosures", headers=clerk.headers, json=body).json["id"]
    work()
    page = client.get(f"/disclosures/{rid}").data
    form = {**tokens(page), "accept": "on", "confirmed": "yes"}
    r = client.post(f"/disclosures/{rid}/release", data={**form, "expires_on": "2026-11-20"})
    assert r.status_code == 422 and b"later than now" in r.data  # refused before it is queued
    page = client.get(f"/disclosures/{rid}").data
    form = {**tokens(page), "accept": "on", "confirmed": "yes"}
    r = client.post(f"/disclosures/{rid}/release", data={**form, "expires_on": "2026-12-04"})
    assert r.status_code == 302
    work()  # the release job
    shown = client.get(f"/api/disclosures/{rid}", headers=clerk.headers).json["release"]
    assert shown["expires_at"] == "2026-12-05T00:00:00-08:00" and shown["link"] == "live"
    text = client.get(f"/disclosures/{rid}").get_data(as_text=True)
    assert "Works until the end of 2026-12-04 (Pacific time)" in text


def test_the_public_link_is_built_on_the_configured_address_not_the_callers_host(
    client, settings, officer, records, work, monkeypatch
) -> None:
    """A tester's walkthrough: the link a clerk hands out was built on whatever Host the
    request named (an internal name, or one a caller chose). DOCSVC_PUBLIC_URL fixes it."""
    import dataclasses

    from docsvc.app import create_app
    from docsvc.config import load_settings

    rid, path = _released(client, officer, records, work)
    forged = {**records.headers, "Host": "evil.example"}
    assert client.get(f"/api/disclosures/{rid}", headers=forged).json["release"]["public_url"] == (
        "http://evil.example" + path
    )  # unset: the request's own host, as on a demo
    public = create_app(dataclasses.replace(settings, public_url="https://records.example.gov"))
    try:
        shown = public.test_client().get(f"/api/disclosures/{rid}", headers=forged).json
        assert shown["release"]["public_url"] == "https://records.example.gov" + path
    finally:
        public.extensions["docsvc.db"].dispose()
    monkeypatch.setenv("DOCSVC_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("DOCSVC_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DOCSVC_PUBLIC_URL", "https://records.example.gov/")
    assert load_settings().public_url == "https://records.example.gov"
    monkeypatch.setenv("DOCSVC_PUBLIC_URL", "records.example.gov")
    with pytest.raises(ValueError, match="public address"):
        load_settings()
