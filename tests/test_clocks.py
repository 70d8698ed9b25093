"""Each profile's clocks, met or missed, and the officer's due list in priority order."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

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


def case_with(client, h, jurisdiction: str, address: str, vtype: str, at: str) -> str:
    """A complaint case received at `at` with one violation observed half an hour later."""
    body = complaint_case(jurisdiction=jurisdiction, address=address, received_at=at)
    n = client.post("/api/cases", headers=h, json=body).json["case_number"]
    observed = datetime.fromisoformat(at) + timedelta(minutes=30)
    r = client.post(
        f"/api/cases/{n}/violations",
        headers=h,
        json={"violation_type": vtype, "description": "x", "observed_at": observed.isoformat()},
    )
    assert r.status_code == 201
    return n


def clocks(client, h, case: str) -> dict:
    return {c["name"]: c for c in client.get(f"/api/cases/{case}/clocks", headers=h).json["clocks"]}


@pytest.mark.rule("LS II.B.3")
def test_lees_summit_investigates_within_five_business_days(client, officer, clock) -> None:
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


@pytest.mark.rule("LG III.b.i")
def test_los_gatos_contacts_the_complainant_within_two_business_days(
    client, officer, clock
) -> None:
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


@pytest.mark.rule("LG VII.a.iv", "LG VII.a.i")
def test_compliance_clock_met_when_the_violations_are_corrected(client, officer, clock) -> None:
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


@pytest.mark.rule("TB III.A", "TB III.B")
def test_due_list_by_priority_then_date(client, officer, clock) -> None:
    clock("2030-11-25T09:00:00-06:00")
    h = officer.headers

    def case(address: str, vtype: str) -> str:
        return case_with(client, h, "lees-summit-mo", address, vtype, "2030-11-25T08:00:00-06:00")

    plain = case("1 Oak Street", "exterior-property-maintenance")  # no priority rank
    hazard = case("2 Oak Street", "health-hazard")  # priority 1
    permit = case("3 Oak Street", "work-without-permit")  # priority 3
    items = client.get("/api/due", headers=h).json["items"]
    order = [i["case_number"] for i in items if i["name"] == "investigate"]
    assert order == [hazard, permit, plain]
    assert [i["priority"] for i in items if i["name"] == "investigate"] == [1, 3, 99]
    assert client.get("/api/due").status_code == 401


def tom_bean_warning(client, h):
    """A Tom Bean case with a warning notice door-hung on Mon 18 Nov 2030, 09:05."""
    from tests.documents_helpers import build_case, document_body

    built = build_case(client, h, "tom-bean-tx")
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=h,
        json=document_body(
            "warning_notice",
            built,
            served={"method": "door_hanger", "served_at": "2030-11-18T09:05:00-06:00"},
        ),
    )
    assert r.status_code == 201
    return built


@pytest.mark.rule("TB VIII.D.2")
def test_tom_bean_reinspects_after_the_compliance_date(client, officer, clock) -> None:
    advance = clock("2030-11-18T09:00:00-06:00")
    h = officer.headers
    built = tom_bean_warning(client, h)
    c = clocks(client, h, built.case)
    # Ten calendar days from Mon Nov 18 land on Thanksgiving (Thu Nov 28); Texas also closes
    # the Friday after, so the compliance date rolls to Mon Dec 2. Re-inspection: two
    # business days later, Wed Dec 4.
    assert c["compliance"]["due_at"] == "2030-12-02T23:59:59-06:00"
    assert c["reinspection"]["due_at"] == "2030-12-04T23:59:59-06:00"
    assert "VIII.D.2" in c["reinspection"]["citation"] and c["reinspection"]["status"] == "due"
    advance(timedelta(days=17))  # Thu Dec 5: the re-inspection is overdue
    assert clocks(client, h, built.case)["reinspection"]["status"] == "overdue"
    r = client.post(
        f"/api/cases/{built.case}/inspections",
        headers=h,
        json=INSPECTION | {"visited_at": "2030-12-05T10:00:00-06:00"},
    )
    assert r.status_code == 201
    assert clocks(client, h, built.case)["reinspection"]["status"] == "met_late"


@pytest.mark.rule("TB VIII.D.2")
def test_no_reinspection_when_corrected_in_time(client, officer, clock) -> None:
    clock("2030-11-18T09:00:00-06:00")
    h = officer.headers
    built = tom_bean_warning(client, h)
    for v in built.violations:
        client.post(
            f"/api/cases/{built.case}/violations/{v}/correct",
            headers=h,
            json={"corrected_at": "2030-11-18T12:00:00-06:00", "method": "Removed"},
        )
    c = clocks(client, h, built.case)
    assert c["compliance"]["status"] == "met" and "reinspection" not in c


@pytest.mark.rule("TB XIII.D")
def test_six_month_follow_up_after_a_closure_with_extenuating_circumstances(
    client, officer, clock
) -> None:
    advance = clock("2030-06-28T10:00:00-05:00")  # Friday 28 June, Central Daylight Time
    h = officer.headers
    body = complaint_case(jurisdiction="tom-bean-tx", received_at="2030-06-27T09:00:00-05:00")
    case = client.post("/api/cases", headers=h, json=body).json["case_number"]
    r = client.post(
        f"/api/cases/{case}/close",
        headers=h,
        json={"reason": "voluntary_compliance", "resolution": "Cleared", "follow_up": True},
    )
    assert r.status_code == 200
    c = clocks(client, h, case)["follow_up_after_closure"]
    # Six months on is Sat 28 Dec 2030 (in Central Standard Time by then); rolls to Mon 30 Dec.
    assert c["due_at"] == "2030-12-30T23:59:59-06:00" and "XIII.D" in c["citation"]
    assert [i["name"] for i in client.get("/api/due", headers=h).json["items"]] == [
        "follow_up_after_closure"
    ]
    advance(timedelta(days=185))
    r = client.post(
        f"/api/cases/{case}/inspections",
        headers=h,
        json=INSPECTION | {"visited_at": "2030-12-30T10:00:00-06:00"},
    )
    assert r.status_code == 201  # the closed case takes its follow-up inspection
    assert clocks(client, h, case)["follow_up_after_closure"]["status"] == "met"
    assert client.get("/api/due", headers=h).json["items"] == []


@pytest.mark.rule("TB XIII.D")
def test_follow_up_only_where_the_profile_sets_one(client, officer) -> None:
    h = officer.headers
    case = client.post("/api/cases", headers=h, json=complaint_case()).json["case_number"]
    r = client.post(
        f"/api/cases/{case}/close",
        headers=h,
        json={"reason": "voluntary_compliance", "resolution": "Cleared", "follow_up": True},
    )
    assert r.status_code == 422 and r.json["details"]["field"] == "follow_up"
    client.post(
        f"/api/cases/{case}/close",
        headers=h,
        json={"reason": "voluntary_compliance", "resolution": "Cleared"},
    )
    r = client.post(
        f"/api/cases/{case}/inspections",
        headers=h,
        json=INSPECTION | {"visited_at": "2026-11-17T10:00:00-08:00"},
    )
    assert r.status_code == 409  # closed without a follow-up: no more inspections


@pytest.mark.rule("LG II.a.i", "LG II.a.ii", "LG II.a.iv")
def test_aggravating_circumstances_raise_priority(client, officer, clock) -> None:
    clock("2030-11-25T09:00:00-08:00")
    h = officer.headers

    def case(address: str, vtype: str) -> str:
        return case_with(client, h, "los-gatos-ca", address, vtype, "2030-11-25T08:00:00-08:00")

    plain = case("1 Main Street", "junk-debris")  # not a priority
    flagrant = case("2 Main Street", "junk-debris")
    hazard = case("3 Main Street", "substandard-structure")  # priority 1
    r = client.put(
        f"/api/cases/{flagrant}/aggravating",
        headers=h,
        json={"circumstances": ["flagrant-visible", "habitual-history"]},
    )
    assert r.status_code == 200 and r.json["priority"] == 6
    assert r.json["aggravating"] == ["habitual-history", "flagrant-visible"]  # profile order
    r = client.put(
        f"/api/cases/{hazard}/aggravating", headers=h, json={"circumstances": ["deliberate"]}
    )
    assert r.json["priority"] == 1  # already higher: an aggravating circumstance never lowers
    items = client.get("/api/due", headers=h).json["items"]
    assert [i["case_number"] for i in items if i["name"] == "contact_complainant"] == [
        hazard,
        flagrant,
        plain,
    ]
    bad = client.put(f"/api/cases/{plain}/aggravating", headers=h, json={"circumstances": ["ugly"]})
    assert bad.status_code == 422 and "flagrant-visible" in bad.json["error"]
    cleared = client.put(
        f"/api/cases/{flagrant}/aggravating", headers=h, json={"circumstances": []}
    )
    assert cleared.json["priority"] == 99


def test_no_aggravating_circumstances_where_the_policy_has_none(client, officer) -> None:
    h = officer.headers
    body = complaint_case(jurisdiction="lees-summit-mo")
    n = client.post("/api/cases", headers=h, json=body).json["case_number"]
    r = client.put(f"/api/cases/{n}/aggravating", headers=h, json={"circumstances": ["deliberate"]})
    assert r.status_code == 422 and "no aggravating" in r.json["error"]
