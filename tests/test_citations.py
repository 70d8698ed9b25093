"""Citations follow a verified field investigation; fines follow the schedule; a policy without
an attorney referral after repeated citations reports none."""

from __future__ import annotations

import pytest

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


def cited_case(client, h, *, inspected: bool = True, address: str = "1418 Elm Street"):
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


def cite(client, h, case, party, violation, number, on="2030-01-06", **extra):
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
        }
        | extra,
    )


@pytest.mark.rule("LG VII.c.ii")
def test_no_citation_without_a_verified_investigation(client, officer) -> None:
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


@pytest.mark.rule("TB XIII.A.2")
def test_citations_say_nothing_of_a_referral_the_policy_lacks(client, officer) -> None:
    """Los Gatos has no attorney referral after repeated citations: the third citation of one
    person for one infraction (across cases) reports none. Tom Bean's is in test_referrals."""
    h = officer.headers
    results = []
    for i in range(3):  # three cases over time, the same respondent and infraction
        case, party, violation = cited_case(client, h, address=f"{i} Elm Street")
        r = cite(client, h, case, party, violation, f"LG-C-{i}")
        assert r.status_code == 201
        results.append(r.json["referral"])
    assert results == [None, None, None]


def test_citation_numbers_are_unique(client, officer) -> None:
    case, party, violation = cited_case(client, officer.headers)
    assert cite(client, officer.headers, case, party, violation, "LG-C-9").status_code == 201
    r = cite(client, officer.headers, case, party, violation, "LG-C-9")
    assert r.status_code == 409 and "already used" in r.json["error"]


def test_citation_roles(client, officer, records) -> None:
    case, party, violation = cited_case(client, officer.headers)
    assert cite(client, records.headers, case, party, violation, "X-1").status_code == 403
    assert cite(client, {}, case, party, violation, "X-1").status_code == 401


def scheduled(client, h, case, party, violation, number, on):
    """A citation whose fine comes from the profile's schedule."""
    body = {
        "violation_id": violation,
        "party_id": party,
        "number": number,
        "issued_on": on,
    }
    return client.post(f"/api/cases/{case}/citations", headers=h, json=body)


@pytest.mark.rule("LG II.a.iii.2", "LG III.b.vi")
def test_fines_follow_the_schedule_by_offence_within_a_year(client, officer) -> None:
    h = officer.headers
    fines = []
    for i, on in enumerate(["2030-01-06", "2030-03-01", "2030-06-01", "2030-12-01"]):
        case, party, violation = cited_case(client, h, address=f"{i} Oak Street")
        r = scheduled(client, h, case, party, violation, f"LG-F-{i}", on)
        assert r.status_code == 201, r.json
        fines.append(r.json["fine"])
    # Los Gatos: $100, $200, then $500 for each later offence within one year.
    assert fines == ["100.00", "200.00", "500.00", "500.00"]
    case, party, violation = cited_case(client, h, address="9 Oak Street")
    # 2031-06-02: only the 2030-12-01 citation is within the year before: a second offence.
    r = scheduled(client, h, case, party, violation, "LG-F-9", "2031-06-02")
    assert r.json["fine"] == "200.00"


def test_a_fine_above_the_maximum_is_refused(client, officer) -> None:
    case, party, violation = cited_case(client, officer.headers)
    r = cite(client, officer.headers, case, party, violation, "LG-M-1", fine="500.01")
    assert r.status_code == 422 and r.json["details"]["maximum"] == "500.00"
    assert "36900" in r.json["error"]


def test_without_a_schedule_the_fine_must_be_given(client, officer) -> None:
    h = officer.headers
    body = complaint_case(jurisdiction="lees-summit-mo", received_at="2030-01-02T09:00:00-06:00")
    case = client.post("/api/cases", headers=h, json=body).json["case_number"]
    party = client.post(
        f"/api/cases/{case}/parties",
        headers=h,
        json={"role": "owner", "name": "Pat Doe", "mailing_address": "PO Box 1"},
    ).json["id"]
    violation = client.post(
        f"/api/cases/{case}/violations",
        headers=h,
        json={
            "violation_type": "inoperable-vehicle",
            "description": "Car on blocks",
            "observed_at": "2030-01-05T09:00:00-06:00",
        },
    ).json["id"]
    client.post(
        f"/api/cases/{case}/inspections",
        headers=h,
        json=INSPECTION | {"visited_at": "2030-01-05T10:00:00-06:00"},
    )
    r = scheduled(client, h, case, party, violation, "LS-1", "2030-01-06")
    assert r.status_code == 422 and r.json["details"]["field"] == "fine"
    assert cite(client, h, case, party, violation, "LS-1", fine="750.00").json["fine"] == "750.00"


def test_citation_outcomes(client, officer) -> None:
    h = officer.headers
    case, party, violation = cited_case(client, h)
    c = cite(client, h, case, party, violation, "LG-O-1").json
    url = f"/api/citations/{c['id']}/outcome"
    r = client.post(
        url,
        headers=h,
        json={"outcome": "reduced", "outcome_on": "2030-02-10", "fine_imposed": "100.00"},
    )
    assert r.status_code == 422 and r.json["details"]["field"] == "fine_imposed"
    r = client.post(
        url,
        headers=h,
        json={"outcome": "dismissed", "outcome_on": "2030-02-10", "fine_imposed": "5.00"},
    )
    assert r.status_code == 422
    r = client.post(url, headers=h, json={"outcome": "pending", "outcome_on": "2030-02-10"})
    assert r.status_code == 422
    r = client.post(
        url,
        headers=h,
        json={"outcome": "reduced", "outcome_on": "2030-01-01", "fine_imposed": "50.00"},
    )
    assert r.status_code == 422  # before it was issued
    r = client.post(
        url,
        headers=h,
        json={"outcome": "reduced", "outcome_on": "2030-02-10", "fine_imposed": "50.00"},
    )
    assert r.status_code == 200
    assert (r.json["outcome"], r.json["outcome_on"], r.json["fine_imposed"]) == (
        "reduced",
        "2030-02-10",
        "50.00",
    )
    again = client.post(url, headers=h, json={"outcome": "paid", "outcome_on": "2030-02-11"})
    assert again.status_code == 409
    listed = client.get(f"/api/cases/{case}/citations", headers=h).json
    assert [(x["number"], x["outcome"]) for x in listed] == [("LG-O-1", "reduced")]
    paid = cite(client, h, case, party, violation, "LG-O-2").json
    r = client.post(
        f"/api/citations/{paid['id']}/outcome",
        headers=h,
        json={"outcome": "paid", "outcome_on": "2030-02-01"},
    )
    assert r.json["fine_imposed"] == "100.00"  # the fine cited, unless the court set another
    assert (
        client.post(
            "/api/citations/9999/outcome",
            headers=h,
            json={"outcome": "paid", "outcome_on": "2030-02-01"},
        ).status_code
        == 404
    )


@pytest.mark.rule("LG III.b.v", "LG III.b.vi")
def test_a_repeat_violation_is_fined_as_a_later_offence_of_the_first(client, officer) -> None:
    """Repeated similar violations accrue to the first reported one: the property's new owner,
    cited for the same kind of violation, is fined as a second offence of the first report."""
    h = officer.headers
    first_case, first_owner, first = cited_case(client, h)
    assert (
        scheduled(client, h, first_case, first_owner, first, "LG-R-1", "2030-01-06").json["fine"]
        == "100.00"
    )

    def new_owner_case(address: str, name: str) -> tuple[str, int, int]:
        case = client.post("/api/cases", headers=h, json=complaint_case(address=address)).json[
            "case_number"
        ]
        owner = client.post(
            f"/api/cases/{case}/parties",
            headers=h,
            json={"role": "owner", "name": name, "mailing_address": "PO Box 12"},
        ).json["id"]
        violation = client.post(
            f"/api/cases/{case}/violations",
            headers=h,
            json={
                "violation_type": "junk-debris",
                "description": "Couch again",
                "observed_at": "2030-03-01T09:00:00-08:00",
            },
        ).json
        client.post(
            f"/api/cases/{case}/inspections",
            headers=h,
            json=INSPECTION | {"visited_at": "2030-03-01T10:00:00-08:00"},
        )
        return case, owner, violation["id"]

    case, owner, repeat = new_owner_case("1418 Elm Street", "Ana Ruiz")
    r = scheduled(client, h, case, owner, repeat, "LG-R-2", "2030-03-02")
    assert r.status_code == 201, r.json
    assert r.json["fine"] == "200.00"  # the second offence of the first report
    # Another owner on another property, with no earlier report there: a first offence.
    case, owner, alone = new_owner_case("7 Birch Lane", "Bo Chen")
    assert scheduled(client, h, case, owner, alone, "LG-R-3", "2030-03-02").json["fine"] == (
        "100.00"
    )
