"""Penalties, costs, payments, vouchers and liens: exact arithmetic and the policies' limits."""

from __future__ import annotations

import pytest

from tests.conftest import complaint_case
from tests.documents_helpers import build_case, issue


@pytest.fixture
def jc_case(client, officer):
    def make(address: str = "900 Discovery Road") -> str:
        r = client.post(
            "/api/cases",
            headers=officer.headers,
            json=complaint_case(jurisdiction="jefferson-county-wa", address=address),
        )
        return r.json["case_number"]

    return make


def post(client, officer, case: str, **entry):
    return client.post(f"/api/cases/{case}/ledger", headers=officer.headers, json=entry)


@pytest.mark.rule("JC 4(a)(ii)")
def test_balances_are_exact(client, officer, jc_case) -> None:
    case = jc_case()
    assert (
        post(
            client, officer, case, kind="penalty", amount="0.10", assessed_on="2030-01-10"
        ).status_code
        == 201
    )
    post(client, officer, case, kind="penalty", amount="0.20", assessed_on="2030-01-11")
    post(
        client,
        officer,
        case,
        kind="daily_penalty",
        amount="33.33",
        assessed_on="2030-02-01",
        ends_on="2030-02-10",
    )
    post(client, officer, case, kind="abatement_cost", amount="1234.56", assessed_on="2030-02-15")
    post(
        client,
        officer,
        case,
        kind="payment",
        amount="100.00",
        applies_to="penalties",
        assessed_on="2030-03-01",
    )
    post(
        client,
        officer,
        case,
        kind="payment",
        amount="0.56",
        applies_to="costs",
        assessed_on="2030-03-01",
    )
    b = client.get(f"/api/cases/{case}/ledger?as_of=2030-03-31", headers=officer.headers).json[
        "balances"
    ]
    assert b["penalties_assessed"] == "333.60"  # 0.10 + 0.20 + 10 days x 33.33
    assert b["penalties_due"] == "233.60" and b["costs_due"] == "1234.00"
    mid = client.get(f"/api/cases/{case}/ledger?as_of=2030-02-05", headers=officer.headers).json
    assert mid["balances"]["penalties_assessed"] == "166.95"  # five days accrued so far


@pytest.mark.rule("JC 5(b)(i)")
def test_costs_are_never_waived(client, officer, jc_case) -> None:
    case = jc_case()
    post(client, officer, case, kind="penalty", amount="500.00", assessed_on="2030-01-10")
    post(client, officer, case, kind="abatement_cost", amount="300.00", assessed_on="2030-01-10")
    r = post(
        client,
        officer,
        case,
        kind="cancellation",
        amount="50.00",
        applies_to="costs",
        assessed_on="2030-02-01",
    )
    assert r.status_code == 422 and "cannot be waived" in r.json["error"]
    r = post(client, officer, case, kind="cancellation", amount="600.00", assessed_on="2030-02-01")
    assert r.status_code == 422 and "costs cannot be cancelled" in r.json["error"]
    assert (
        post(
            client, officer, case, kind="cancellation", amount="200.00", assessed_on="2030-02-01"
        ).status_code
        == 201
    )
    b = client.get(f"/api/cases/{case}/ledger?as_of=2030-02-02", headers=officer.headers).json[
        "balances"
    ]
    assert b["penalties_due"] == "300.00" and b["costs_due"] == "300.00"
    r = post(client, officer, case, kind="payment", amount="10.00", assessed_on="2030-02-01")
    assert r.status_code == 422 and "applies_to" in r.json["error"]


@pytest.mark.rule("JC 4(b)(i)")
def test_lien_due_on_day_90_not_day_89(client, officer, jc_case) -> None:
    case = jc_case()
    post(client, officer, case, kind="penalty", amount="750.00", assessed_on="2030-01-01")

    def due(on: str) -> dict:
        return client.get(f"/api/cases/{case}/ledger?as_of={on}", headers=officer.headers).json[
            "lien_due"
        ]

    assert due("2030-03-31")["due"] is False  # day 89
    assert (
        due("2030-04-01")["due"] is True and due("2030-04-01")["due_on"] == "2030-04-01"
    )  # day 90
    assert "Rule 4(b)(i)" in due("2030-04-01")["citation"]
    r = client.post(
        f"/api/cases/{case}/liens",
        headers=officer.headers,
        json={"recorded_on": "2030-03-31", "recording_number": "2030-0001234"},
    )
    assert r.status_code == 409 and "due on 2030-04-01" in r.json["error"]
    lien = client.post(
        f"/api/cases/{case}/liens",
        headers=officer.headers,
        json={"recorded_on": "2030-04-02", "recording_number": "2030-0001234"},
    ).json
    assert lien["status"] == "recorded" and lien["amount"] == "750.00"
    r = client.post(
        f"/api/liens/{lien['id']}/release",
        headers=officer.headers,
        json={"released_on": "2030-05-01"},
    )
    assert r.status_code == 409  # satisfied first
    r = client.post(
        f"/api/liens/{lien['id']}/satisfy",
        headers=officer.headers,
        json={"satisfied_on": "2030-04-01"},
    )
    assert r.status_code == 422
    assert (
        client.post(
            f"/api/liens/{lien['id']}/satisfy",
            headers=officer.headers,
            json={"satisfied_on": "2030-04-20"},
        ).json["status"]
        == "satisfied"
    )
    ledger = client.get(f"/api/cases/{case}/ledger", headers=officer.headers).json
    assert [x["status"] for x in ledger["liens"]] == ["satisfied"]  # still on the property
    assert (
        client.post(
            f"/api/liens/{lien['id']}/release",
            headers=officer.headers,
            json={"released_on": "2030-05-01"},
        ).json["released_on"]
        == "2030-05-01"
    )


def test_a_paid_penalty_is_no_lien(client, officer, jc_case) -> None:
    case = jc_case()
    post(client, officer, case, kind="penalty", amount="100.00", assessed_on="2030-01-01")
    post(client, officer, case, kind="penalty", amount="50.00", assessed_on="2030-02-15")
    post(
        client,
        officer,
        case,
        kind="payment",
        amount="100.00",
        applies_to="penalties",
        assessed_on="2030-01-20",
    )
    due = client.get(f"/api/cases/{case}/ledger?as_of=2030-05-01", headers=officer.headers).json[
        "lien_due"
    ]
    # The first penalty was paid; the second has been unpaid since Feb 15: due May 16.
    assert due["due"] is False and due["due_on"] == "2030-05-16" and due["amount"] == "50.00"


def voucher(client, officer, case: str, amount: str, on: str):
    return client.post(
        f"/api/cases/{case}/vouchers",
        headers=officer.headers,
        json={
            "amount": amount,
            "issued_on": on,
            "approved_by": "DCD Director",
            "purpose": "Dump fees for illegally dumped tires",
        },
    )


@pytest.mark.slow
@pytest.mark.rule("JC 7(b)(i)", "JC 7(b)(ii)", "JC 7(b)(iii)")
def test_voucher_limits(client, officer, jc_case) -> None:
    # Vouchers are paid from the enforcement fund (Rule 6(a)(iv)): enough for all of them.
    r = client.post(
        "/api/jurisdictions/jefferson-county-wa/fund",
        headers=officer.headers,
        json={
            "kind": "deposit",
            "amount": "20000.00",
            "entry_on": "2030-01-01",
            "description": "Penalties collected",
        },
    )
    assert r.status_code == 201, r.json
    case = jc_case()
    r = voucher(client, officer, case, "250.01", "2030-03-01")
    assert (
        r.status_code == 422
        and r.json["details"]["rule"] == "max_amount"
        and "$250.00" in r.json["error"]
    )
    assert voucher(client, officer, case, "250.00", "2030-03-01").status_code == 201
    # Same household (same property, another case), within three years.
    again = jc_case()
    r = voucher(client, officer, again, "100.00", "2033-02-28")
    assert r.status_code == 422 and r.json["details"]["rule"] == "household_interval"
    assert (
        voucher(client, officer, again, "100.00", "2033-03-01").status_code == 201
    )  # three years on
    # The yearly total: 19 more households at $250 reach $4,850 + ... then the limit holds.
    for i in range(19):
        assert (
            voucher(
                client, officer, jc_case(f"{i + 1} Water Street"), "250.00", "2030-06-01"
            ).status_code
            == 201
        )
    r = voucher(client, officer, jc_case("99 Water Street"), "10.00", "2030-07-01")
    assert r.status_code == 422 and r.json["details"]["rule"] == "annual_total"
    assert r.json["details"]["spent"] == "5000.00"
    assert (
        voucher(client, officer, jc_case("99 Water Street"), "10.00", "2031-01-02").status_code
        == 201
    )


def test_no_voucher_program_elsewhere(client, officer) -> None:
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json[
        "case_number"
    ]
    r = voucher(client, officer, case, "50.00", "2030-03-01")
    assert r.status_code == 422 and r.json["details"]["rule"] == "no_voucher_program"


@pytest.mark.parametrize("role", ["public", "records", "attorney"])
def test_money_roles(client, officer, make_user, jc_case, role) -> None:
    case = jc_case()
    h = {} if role == "public" else make_user(role).headers
    r = client.post(
        f"/api/cases/{case}/ledger",
        headers=h,
        json={"kind": "penalty", "amount": "1.00", "assessed_on": "2030-01-01"},
    )
    assert r.status_code == (401 if role == "public" else 403)
    assert client.get(f"/api/cases/{case}/ledger", headers=h).status_code == (
        401 if role == "public" else 200
    )


def test_an_entry_names_only_a_document_of_its_case(client, officer) -> None:
    """A document id that is no document (found by fuzzing: an IntegrityError, 500) or one of
    another case is refused beside the field; nothing is written."""
    built, other = (build_case(client, officer.headers, "los-gatos-ca") for _ in range(2))
    doc = issue(client, officer.headers, other, "notice_of_violation")
    for document_id in (987654, doc["id"]):
        r = post(
            client,
            officer,
            built.case,
            kind="penalty",
            amount="1.00",
            assessed_on="2030-01-02",
            document_id=document_id,
        )
        assert r.status_code == 422 and "field" in r.json["details"], r.json
        assert r.json["details"]["field"] == "document_id"
        assert f"is not a document of case {built.case}" in r.json["error"]
    ledger = client.get(f"/api/cases/{built.case}/ledger", headers=officer.headers).json
    assert ledger["entries"] == []


def lien_due(client, officer, case: str, on: str) -> dict:
    return client.get(f"/api/cases/{case}/ledger?as_of={on}", headers=officer.headers).json[
        "lien_due"
    ]


@pytest.mark.rule("JC 4(b)(i)", "JC 4(b)(ii)")
def test_unpaid_costs_alone_are_a_lien(client, officer, jc_case) -> None:
    """An $800 abatement cost unpaid for 151 days is a lien of $800 (it was refused, 409,
    'no unpaid penalty', when only penalties counted); its 90 days run from when it fell due."""
    case = jc_case()
    post(client, officer, case, kind="abatement_cost", amount="800.00", assessed_on="2030-01-01")
    assert lien_due(client, officer, case, "2030-03-31")["due"] is False  # day 89
    due = lien_due(client, officer, case, "2030-06-01")  # 151 days
    assert due["due"] is True and due["due_on"] == "2030-04-01"
    assert due["amount"] == "800.00" and due["costs"] == "800.00" and due["penalties"] == "0.00"
    assert due["make_up"] == "$800.00 in unpaid costs"
    r = client.post(
        f"/api/cases/{case}/liens",
        headers=officer.headers,
        json={"recorded_on": "2030-06-01", "recording_number": "2030-0000800"},
    )
    assert r.status_code == 201, r.json
    assert r.json["amount"] == "800.00"


@pytest.mark.rule("JC 4(b)(i)", "JC 4(b)(ii)")
def test_a_lien_covers_penalties_and_costs(client, officer, jc_case, signed_in, clock) -> None:
    """$100 penalty + $800 cost unpaid: the lien is $900 (it was $100), and the ledger says
    what it is made of in words."""
    case = jc_case()
    post(client, officer, case, kind="penalty", amount="100.00", assessed_on="2030-01-01")
    post(client, officer, case, kind="abatement_cost", amount="800.00", assessed_on="2030-01-01")
    due = lien_due(client, officer, case, "2030-06-01")
    assert due["due"] is True and due["amount"] == "900.00"
    assert due["make_up"] == "$100.00 in unpaid penalties and $800.00 in unpaid costs"
    clock("2030-06-01T12:00:00-07:00")
    signed_in("officer")
    page = client.get(f"/cases/{case}/ledger").get_data(as_text=True)
    assert "$900.00, made of $100.00 in unpaid penalties and $800.00 in unpaid costs" in page
    r = client.post(
        f"/api/cases/{case}/liens",
        headers=officer.headers,
        json={"recorded_on": "2030-06-01", "recording_number": "2030-0000900"},
    )
    assert r.status_code == 201 and r.json["amount"] == "900.00", r.json


@pytest.mark.rule("JC 4(b)(i)", "JC 4(b)(ii)")
def test_each_amount_starts_its_own_clock(client, officer, jc_case) -> None:
    """A cost paid in part settles the oldest first; the lien falls due 90 days after the
    oldest amount still unpaid, and then covers everything unpaid that day."""
    case = jc_case()
    post(client, officer, case, kind="compliance_cost", amount="200.00", assessed_on="2030-01-01")
    post(client, officer, case, kind="abatement_cost", amount="300.00", assessed_on="2030-02-01")
    post(client, officer, case, kind="penalty", amount="50.00", assessed_on="2030-03-01")
    post(
        client,
        officer,
        case,
        kind="payment",
        amount="200.00",
        applies_to="costs",
        assessed_on="2030-01-15",
    )
    due = lien_due(client, officer, case, "2030-05-01")
    # The January cost is paid; the February one has been unpaid since Feb 1: due May 2.
    assert due["due"] is False and due["due_on"] == "2030-05-02"
    assert due["clocks"] == {"penalties": "2030-05-30", "costs": "2030-05-02"}
    assert lien_due(client, officer, case, "2030-05-02")["amount"] == "350.00"
