"""Citations follow a verified field investigation; the third for one infraction refers the
case to the attorney."""

from __future__ import annotations

from tests.conftest import complaint_case

INSPECTION = {
    "investigator": "Officer Ruiz",
    "visited_at": "2030-01-05T10:00:00-08:00",
    "place": "Sidewalk",
    "violations_observed": "Couch on the lawn",
    "conditions_observed": "",
    "witnesses": "",
    "evidence": "Photos",
    "discussions": "",
    "action_needed": "Remove it",
    "recommended_action": "Citation",
    "referrals": "",
}


def cited_case(client, h, *, inspected: bool = True, address: str = "1418 Elm Street"):  # type: ignore[no-untyped-def]
    case = client.post("/api/cases", headers=h, json=complaint_case(address=address)).json[
        "case_number"
    ]
    party = client.post(
        f"/api/cases/{case}/parties",
        headers=h,
        json={"role": "owner", "name": "Smith & Sons <LLC>", "mailing_address": "PO Box 9"},
    ).json["id"]
    violation = client.post(
        f"/api/cases/{case}/violations",
        headers=h,
        json={
            "violation_type": "junk-debris",
            "description": "Couch",
            "observed_at": "2030-01-05T09:00:00-08:00",
        },
    ).json["id"]
    if inspected:
        client.post(f"/api/cases/{case}/inspections", headers=h, json=INSPECTION)
    return case, party, violation


def cite(client, h, case, party, violation, number, on="2030-01-06"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/cases/{case}/citations",
        headers=h,
        json={
            "violation_id": violation,
            "party_id": party,
            "number": number,
            "fine": "100.00",
            "issued_on": on,
            "court": "Municipal Court",
            "hearing_on": "2030-02-10",
        },
    )


def test_no_citation_without_a_verified_investigation(client, officer) -> None:  # type: ignore[no-untyped-def]
    case, party, violation = cited_case(client, officer.headers, inspected=False)
    r = cite(client, officer.headers, case, party, violation, "LG-C-1")
    assert r.status_code == 422 and r.json["details"]["rule"] == "field_investigation_required"
    assert "VII.c.ii" in r.json["details"]["citation"]
    client.post(f"/api/cases/{case}/inspections", headers=officer.headers, json=INSPECTION)
    r = cite(client, officer.headers, case, party, violation, "LG-C-1", on="2030-01-04")
    assert r.status_code == 422  # before the inspection that verified it
    r = cite(client, officer.headers, case, party, violation, "LG-C-1")
    assert (
        r.status_code == 201
        and r.json["fine"] == "100.00"
        and r.json["infraction"] == "junk-debris"
    )


def test_third_citation_for_the_same_infraction_refers_to_the_attorney(client, officer) -> None:  # type: ignore[no-untyped-def]
    h = officer.headers
    results = []
    for i in range(3):  # three cases over time, the same respondent and infraction
        case, party, violation = cited_case(client, h, address=f"{i} Elm Street")
        results.append(cite(client, h, case, party, violation, f"LG-C-{i}").json["referral"])
    assert [r["citations_for_infraction"] for r in results] == [1, 2, 3]
    assert [r["attorney_referral_due"] for r in results] == [False, False, True]
    assert "XIII.A.2" in results[-1]["citation"]


def test_citation_numbers_are_unique(client, officer) -> None:  # type: ignore[no-untyped-def]
    case, party, violation = cited_case(client, officer.headers)
    assert cite(client, officer.headers, case, party, violation, "LG-C-9").status_code == 201
    r = cite(client, officer.headers, case, party, violation, "LG-C-9")
    assert r.status_code == 409 and "already used" in r.json["error"]


def test_citation_roles(client, officer, records) -> None:  # type: ignore[no-untyped-def]
    case, party, violation = cited_case(client, officer.headers)
    assert cite(client, records.headers, case, party, violation, "X-1").status_code == 403
    assert cite(client, {}, case, party, violation, "X-1").status_code == 401
