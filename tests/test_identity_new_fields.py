"""Free text on the records added for the policies (permits, permit actions, referrals,
extensions, citations, settlements, ledger entries, the enforcement fund) is shown with the
case's complainant masked, in the API and on the pages alike, to every staff role; reading it
shows no identity, so it writes no `complainant.view` row (only the guard's doors do)."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select

from docsvc.models import AuditEvent
from tests import documents_helpers, helpers, test_permits
from tests import test_referrals as referral_tests
from tests.conftest import complaint_case
from tests.documents_helpers import pdf_text
from tests.test_extensions import request_body, served_notice

NAME, PHONE, ADDRESS = "Zebulon Quincey-Marsh", "555-0199", "77 Juniper Hollow Apt 4"
WHO = {"name": NAME, "phone": PHONE, "email": "zq@example.org", "address": ADDRESS}
# Each identifier as the text quotes it, and the parts a leak would show.
QUOTED = f"Call {NAME} at {PHONE}, {ADDRESS}"
LEAKS = ("Zebulon", "Quincey", PHONE, "Juniper Hollow")
MASK = "[complainant]"
JC = "jefferson-county-wa"
ROLES = ("officer", "records")


@pytest.fixture(autouse=True)
def zebulon_complains(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every case the borrowed builders open names Zebulon as its complainant."""

    def theirs(**kw: object) -> dict:
        body = complaint_case(**kw)
        body["complaint"]["complainant"] = dict(WHO)
        return body

    for module in (test_permits, referral_tests, documents_helpers):
        monkeypatch.setattr(module, "complaint_case", theirs)


def views(database) -> int:
    with database.session() as s:
        return s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "complainant.view")
        )


def masked(shown: object, *, needs_mask: bool = True) -> None:
    """No identifier of the complainant in `shown` (a reply's JSON, or a page), and the mask
    where the text was."""
    text = shown if isinstance(shown, str) else json.dumps(shown, ensure_ascii=False)
    text = html.unescape(text)
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} shown"
    if needs_mask:
        assert MASK in text


@pytest.fixture
def as_each(app, make_user) -> Callable[[], Iterator[tuple[dict[str, str], object]]]:
    """For each staff role: its API headers, and a browser signed in on the pages as it."""

    def each() -> Iterator[tuple[dict[str, str], object]]:
        for role in ROLES:
            user = make_user(role, with_password=True)
            browser = app.test_client()
            token = helpers.csrf(browser.get("/login").data)
            r = browser.post(
                "/login",
                data={"username": user.username, "password": user.password, "csrf_token": token},
            )
            assert r.status_code == 302
            yield user.headers, browser

    return each


def page(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, url
    return r.get_data(as_text=True)


def api(client, h, url: str) -> object:
    r = client.get(url, headers=h)
    assert r.status_code == 200, (url, r.json)
    return r.json


def test_permits_and_their_clocks(client, officer, clock, database, as_each) -> None:
    clock("2030-01-10T09:00:00-08:00")
    h = officer.headers
    case, violation = test_permits.lg_case(client, h)
    body = {
        "violation_id": violation,
        "description": f"Shed permit; {QUOTED}",
        "apply_by": "2030-01-20",
        "obtain_by": "2030-03-01",
    }
    r = client.post(f"/api/cases/{case}/permits", headers=h, json=body)
    assert r.status_code == 201, r.json
    masked(r.json)
    r = client.patch(
        f"/api/cases/{case}/permits/{r.json['id']}", headers=h, json={"applied_on": "2030-01-09"}
    )
    assert r.status_code == 200, r.json
    masked(r.json)
    action = {
        "action": "revoked",
        "permit_description": f"Deck permit of {NAME}",
        "authority": f"Town Code §29.20.310, as {NAME} at {PHONE} asked",
        "taken_on": "2030-01-10",
    }
    r = client.post(f"/api/cases/{case}/permit-actions", headers=h, json=action)
    assert r.status_code == 201, r.json
    masked(r.json)
    before = views(database)
    for rh, browser in as_each():
        masked(api(client, rh, f"/api/cases/{case}/permits"))
        masked(api(client, rh, f"/api/cases/{case}/permit-actions"))
        clocks = api(client, rh, f"/api/cases/{case}/clocks")
        assert any("permit" in c["name"] for c in clocks["clocks"])  # type: ignore[index]
        masked(clocks)
        masked(api(client, rh, "/api/due"))
        masked(page(browser, f"/cases/{case}"))
        masked(page(browser, "/due"))
    assert views(database) == before


def test_referrals(client, officer, clock, database, as_each) -> None:
    clock("2030-01-07T09:00:00-06:00")
    h = officer.headers
    case, _, violation = referral_tests.tb_case(client, h, "5 Pine Street")
    r = client.put(
        f"/api/cases/{case}/violations/{violation}/imminent-threat",
        headers=h,
        json={"imminent_threat": True, "note": "Open cistern beside the school path."},
    )
    assert r.status_code == 200, r.json
    body = {
        "kind": "imminent_threat",
        "referred_on": "2030-01-07",
        "referred_to": f"City Attorney, copy to {NAME}",
        "note": QUOTED,
    }
    r = client.post(f"/api/cases/{case}/referrals", headers=h, json=body)
    assert r.status_code == 201, r.json
    masked(r.json)
    before = views(database)
    for rh, browser in as_each():
        masked(api(client, rh, f"/api/cases/{case}/referrals"))
        masked(page(browser, f"/cases/{case}"))
    assert views(database) == before


def test_extensions(client, officer, clock, database, as_each) -> None:
    h = officer.headers
    built, doc, letter = served_notice(client, h, clock)
    r = client.post(
        f"/api/cases/{built.case}/extensions", headers=h, json=request_body(doc, letter)
    )
    assert r.status_code == 201, r.json
    r = client.post(
        f"/api/extensions/{r.json['id']}/decision",
        headers=h,
        json={"decision": "refused", "decided_by": f"Officer Ruiz for {NAME}, {PHONE}"},
    )
    assert r.status_code == 200, r.json
    masked(r.json)
    before = views(database)
    for rh, browser in as_each():
        masked(api(client, rh, f"/api/cases/{built.case}/extensions"))
        masked(page(browser, f"/cases/{built.case}/extensions"))
    assert views(database) == before


def test_citations(client, officer, clock, database, as_each) -> None:
    clock("2030-01-08T09:00:00-06:00")
    h = officer.headers
    case, party, violation = referral_tests.tb_case(client, h, "1 Elm Street")
    r = client.post(
        f"/api/cases/{case}/citations",
        headers=h,
        json={
            "violation_id": violation,
            "party_id": party,
            "number": "TB-1",
            "fine": "100.00",
            "issued_on": "2030-01-06",
            "court": f"Municipal Court, {NAME} to testify",
        },
    )
    assert r.status_code == 201, r.json
    masked(r.json)
    r = client.post(
        f"/api/citations/{r.json['id']}/outcome",
        headers=h,
        json={"outcome": "dismissed", "outcome_on": "2030-01-08"},
    )
    assert r.status_code == 200, r.json
    masked(r.json)
    before = views(database)
    for rh, _browser in as_each():  # the API alone shows citations
        masked(api(client, rh, f"/api/cases/{case}/citations"))
    assert views(database) == before


@pytest.fixture
def jc_case(client, officer) -> str:
    """A Jefferson County case (settlement factors, a fund) with Zebulon as complainant,
    owing $1,000 in penalties; the entry's note quotes him."""
    body = complaint_case(jurisdiction=JC, address="900 Discovery Road")
    body["complaint"]["complainant"] = dict(WHO)
    r = client.post("/api/cases", headers=officer.headers, json=body)
    assert r.status_code == 201, r.json
    case = r.json["case_number"]
    entry = {"kind": "penalty", "amount": "1000.00", "assessed_on": "2030-01-02", "note": QUOTED}
    r = client.post(f"/api/cases/{case}/ledger", headers=officer.headers, json=entry)
    assert r.status_code == 201, r.json
    masked(r.json)
    return case


FINDINGS = {c: f"Finding {c}: {QUOTED}" for c in "ABCDE"}


def test_settlements_and_ledger_entries(client, officer, jc_case, database, as_each) -> None:
    h = officer.headers
    body = {
        "entered_on": "2030-03-01",
        "approved_by": f"Director, DCD, with {NAME}",
        "factors": FINDINGS,
        "note": QUOTED,
        "pay_amount": "0.00",
        "cancel_amount": "1000.00",
        "compliance_through": "2030-06-01",
    }
    r = client.post(f"/api/cases/{jc_case}/settlements", headers=h, json=body)
    assert r.status_code == 201, r.json
    masked(r.json)
    assert r.json["factors"]["A"].startswith(f"Finding A: Call {MASK} at {MASK}, {MASK}")
    r = client.post(
        f"/api/settlements/{r.json['id']}/complete", headers=h, json={"on": "2030-06-02"}
    )
    assert r.status_code == 200, r.json
    masked(r.json)
    before = views(database)
    for rh, browser in as_each():
        ledger = api(client, rh, f"/api/cases/{jc_case}/ledger?as_of=2030-07-01")
        assert ledger["settlements"] and ledger["entries"]  # type: ignore[index]
        masked(ledger)
        masked(page(browser, f"/cases/{jc_case}/ledger"))
    assert views(database) == before


def test_settlements_report(client, officer, jc_case, database, clock, tmp_path) -> None:
    clock("2030-12-31T12:00:00-08:00")  # the year reported has begun
    h = officer.headers
    body = {
        "entered_on": "2030-03-01",
        "approved_by": NAME,
        "factors": FINDINGS,
        "pay_amount": "1000.00",
        "pay_by": "2030-03-31",
    }
    r = client.post(f"/api/cases/{jc_case}/settlements", headers=h, json=body)
    assert r.status_code == 201, r.json
    before = views(database)
    url = f"/api/reports/settlements?jurisdiction={JC}&year=2030"
    r = client.get(url, headers=h)
    assert r.status_code == 200, r.json
    masked(r.json)
    r = client.get(url + "&format=csv", headers=h)
    assert r.status_code == 200
    masked(r.get_data(as_text=True))
    r = client.get(url + "&format=pdf", headers=h)
    assert r.status_code == 200
    text = pdf_text(r.data, tmp_path)
    masked(text, needs_mask=False)  # a narrow column may break the mask across lines
    assert "complainant" in text
    assert views(database) == before


def test_the_enforcement_fund(client, officer, jc_case, database, as_each) -> None:
    h = officer.headers
    url = f"/api/jurisdictions/{JC}/fund"
    deposit = {
        "kind": "deposit",
        "amount": "500.00",
        "entry_on": "2030-02-01",
        "description": f"Penalty paid by check; {QUOTED}",
        "case_number": jc_case,
    }
    r = client.post(url, headers=h, json=deposit)
    assert r.status_code == 201, r.json
    masked(r.json)
    abatement = {
        "kind": "abatement",
        "amount": "100.00",
        "entry_on": "2030-02-02",
        "description": f"Hauling, as {NAME} reported",
        "approved_by": f"DCD Director, for {NAME}",
        "case_number": jc_case,
    }
    r = client.post(url, headers=h, json=abatement)
    assert r.status_code == 201, r.json
    masked(r.json)
    before = views(database)
    for rh, browser in as_each():
        fund = api(client, rh, url)
        assert len(fund["entries"]) == 2  # type: ignore[index]
        masked(fund)
        masked(page(browser, f"/jurisdictions/{JC}/fund"))
    assert views(database) == before
