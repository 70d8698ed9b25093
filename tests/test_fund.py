"""The enforcement fund (Jefferson County Rule 6; JCC 19.30.030): deposits in, vouchers and
abatement out, each use approved by a director, never below zero; only where the profile
keeps one."""

from __future__ import annotations

import re

import pytest

from tests import helpers
from tests.conftest import complaint_case

JC = "jefferson-county-wa"
FUND = f"/api/jurisdictions/{JC}/fund"


@pytest.fixture
def jc_case(client, officer):
    def make(address: str = "900 Discovery Road") -> str:
        r = client.post(
            "/api/cases",
            headers=officer.headers,
            json=complaint_case(jurisdiction=JC, address=address),
        )
        return r.json["case_number"]

    return make


def entry(client, h, code: str = JC, **body):
    return client.post(f"/api/jurisdictions/{code}/fund", headers=h, json=body)


def deposit(client, h, amount: str, on: str):
    r = entry(
        client,
        h,
        kind="deposit",
        amount=amount,
        entry_on=on,
        description="Penalties collected",
    )
    assert r.status_code == 201, r.json
    return r.json


def voucher(client, h, case: str, amount: str, on: str):
    return client.post(
        f"/api/cases/{case}/vouchers",
        headers=h,
        json={
            "amount": amount,
            "issued_on": on,
            "approved_by": "DCD Director",
            "purpose": "Dump fees for illegally dumped tires",
        },
    )


@pytest.mark.rule("JC 6(a)(iv)", "JC 6(a)(v)", "JC 7(b)(iv)")
def test_a_voucher_is_paid_from_the_fund(client, officer, jc_case) -> None:
    h = officer.headers
    case = jc_case()
    r = voucher(client, h, case, "250.00", "2030-03-01")
    assert r.status_code == 409 and r.json["details"]["rule"] == "fund_balance", r.json
    assert "Enforcement Fund holds $0.00" in r.json["error"]
    ledger = client.get(f"/api/cases/{case}/ledger", headers=h).json
    assert ledger["vouchers"] == []  # refused whole: no voucher without its payment
    deposit(client, h, "300.00", "2030-02-01")
    v = voucher(client, h, case, "250.00", "2030-03-01")
    assert v.status_code == 201, v.json
    fund = client.get(FUND, headers=h).json
    paid = [e for e in fund["entries"] if e["kind"] == "voucher"]
    assert len(paid) == 1 and paid[0]["voucher_id"] == v.json["id"]
    assert paid[0]["amount"] == "250.00" and paid[0]["approved_by"] == "DCD Director"
    assert paid[0]["case_number"] == case
    assert fund["closing"] == "50.00" and fund["money_out"] == "250.00"
    r = voucher(client, h, jc_case("12 Water Street"), "100.00", "2030-03-02")
    assert r.status_code == 409 and r.json["details"]["available"] == "50.00"


@pytest.mark.rule("JC 6(a)(iv)", "JC 6(a)(v)")
def test_abatement_from_the_fund_names_its_director(client, officer, jc_case) -> None:
    h = officer.headers
    case = jc_case()
    deposit(client, h, "1000.00", "2030-01-10")
    body = {
        "kind": "abatement",
        "amount": "400.00",
        "entry_on": "2030-02-01",
        "description": "Hauling the junk vehicles",
        "case_number": case,
    }
    r = entry(client, h, **body)
    assert r.status_code == 422 and r.json["details"]["field"] == "approved_by"
    assert "director or designee" in r.json["error"]
    r = entry(client, h, **body, approved_by="Director of Community Development")
    assert r.status_code == 201 and r.json["approved_by"] == "Director of Community Development"
    # 700.00 dated before the abatement would leave -100.00 after it: refused.
    r = entry(client, h, **body | {"amount": "700.00", "entry_on": "2030-01-20"}, approved_by="D")
    assert r.status_code == 409 and r.json["details"]["available"] == "600.00"
    r = entry(client, h, **body | {"case_number": "LG-2030-000001"}, approved_by="D")
    assert r.status_code == 422 and r.json["details"]["field"] == "case_number"
    r = entry(client, h, kind="deposit", amount="-5.00", entry_on="2030-02-02", description="x")
    assert r.status_code == 422
    # Balance as of a day: before the abatement, 1,000.00.
    early = client.get(f"{FUND}?to=2030-01-31", headers=h).json
    assert early["closing"] == "1000.00" and len(early["entries"]) == 1
    feb = client.get(f"{FUND}?from=2030-02-01&to=2030-12-31", headers=h).json
    assert (feb["opening"], feb["money_in"], feb["money_out"], feb["closing"]) == (
        "1000.00",
        "0.00",
        "400.00",
        "600.00",
    )


@pytest.mark.rule("JC 6(a)")
def test_no_fund_where_the_profile_keeps_none(client, officer, signed_in) -> None:
    h = officer.headers
    r = client.get("/api/jurisdictions/los-gatos-ca/fund", headers=h)
    assert r.status_code == 422 and r.json["details"]["rule"] == "no_fund"
    assert "keeps no enforcement fund" in r.json["error"]
    r = entry(
        client, h, "los-gatos-ca", kind="deposit", amount="1.00", entry_on="2030-01-01",
        description="x",
    )  # fmt: skip
    assert r.status_code == 422
    # A voucher elsewhere is refused for its own reason, not the fund's.
    signed_in("officer")
    assert "Enforcement Fund" in client.get(f"/jurisdictions/{JC}").get_data(as_text=True)
    lg = client.get("/jurisdictions/los-gatos-ca").get_data(as_text=True)
    # The page itself (the navigation lists the funds of the user's other jurisdictions).
    assert "fund" not in re.split(r"<main\b[^>]*>", lg)[1].lower()


@pytest.mark.rule("JC 6(a)")
def test_fund_roles_and_jurisdictions(client, officer, records, make_user) -> None:
    assert client.get(FUND, headers=records.headers).status_code == 200
    r = entry(
        client, records.headers, kind="deposit", amount="1.00", entry_on="2030-01-01",
        description="x",
    )  # fmt: skip
    assert r.status_code == 403
    elsewhere = make_user("officer", jurisdictions=["los-gatos-ca"])
    assert client.get(FUND, headers=elsewhere.headers).status_code == 404
    assert client.get(FUND).status_code == 401


@pytest.mark.rule("JC 6(a)(i)", "JC 6(a)(ii)", "JC 6(a)(v)")
def test_the_fund_page_records_a_deposit(client, officer, signed_in) -> None:
    deposit(client, officer.headers, "75.00", "2030-01-05")
    signed_in("officer")
    page = client.get(f"/jurisdictions/{JC}/fund")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "$75.00" in text and "Deposit to the enforcement fund" in text
    form = {
        **helpers.tokens(page.data),
        "kind": "abatement",
        "amount": "25.00",
        "entry_on": "2030-01-06",
        "description": "Tire disposal",
    }
    refused = client.post(f"/jurisdictions/{JC}/fund", data=form)
    assert refused.status_code == 422
    assert "director or designee" in refused.get_data(as_text=True)
    form = {**helpers.tokens(refused.data), **{k: v for k, v in form.items() if "_" in k}}
    form |= {"kind": "abatement", "amount": "25.00", "description": "Tire disposal"}
    done = client.post(f"/jurisdictions/{JC}/fund", data=form | {"approved_by": "EPH Director"})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    after = client.get(f"/jurisdictions/{JC}/fund").get_data(as_text=True)
    assert "EPH Director" in after and "$50.00" in after


@pytest.mark.rule("JC 6(a)(ii)", "JC 5(a)(viii)")
def test_the_settlements_report_shows_the_fund(client, officer, jc_case, clock) -> None:
    h = officer.headers
    deposit(client, h, "500.00", "2029-12-01")
    deposit(client, h, "200.00", "2030-04-01")
    assert voucher(client, h, jc_case(), "150.00", "2030-05-01").status_code == 201
    clock("2031-01-15T09:00:00-08:00")
    report = client.get(
        f"/api/reports/settlements?jurisdiction={JC}&year=2030&format=json", headers=h
    ).json
    table = next(t for t in report["tables"] if t["key"] == "fund")
    rows = {r[0]: r[1] for r in table["rows"]}
    assert rows["Balance on 2030-01-01"] == "500.00"
    assert rows["Deposit to the enforcement fund"] == "200.00"
    assert rows["Voucher paid from the enforcement fund"] == "-150.00"
    assert rows["Balance on 2030-12-31"] == "550.00"
    assert "in 200.00, out 150.00" in table["title"]
    check = next(c for c in report["reconciliation"] if "Enforcement Fund" in c["check"])
    assert check["agrees"] is True
    elsewhere = client.get(
        "/api/reports/settlements?jurisdiction=los-gatos-ca&year=2030&format=json", headers=h
    ).json
    assert "fund" not in [t["key"] for t in elsewhere["tables"]]


@pytest.mark.rule("JC 6(a)")
def test_the_fund_page_is_in_the_navigation_where_a_profile_keeps_one(
    client, signed_in, make_user
) -> None:
    signed_in("records")
    html = client.get("/cases").get_data(as_text=True)
    nav = html.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    assert f'<a href="/jurisdictions/{JC}/fund">Fund</a>' in nav
    client.post("/logout", data={"csrf_token": helpers.csrf(html.encode())})
    user = make_user("officer", jurisdictions=["los-gatos-ca"], with_password=True)
    token = helpers.csrf(client.get("/login").data)
    r = client.post(
        "/login",
        data={"username": user.username, "password": user.password, "csrf_token": token},
    )
    assert r.status_code == 302
    html = client.get("/cases").get_data(as_text=True)
    assert "/fund" not in html.split('<nav aria-label="Main">')[1].split("</nav>")[0]


@pytest.mark.rule("JC 6(a)")
def test_the_fund_page_says_who_records_and_reads_amounts_with_separators(
    client, officer, jc_case, signed_in, clock
) -> None:
    clock("2030-06-01T12:00:00-07:00")
    deposit(client, officer.headers, "3750.50", "2030-01-05")
    case = jc_case()
    r = client.post(
        f"/api/cases/{case}/ledger",
        headers=officer.headers,
        json={"kind": "abatement_cost", "amount": "1250.00", "assessed_on": "2030-01-06"},
    )
    assert r.status_code == 201, r.json
    signed_in("records")
    page = client.get(f"/jurisdictions/{JC}/fund").get_data(as_text=True)
    assert "Officers and administrators record entries in the fund." in page
    assert 'id="fund-form"' not in page
    assert "$3,750.50" in page and "$3750.50" not in page
    ledger = client.get(f"/cases/{case}/ledger").get_data(as_text=True)
    assert "$1,250.00" in ledger and "$1250.00" not in ledger
