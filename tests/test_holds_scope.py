"""Legal holds belong to jurisdictions (security issue 19, item 1): a user limited to one sees,
releases and places holds only there, and a hold on a person placed by them reaches only the
cases of their jurisdictions."""

from __future__ import annotations

from sqlalchemy import select

from docsvc.models import Case, Hold
from docsvc.retention.holds import blocks
from tests import helpers
from tests.conftest import complaint_case

CA = "los-gatos-ca"
TX = "tom-bean-tx"
OWNER = {"role": "owner", "name": "Harlan Vexbridge Holdings LLC", "mailing_address": "PO Box 1"}


def new_case(client, officer, jurisdiction: str, address: str) -> str:
    r = client.post(
        "/api/cases",
        headers=officer.headers,
        json=complaint_case(jurisdiction=jurisdiction, address=address),
    )
    assert r.status_code == 201, r.json
    return r.json["case_number"]


def same_owner_in_both(client, officer, tx_address: str, ca_address: str) -> tuple[str, int]:
    """A Texan and a Californian case naming the same owner: (the Texan case, the owner's
    party id in it)."""
    tx_case = new_case(client, officer, TX, tx_address)
    ca_case = new_case(client, officer, CA, ca_address)
    party = None
    for number in (tx_case, ca_case):
        r = client.post(f"/api/cases/{number}/parties", headers=officer.headers, json=OWNER)
        assert r.status_code == 201, r.json
        party = party or r.json["id"]
    return tx_case, party


def hold_on(client, who, **scope) -> dict:
    body = {"matter": "Smith v. Town", "reason": "Suit filed", **scope}
    r = client.post("/api/holds", headers=who.headers, json=body)
    assert r.status_code == 201, r.json
    return r.json


def sign_in(app, user):
    browser = app.test_client()
    token = helpers.csrf(browser.get("/login").data)
    r = browser.post(
        "/login", data={"username": user.username, "password": user.password, "csrf_token": token}
    )
    assert r.status_code == 302
    return browser


def test_a_hold_in_another_jurisdiction_is_not_listed_nor_released(
    app, client, officer, attorney, make_user, database
) -> None:
    ca_case = new_case(client, officer, CA, "1 Elm Street")
    hold = hold_on(client, attorney, case_numbers=[ca_case])
    texan = make_user("attorney", jurisdictions=[TX], with_password=True)

    listed = client.get("/api/holds", headers=texan.headers)
    assert listed.status_code == 200 and listed.json == []
    assert [h["id"] for h in client.get("/api/holds", headers=attorney.headers).json] == [
        hold["id"]
    ]
    # Releasing it answers as for a hold that does not exist, and releases nothing.
    r = client.post(f"/api/holds/{hold['id']}/release", headers=texan.headers, json={})
    unknown = client.post("/api/holds/9999/release", headers=texan.headers, json={})
    assert r.status_code == unknown.status_code == 404
    assert r.json["error"] == unknown.json["error"].replace("9999", str(hold["id"]))
    with database.session() as s:
        assert s.get(Hold, hold["id"]).released_at is None
    # The retention page lists no hold of Los Gatos, and its release form is refused too.
    page = sign_in(app, texan)
    body = page.get("/retention").get_data(as_text=True)
    assert "Smith v. Town" not in body and ca_case not in body
    form = helpers.tokens(page.get("/retention").data)
    r = page.post(f"/retention/holds/{hold['id']}/release", data=form)
    assert r.status_code == 404
    with database.session() as s:
        assert s.get(Hold, hold["id"]).released_at is None


def test_a_hold_on_a_person_reaches_only_the_placers_jurisdictions(
    client, officer, attorney, make_user, database
) -> None:
    tx_case, party = same_owner_in_both(client, officer, "5 Main Street", "9 Oak Way")
    texan = make_user("attorney", jurisdictions=[TX])
    hold = hold_on(client, texan, party_ids=[party])
    # The same person is a party in Los Gatos: the Texan neither holds nor learns of that case.
    assert hold["case_numbers"] == [tx_case]
    listed = client.get("/api/holds", headers=texan.headers).json
    assert [h["case_numbers"] for h in listed] == [[tx_case]]
    with database.session() as s:  # only the Texan case is held
        held = {s.get(Case, cid).case_number for cid in blocks(s)}
    assert held == {tx_case}
    # A Los Gatos user does not see the Texan's hold; an administrator of both does.
    californian = make_user("attorney", jurisdictions=[CA])
    assert client.get("/api/holds", headers=californian.headers).json == []
    with database.session() as s:
        assert s.scalar(select(Hold.id)) == hold["id"]


def test_a_hold_on_a_person_keeps_the_reach_it_was_placed_with(
    client, officer, make_user, database
) -> None:
    """Giving the placer another jurisdiction later does not widen a hold already placed."""
    from docsvc.models import User

    tx_case, party = same_owner_in_both(client, officer, "7 Main Street", "11 Oak Way")
    texan = make_user("attorney", jurisdictions=[TX])
    hold_on(client, texan, party_ids=[party])
    with database.session() as s:
        s.get(User, texan.id).jurisdictions = [TX, CA]
        s.commit()
    with database.session() as s:
        held = {s.get(Case, cid).case_number for cid in blocks(s)}
    assert held == {tx_case}
