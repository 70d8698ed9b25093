"""Referrals to the city attorney: after a third citation for one infraction once its
correction period has passed with the violation uncorrected (Tom Bean XIII.A.2), and for a
violation flagged as an imminent threat (Tom Bean XIII.A.1); only where the profile has the
rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from docsvc.models import AuditEvent
from tests.conftest import complaint_case

INSPECTION = {
    "investigator": "Officer Ruiz",
    "visited_at": "2030-01-05T10:00:00-06:00",
    "place": "Sidewalk",
    "violations_observed": "Trash piled in the yard",
    "conditions_observed": "",
    "witnesses": "",
    "evidence": "Photos",
    "discussions": "",
    "action_needed": "Remove it",
    "recommended_action": "Citation",
    "referrals": "",
}


def tb_case(client, h, address: str, name: str = "Pat Doe") -> tuple[str, int, int]:
    """A Tom Bean case: one owner, one nuisance (ten days to correct), inspected on 5 Jan."""
    body = complaint_case(
        jurisdiction="tom-bean-tx",
        address=address,
        received_at="2030-01-04T09:00:00-06:00",
        complaint_type="nuisance",
    )
    case = client.post("/api/cases", headers=h, json=body).json["case_number"]
    party = client.post(
        f"/api/cases/{case}/parties",
        headers=h,
        json={"role": "owner", "name": name, "mailing_address": "PO Box 9"},
    ).json["id"]
    violation = client.post(
        f"/api/cases/{case}/violations",
        headers=h,
        json={
            "violation_type": "nuisance-no-structure",
            "description": "Trash",
            "observed_at": "2030-01-05T09:00:00-06:00",
        },
    ).json["id"]
    assert client.post(f"/api/cases/{case}/inspections", headers=h, json=INSPECTION).status_code
    return case, party, violation


def cite(client, h, case: str, party: int, violation: int, number: str, on: str) -> dict:
    r = client.post(
        f"/api/cases/{case}/citations",
        headers=h,
        json={
            "violation_id": violation,
            "party_id": party,
            "number": number,
            "fine": "100.00",
            "issued_on": on,
        },
    )
    assert r.status_code == 201, r.json
    return r.json


def clocks(client, h, case: str) -> dict:
    return {c["name"]: c for c in client.get(f"/api/cases/{case}/clocks", headers=h).json["clocks"]}


def due(client, h, name: str) -> list[str]:
    items = client.get("/api/due", headers=h).json["items"]
    return [i["case_number"] for i in items if i["name"] == name]


def thrice_cited(client, h) -> tuple[str, int, list[dict]]:
    """One case, its violation cited on 6, 7 and 8 January 2030."""
    case, party, violation = tb_case(client, h, "1 Elm Street")
    cited = [
        cite(client, h, case, party, violation, f"TB-{i}", f"2030-01-0{6 + i}") for i in range(3)
    ]
    return case, violation, cited


# The third citation, 8 Jan, plus the nuisance's ten days: Fri 18 Jan 2030, end of day.
PERIOD_ENDS = "2030-01-18T23:59:59-06:00"


@pytest.mark.rule("TB XIII.A.2")
def test_no_referral_due_at_the_third_citation_itself(client, officer, clock) -> None:
    advance = clock("2030-01-08T09:00:00-06:00")
    h = officer.headers
    case, _, cited = thrice_cited(client, h)
    third = cited[-1]["referral"]
    assert third["citations_for_infraction"] == 3
    assert third["attorney_referral_due"] is False and third["due_at"] == PERIOD_ENDS
    assert "XIII.A.2" in third["citation"]
    c = clocks(client, h, case)["attorney_referral"]
    assert c["status"] == "upcoming" and c["due_at"] == PERIOD_ENDS
    assert due(client, h, "attorney_referral") == []
    advance(timedelta(days=10, hours=14))  # Fri 18 Jan, 23:00: still within the period
    assert due(client, h, "attorney_referral") == []
    advance(timedelta(hours=2))  # Sat 19 Jan: the period has passed, still uncorrected
    assert clocks(client, h, case)["attorney_referral"]["status"] == "overdue"
    assert due(client, h, "attorney_referral") == [case]


@pytest.mark.rule("TB XIII.A.2")
def test_a_corrected_violation_needs_no_referral(client, officer, clock) -> None:
    advance = clock("2030-01-08T09:00:00-06:00")
    h = officer.headers
    case, violation, _ = thrice_cited(client, h)
    advance(timedelta(days=12))  # Sun 20 Jan: overdue
    assert due(client, h, "attorney_referral") == [case]
    r = client.post(
        f"/api/cases/{case}/violations/{violation}/correct",
        headers=h,
        json={"corrected_at": "2030-01-20T08:00:00-06:00", "method": "Hauled away"},
    )
    assert r.status_code == 200
    assert "attorney_referral" not in clocks(client, h, case)
    assert due(client, h, "attorney_referral") == []


@pytest.mark.rule("TB XIII.A.2")
def test_the_due_list_finds_citations_across_cases(client, officer, clock) -> None:
    advance = clock("2030-01-08T09:00:00-06:00")
    h = officer.headers
    cases = []
    for i in range(3):  # three properties of the same person, one citation each
        case, party, violation = tb_case(client, h, f"{i} Oak Street", name="Pat  DOE")
        r = cite(client, h, case, party, violation, f"TB-O-{i}", f"2030-01-0{6 + i}")
        cases.append(case)
    assert r["referral"]["citations_for_infraction"] == 3
    other, party, violation = tb_case(client, h, "9 Oak Street", name="Someone Else")
    cite(client, h, other, party, violation, "TB-O-9", "2030-01-06")
    advance(timedelta(days=11))
    assert due(client, h, "attorney_referral") == [cases[2]]
    assert "attorney_referral" not in clocks(client, h, cases[0])


@pytest.mark.rule("TB XIII.A.2")
def test_no_referral_where_the_policy_has_none(client, officer, clock) -> None:
    from tests.test_citations import cite as lg_cite
    from tests.test_citations import cited_case

    advance = clock("2030-01-08T09:00:00-08:00")
    h = officer.headers
    case, party, violation = cited_case(client, h)
    for i in range(3):
        r = lg_cite(client, h, case, party, violation, f"LG-R-{i}")
        assert r.status_code == 201
    assert r.json["referral"] is None
    advance(timedelta(days=60))
    assert "attorney_referral" not in clocks(client, h, case)
    assert due(client, h, "attorney_referral") == []
    r = client.post(
        f"/api/cases/{case}/referrals",
        headers=h,
        json={"kind": "repeat_citations", "referred_on": "2030-03-01"},
    )
    assert r.status_code == 422 and "no referral" in r.json["error"]


@pytest.mark.rule("TB XIII.A.2")
def test_a_recorded_referral_meets_the_clock(client, officer, clock, records, database) -> None:
    advance = clock("2030-01-08T09:00:00-06:00")
    h = officer.headers
    case, _, _ = thrice_cited(client, h)
    advance(timedelta(days=12))  # Sun 20 Jan
    body = {"kind": "repeat_citations", "referred_on": "2030-01-21", "note": "Fourth visit."}
    assert client.post(f"/api/cases/{case}/referrals", headers=h, json=body).status_code == 422
    r = client.post(
        f"/api/cases/{case}/referrals", headers=h, json=body | {"referred_on": "2030-01-20"}
    )
    assert r.status_code == 201, r.json
    made = r.json
    assert made["referred_to"] == "City Attorney" and made["kind"] == "repeat_citations"
    assert made["basis"]["infraction"] == "nuisance-no-structure"
    assert made["basis"]["citations"] == ["TB-0", "TB-1", "TB-2"]
    c = clocks(client, h, case)["attorney_referral"]
    assert c["status"] == "met_late" and c["met_at"].startswith("2030-01-20")
    assert due(client, h, "attorney_referral") == []
    listed = client.get(f"/api/cases/{case}/referrals", headers=h).json
    assert [x["id"] for x in listed] == [made["id"]]
    assert client.get(f"/api/cases/{case}/referrals", headers=records.headers).status_code == 200
    r = client.post(f"/api/cases/{case}/referrals", headers=records.headers, json=body)
    assert r.status_code == 403
    with database.session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "referral"))
        assert list(actions) == ["referral.record"]


def flagged_case(client, h) -> tuple[str, int]:
    case, _, violation = tb_case(client, h, "5 Pine Street")
    r = client.put(
        f"/api/cases/{case}/violations/{violation}/imminent-threat",
        headers=h,
        json={"imminent_threat": True, "note": "Open cistern beside the school path."},
    )
    assert r.status_code == 200, r.json
    assert r.json["imminent_threat"] is True and r.json["imminent_threat_at"]
    return case, violation


@pytest.mark.rule("TB XIII.A.1")
def test_an_imminent_threat_starts_a_referral_clock(client, officer, clock) -> None:
    advance = clock("2030-01-07T09:00:00-06:00")  # Monday
    h = officer.headers
    case, _ = flagged_case(client, h)
    c = clocks(client, h, case)["attorney_referral_imminent"]
    assert c["status"] == "due" and "XIII.A.1" in c["citation"]
    assert c["due_at"] == "2030-01-08T23:59:59-06:00"  # one business day
    assert due(client, h, "attorney_referral_imminent") == [case]
    advance(timedelta(days=2))
    assert clocks(client, h, case)["attorney_referral_imminent"]["status"] == "overdue"
    r = client.post(
        f"/api/cases/{case}/referrals",
        headers=h,
        json={"kind": "imminent_threat", "referred_on": "2030-01-08", "referred_to": "Mr. Law"},
    )
    assert r.status_code == 201 and r.json["referred_to"] == "Mr. Law"
    assert r.json["basis"]["violations"]
    assert clocks(client, h, case)["attorney_referral_imminent"]["status"] == "met"
    assert due(client, h, "attorney_referral_imminent") == []


@pytest.mark.rule("TB XIII.A.1")
def test_imminent_threat_referral_needs_a_flag(client, officer, clock) -> None:
    clock("2030-01-07T09:00:00-06:00")
    h = officer.headers
    case, _, violation = tb_case(client, h, "6 Pine Street")
    r = client.post(
        f"/api/cases/{case}/referrals",
        headers=h,
        json={"kind": "imminent_threat", "referred_on": "2030-01-07"},
    )
    assert r.status_code == 422 and "imminent threat" in r.json["error"]
    r = client.post(
        f"/api/cases/{case}/referrals",
        headers=h,
        json={"kind": "repeat_citations", "referred_on": "2030-01-07"},
    )
    assert r.status_code == 422 and "citation" in r.json["error"]
    r = client.post(
        f"/api/cases/{case}/referrals",
        headers=h,
        json={"kind": "imminent_threat", "referred_on": "2030-02-07"},
    )
    assert r.status_code == 422  # in the future
    url = f"/api/cases/{case}/violations/{violation}/imminent-threat"
    assert client.put(url, headers=h, json={"imminent_threat": True}).status_code == 200
    r = client.put(url, headers=h, json={"imminent_threat": False})
    assert r.status_code == 200 and r.json["imminent_threat_at"] is None
    assert "attorney_referral_imminent" not in clocks(client, h, case)
    assert (
        client.put(
            f"/api/cases/{case}/violations/99999/imminent-threat",
            headers=h,
            json={"imminent_threat": True},
        ).status_code
        == 404
    )


@pytest.mark.rule("TB XIII.A.1")
def test_no_imminent_threat_clock_where_the_policy_has_none(client, officer, clock) -> None:
    from tests.test_citations import cited_case

    clock("2030-01-08T09:00:00-08:00")
    h = officer.headers
    case, _, violation = cited_case(client, h)
    r = client.put(
        f"/api/cases/{case}/violations/{violation}/imminent-threat",
        headers=h,
        json={"imminent_threat": True},
    )
    assert r.status_code == 200  # the fact is kept: it is a priority everywhere
    assert "attorney_referral_imminent" not in clocks(client, h, case)
    r = client.post(
        f"/api/cases/{case}/referrals",
        headers=h,
        json={"kind": "imminent_threat", "referred_on": "2030-01-08"},
    )
    assert r.status_code == 422


@pytest.mark.rule("TB III.A.1", "LG II.a.i")
def test_an_imminent_threat_ranks_first_until_corrected(client, officer, clock) -> None:
    clock("2030-01-07T09:00:00-06:00")
    h = officer.headers
    case, _, violation = tb_case(client, h, "8 Pine Street")

    def rank() -> int:
        return client.get(f"/api/cases/{case}/clocks", headers=h).json["priority"]

    before = rank()
    assert before > 1  # a nuisance is not a priority of its own
    url = f"/api/cases/{case}/violations/{violation}/imminent-threat"
    assert client.put(url, headers=h, json={"imminent_threat": True}).status_code == 200
    assert rank() == 1
    r = client.post(
        f"/api/cases/{case}/violations/{violation}/correct",
        headers=h,
        json={"corrected_at": "2030-01-07T08:00:00-06:00", "method": "Fenced off"},
    )
    assert r.status_code in (200, 201), r.json
    assert rank() == before


def test_a_flag_ranks_nothing_where_the_profile_gives_no_rank(client, officer) -> None:
    # Lee's Summit's profile ranks by violation type only: the flag is kept, the rank stays.
    h = officer.headers
    body = complaint_case(jurisdiction="lees-summit-mo", address="3 Elm Court")
    case = client.post("/api/cases", headers=h, json=body).json["case_number"]
    violation = client.post(
        f"/api/cases/{case}/violations",
        headers=h,
        json={
            "violation_type": "exterior-property-maintenance",
            "description": "Trash",
            "observed_at": "2026-11-17T10:00:00-06:00",
        },
    ).json["id"]
    before = client.get(f"/api/cases/{case}/clocks", headers=h).json["priority"]
    url = f"/api/cases/{case}/violations/{violation}/imminent-threat"
    assert client.put(url, headers=h, json={"imminent_threat": True}).status_code == 200
    assert client.get(f"/api/cases/{case}/clocks", headers=h).json["priority"] == before > 1
