"""Settlements of penalties (Jefferson County Rule 5; JCC 19.30.025): exact parts, deferral of
at most three years, cancellation only once compliance is sustained, costs never settled."""

from __future__ import annotations

import pytest

from tests.conftest import complaint_case


@pytest.fixture
def owed(client, officer):
    """A Jefferson County case owing $4,333.33 in penalties and $310.45 in costs."""
    h = officer.headers
    case = client.post(
        "/api/cases", headers=h, json=complaint_case(jurisdiction="jefferson-county-wa")
    ).json["case_number"]
    for entry in (
        {"kind": "penalty", "amount": "1000.00", "assessed_on": "2030-01-02"},
        # 30 days at $111.11: $3,333.30
        {
            "kind": "daily_penalty",
            "amount": "111.11",
            "assessed_on": "2030-01-03",
            "ends_on": "2030-02-01",
        },
        {
            "kind": "payment",
            "amount": "0.97",
            "applies_to": "penalties",
            "assessed_on": "2030-02-02",
        },
        {"kind": "abatement_cost", "amount": "310.45", "assessed_on": "2030-01-20"},
    ):
        assert client.post(f"/api/cases/{case}/ledger", headers=h, json=entry).status_code == 201
    return case


def ledger(client, h, case: str, on: str) -> dict:
    return client.get(f"/api/cases/{case}/ledger?as_of={on}", headers=h).json


# A finding on each of Jefferson County's factors (Rule 5(a)(iii)).
FINDINGS = {
    "A": "Answered every notice; cleared half the lot by the first reinspection.",
    "B": "Appeared at the hearing.",
    "C": "First violation on this property.",
    "D": "Hauled 12 yards of debris within 30 days.",
    "E": "Owner is recovering from surgery.",
}


def settle(client, h, case: str, **terms):
    """Settle with findings on the factors (`factors=None`: none, where the profile lists none)."""
    body = {"entered_on": "2030-03-01", "approved_by": "Director, DCD", "factors": FINDINGS}
    body |= terms
    if body["factors"] is None:
        del body["factors"]
    return client.post(f"/api/cases/{case}/settlements", headers=h, json=body)


def test_settlement_arithmetic_with_deferral_and_cancellation(client, officer, owed) -> None:
    h = officer.headers
    assert ledger(client, h, owed, "2030-03-01")["balances"]["penalties_due"] == "4332.33"
    r = settle(
        client,
        h,
        owed,
        pay_amount="1332.33",
        pay_by="2030-03-31",
        deferred_amount="2000.00",
        deferred_until="2033-03-01",
        cancel_amount="1000.00",
        compliance_through="2031-03-01",
    )
    assert r.status_code == 201, r.json
    s = r.json
    assert s["penalties_at_entry"] == "4332.33" and s["status"] == "active"

    mid = ledger(client, h, owed, "2030-06-01")
    b = mid["balances"]
    # Held: 2,000.00 deferred + 1,000.00 awaiting compliance; 1,332.33 due now.
    assert b["penalties_due"] == "4332.33" and b["penalties_held"] == "3000.00"
    assert b["penalties_due_now"] == "1332.33" and b["costs_due"] == "310.45"  # costs untouched
    assert mid["lien_due"]["due"] is True  # the part to be paid has been unpaid > 90 days
    client.post(
        f"/api/cases/{owed}/ledger",
        headers=h,
        json={
            "kind": "payment",
            "amount": "1332.33",
            "applies_to": "penalties",
            "assessed_on": "2030-03-20",
        },
    )
    after_pay = ledger(client, h, owed, "2030-06-01")
    assert after_pay["balances"]["penalties_due_now"] == "0.00"
    # The held penalties are no part of a lien; the costs, never settled, still are.
    assert after_pay["lien_due"]["make_up"] == "$310.45 in unpaid costs"
    assert list(after_pay["lien_due"]["clocks"]) == ["costs"]

    early = client.post(
        f"/api/settlements/{s['id']}/complete", headers=h, json={"on": "2031-02-28"}
    )
    assert early.status_code == 409 and "2031-03-01" in early.json["error"]
    done = client.post(f"/api/settlements/{s['id']}/complete", headers=h, json={"on": "2031-03-01"})
    assert done.status_code == 200 and done.json["status"] == "completed"
    later = ledger(client, h, owed, "2031-03-01")
    b = later["balances"]
    assert b["penalties_cancelled"] == "1000.00" and b["penalties_held"] == "2000.00"
    assert b["penalties_due"] == "2000.00" and b["penalties_due_now"] == "0.00"
    cancellation = [e for e in later["entries"] if e["kind"] == "cancellation"]
    assert [e["amount"] for e in cancellation] == ["1000.00"]
    assert done.json["cancellation_entry_id"] == cancellation[0]["id"]

    # The deferral ends on 1 March 2033: the 2,000.00 falls due then, and a lien 90 days on.
    end = ledger(client, h, owed, "2033-03-01")
    assert end["balances"]["penalties_held"] == "0.00"
    assert end["balances"]["penalties_due_now"] == "2000.00"
    assert end["lien_due"]["clocks"]["penalties"] == "2033-05-30"
    assert end["lien_due"]["amount"] == "2310.45"  # with the costs, unpaid since 2030


def test_parts_must_add_up_exactly(client, officer, owed) -> None:
    r = settle(client, officer.headers, owed, pay_amount="4332.32")
    assert r.status_code == 422 and "4332.33" in r.json["error"] and "Costs" in r.json["error"]
    r = settle(client, officer.headers, owed, pay_amount="4642.78")  # penalties + costs
    assert r.status_code == 422


@pytest.mark.parametrize(
    ("until", "ok"),
    [("2033-03-01", True), ("2033-03-02", False), ("2030-03-01", False)],
)
@pytest.mark.rule("JC 5(a)(v)")
def test_deferral_is_at_most_three_years(client, officer, owed, until, ok) -> None:
    r = settle(client, officer.headers, owed, deferred_amount="4332.33", deferred_until=until)
    assert (r.status_code == 201) is ok
    if not ok:
        assert r.json["details"]["field"] == "deferred_until"
        assert r.json["details"]["latest"] == "2033-03-01"


def test_a_leap_day_deferral_ends_on_the_last_day_of_february(client, officer) -> None:
    h = officer.headers
    case = client.post(
        "/api/cases", headers=h, json=complaint_case(jurisdiction="jefferson-county-wa")
    ).json["case_number"]
    client.post(
        f"/api/cases/{case}/ledger",
        headers=h,
        json={"kind": "penalty", "amount": "500.00", "assessed_on": "2032-01-10"},
    )
    r = settle(
        client,
        h,
        case,
        entered_on="2032-02-29",
        deferred_amount="500.00",
        deferred_until="2035-03-01",
    )
    assert r.status_code == 422 and r.json["details"]["latest"] == "2035-02-28"


def test_a_breach_makes_the_held_penalties_due(client, officer, owed) -> None:
    h = officer.headers
    s = settle(
        client,
        h,
        owed,
        deferred_amount="3332.33",
        deferred_until="2032-03-01",
        cancel_amount="1000.00",
        compliance_through="2031-03-01",
    ).json
    assert "penalties" not in ledger(client, h, owed, "2030-09-01")["lien_due"]["clocks"]
    assert settle(client, h, owed, pay_amount="1.00").status_code == 409  # one at a time
    r = client.post(f"/api/settlements/{s['id']}/breach", headers=h, json={"on": "2030-09-01"})
    assert r.status_code == 200 and r.json["status"] == "breached"
    b = ledger(client, h, owed, "2030-09-01")
    assert b["balances"]["penalties_due_now"] == "4332.33"
    assert b["lien_due"]["clocks"]["penalties"] == "2030-11-30"
    again = client.post(f"/api/settlements/{s['id']}/breach", headers=h, json={"on": "2030-09-02"})
    assert again.status_code == 409
    done = client.post(f"/api/settlements/{s['id']}/complete", headers=h, json={"on": "2031-03-01"})
    assert done.status_code == 409


def test_settlement_clock_and_terms(client, officer, owed) -> None:
    h = officer.headers
    r = settle(client, h, owed, cancel_amount="4332.33")
    assert r.status_code == 422 and r.json["details"]["field"] == "compliance_through"
    s = settle(client, h, owed, cancel_amount="4332.33", compliance_through="2030-09-01").json
    c = {x["name"]: x for x in client.get(f"/api/cases/{owed}/clocks", headers=h).json["clocks"]}
    assert c["settlement_compliance"]["due_at"] == "2030-09-01T23:59:59-07:00"
    assert c["settlement_compliance"]["settlement_id"] == s["id"]
    client.post(f"/api/settlements/{s['id']}/complete", headers=h, json={"on": "2030-09-01"})
    c = {x["name"]: x for x in client.get(f"/api/cases/{owed}/clocks", headers=h).json["clocks"]}
    assert c["settlement_compliance"]["status"] == "met"
    assert ledger(client, h, owed, "2030-09-01")["balances"]["penalties_due"] == "0.00"


def test_nothing_to_settle_and_roles(client, officer, records, owed) -> None:
    h = officer.headers
    r = settle(client, h, owed, entered_on="2029-12-01", pay_amount="1.00")
    assert r.status_code == 409 and "nothing to settle" in r.json["error"]
    assert settle(client, records.headers, owed, pay_amount="4332.33").status_code == 403
    r = settle(client, h, owed, pay_amount="4332.33", bogus="x")
    assert r.status_code == 422
    assert (
        client.post(
            "/api/settlements/999/complete", headers=h, json={"on": "2030-01-01"}
        ).status_code
        == 404
    )


def test_profiles_without_deferral_refuse_it(client, officer) -> None:
    h = officer.headers
    case = client.post("/api/cases", headers=h, json=complaint_case()).json["case_number"]
    client.post(
        f"/api/cases/{case}/ledger",
        headers=h,
        json={"kind": "penalty", "amount": "200.00", "assessed_on": "2030-01-10"},
    )
    r = settle(client, h, case, deferred_amount="200.00", deferred_until="2031-01-01", factors=None)
    assert r.status_code == 422 and "no deferral" in r.json["error"]
    assert (
        settle(
            client,
            h,
            case,
            pay_amount="150.00",
            cancel_amount="50.00",
            compliance_through="2030-06-01",
            factors=None,
        ).status_code
        == 201
    )


@pytest.mark.rule("JC 5(a)(iii)")
def test_a_settlement_records_a_finding_on_each_factor(client, officer, owed, signed_in) -> None:
    """Each factor the director considers (A to E) needs a finding; a missing one is named in
    words, an unknown one refused; the findings show on the settlement."""
    h = officer.headers
    r = settle(client, h, owed, pay_amount="4332.33", factors={})
    assert r.status_code == 422, r.json
    assert r.json["details"]["field"] == "factors.A"
    assert "answered the notices and cooperated" in r.json["error"]
    assert "Rule 5(a)(iii)" in r.json["error"]
    missing_c = {k: v for k, v in FINDINGS.items() if k != "C"}
    r = settle(client, h, owed, pay_amount="4332.33", factors=missing_c)
    assert r.status_code == 422 and "repeat violation" in r.json["error"]
    r = settle(client, h, owed, pay_amount="4332.33", factors=FINDINGS | {"F": "x"})
    assert r.status_code == 422 and "'F' is not one of the settlement factors" in r.json["error"]
    r = settle(client, h, owed, pay_amount="4332.33", factors=FINDINGS | {"D": "   "})
    assert r.status_code == 422  # an empty finding is no finding
    r = settle(client, h, owed, pay_amount="4332.33")
    assert r.status_code == 201 and r.json["factors"] == FINDINGS
    view = ledger(client, h, owed, "2030-03-01")
    assert view["settlements"][0]["factors"]["C"] == "First violation on this property."
    assert [f["code"] for f in view["settlement_factors"]] == ["A", "B", "C", "D", "E"]
    signed_in("officer")
    page = client.get(f"/cases/{owed}/ledger").get_data(as_text=True)
    assert "C. Whether the violation or nuisance was a repeat violation" in page
    assert "First violation on this property." in page
    assert 'name="factor-E"' in page  # the form asks for a finding on each


@pytest.mark.rule("JC 5(a)(iii)")
def test_factors_are_only_where_the_profile_lists_them(client, officer) -> None:
    h = officer.headers
    case = client.post("/api/cases", headers=h, json=complaint_case()).json["case_number"]
    client.post(
        f"/api/cases/{case}/ledger",
        headers=h,
        json={"kind": "penalty", "amount": "100.00", "assessed_on": "2030-01-02"},
    )
    r = settle(client, h, case, pay_amount="100.00")
    assert r.status_code == 422 and "lists no settlement factors" in r.json["error"]
    r = settle(client, h, case, pay_amount="100.00", factors=None)
    assert r.status_code == 201 and r.json["factors"] is None
    view = ledger(client, h, case, "2030-03-01")
    assert view["settlement_factors"] == []


@pytest.mark.rule("JC 5(a)(iii)", "JC 5(a)(viii)")
def test_the_settlements_report_counts_the_factors(client, officer, owed, clock) -> None:
    h = officer.headers
    assert settle(client, h, owed, pay_amount="4332.33").status_code == 201
    clock("2031-01-15T09:00:00-08:00")
    report = client.get(
        "/api/reports/settlements?jurisdiction=jefferson-county-wa&year=2030&format=json",
        headers=h,
    ).json
    factors = next(t for t in report["tables"] if t["key"] == "factors")
    rows = {r[0]: r for r in factors["rows"]}
    assert rows["C. Whether the violation or nuisance was a repeat violation"][1:] == [1, 0]
    assert factors["note"].startswith("Rules of Procedure, Rule 5(a)(iii)")
