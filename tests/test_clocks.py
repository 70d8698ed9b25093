"""Each profile's clocks, met or missed, and the officer's due list in priority order."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import complaint_case

INSPECTION = {
    "investigator": "Officer Ruiz",
    "place": "Sidewalk",
    "violations_observed": "Weeds",
    "conditions_observed": "",
    "witnesses": "",
    "evidence": "",
    "discussions": "",
    "action_needed": "Mow",
    "recommended_action": "Notice",
    "referrals": "",
}


def clocks(client, h, case: str) -> dict:  # type: ignore[no-untyped-def]
    return {c["name"]: c for c in client.get(f"/api/cases/{case}/clocks", headers=h).json["clocks"]}


def test_lees_summit_investigates_within_five_business_days(client, officer, clock) -> None:  # type: ignore[no-untyped-def]
    advance = clock("2030-11-25T09:00:00-06:00")  # Monday of Thanksgiving week
    h = officer.headers
    body = complaint_case(jurisdiction="lees-summit-mo", received_at="2030-11-25T08:30:00-06:00")
    case = client.post("/api/cases", headers=h, json=body).json["case_number"]
    c = clocks(client, h, case)["investigate"]
    # Five business days after Mon Nov 25, skipping Thanksgiving (Thu 28): Tue Dec 3.
    assert c["due_at"] == "2030-12-03T23:59:59-06:00" and c["status"] == "due"
    assert "II.B.3" in c["citation"]
    advance(timedelta(days=9))  # Wed Dec 4: overdue
    assert clocks(client, h, case)["investigate"]["status"] == "overdue"
    client.post(
        f"/api/cases/{case}/inspections",
        headers=h,
        json=INSPECTION | {"visited_at": "2030-12-02T10:00:00-06:00"},
    )
    assert clocks(client, h, case)["investigate"]["status"] == "met"


def test_los_gatos_contacts_the_complainant_within_two_business_days(
    client, officer, clock
) -> None:  # type: ignore[no-untyped-def]
    advance = clock("2030-12-24T09:00:00-08:00")
    h = officer.headers
    body = complaint_case(jurisdiction="los-gatos-ca", received_at="2030-12-24T08:00:00-08:00")
    case = client.post("/api/cases", headers=h, json=body).json["case_number"]
    c = clocks(client, h, case)["contact_complainant"]
    assert c["due_at"] == "2030-12-27T23:59:59-08:00"  # Christmas skipped
    advance(timedelta(days=4))
    assert clocks(client, h, case)["contact_complainant"]["status"] == "overdue"
    r = client.post(
        f"/api/cases/{case}/complainant-contact",
        headers=h,
        json={"contacted_at": "2030-12-28T08:30:00-08:00"},
    )
    assert r.status_code == 200
    assert {c["name"]: c for c in r.json["clocks"]}["contact_complainant"]["status"] == "met_late"
    r = client.post(
        f"/api/cases/{case}/complainant-contact",
        headers=h,
        json={"contacted_at": "2031-06-01T10:00:00-08:00"},
    )
    assert r.status_code == 422  # in the future


def test_compliance_clock_met_when_the_violations_are_corrected(client, officer, clock) -> None:  # type: ignore[no-untyped-def]
    from tests.documents_helpers import build_case, document_body

    advance = clock("2030-11-20T09:00:00-08:00")
    h = officer.headers
    built = build_case(client, h, "los-gatos-ca")
    doc = client.post(
        f"/api/cases/{built.case}/documents",
        headers=h,
        json=document_body(
            "warning_notice",
            built,
            served={"method": "door_hanger", "served_at": "2030-11-20T09:05:00-08:00"},
        ),
    ).json
    c = clocks(client, h, built.case)["compliance"]
    assert c["due_at"] == doc["deadline"] and c["document_id"] == doc["id"] and c["status"] == "due"
    advance(timedelta(days=3))
    client.post(
        f"/api/cases/{built.case}/violations/{built.violations[0]}/correct",
        headers=h,
        json={"corrected_at": "2030-11-22T12:00:00-08:00", "method": "Removed"},
    )
    assert clocks(client, h, built.case)["compliance"]["status"] == "met"


def test_due_list_by_priority_then_date(client, officer, clock) -> None:  # type: ignore[no-untyped-def]
    clock("2030-11-25T09:00:00-06:00")
    h = officer.headers

    def case(address: str, vtype: str | None) -> str:
        body = complaint_case(
            jurisdiction="lees-summit-mo", address=address, received_at="2030-11-25T08:00:00-06:00"
        )
        n = client.post("/api/cases", headers=h, json=body).json["case_number"]
        if vtype:
            client.post(
                f"/api/cases/{n}/violations",
                headers=h,
                json={
                    "violation_type": vtype,
                    "description": "x",
                    "observed_at": "2030-11-25T08:30:00-06:00",
                },
            )
        return n

    plain = case("1 Oak Street", "exterior-property-maintenance")  # no priority rank
    hazard = case("2 Oak Street", "health-hazard")  # priority 1
    permit = case("3 Oak Street", "work-without-permit")  # priority 3
    items = client.get("/api/due", headers=h).json["items"]
    order = [i["case_number"] for i in items if i["name"] == "investigate"]
    assert order == [hazard, permit, plain]
    assert [i["priority"] for i in items if i["name"] == "investigate"] == [1, 3, 99]
    assert client.get("/api/due").status_code == 401
