"""The patrol plan (Lee's Summit II.B.1): areas, properties placed in them by address, reviews
from the street, and each area's coverage in the calendar year, in the API and in the workload
report; a jurisdiction whose rules ask for no yearly review keeps no plan and shows none."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from docsvc.models import AuditEvent, Property
from tests.conftest import complaint_case

LS = "lees-summit-mo"
LG = "los-gatos-ca"


def area(client, h, name: str, jurisdiction: str = LS, **extra):
    return client.post(
        "/api/patrol-areas", headers=h, json={"jurisdiction": jurisdiction, "name": name} | extra
    )


def place(client, h, area_id: int, *addresses: str):
    return client.post(
        f"/api/patrol-areas/{area_id}/properties",
        headers=h,
        json={"properties": [{"address": a} for a in addresses]},
    )


def review(client, h, area_id: int, address: str, on: str, outcome: str = "no_violation"):
    return client.post(
        f"/api/patrol-areas/{area_id}/reviews",
        headers=h,
        json={"address": address, "reviewed_on": on, "outcome": outcome},
    )


def areas(client, h, year: int = 2030, jurisdiction: str = LS) -> dict[str, dict]:
    r = client.get(f"/api/patrol-areas?jurisdiction={jurisdiction}&year={year}", headers=h)
    assert r.status_code == 200, r.json
    return {a["name"]: a for a in r.json}


def workload(client, h, jurisdiction: str = LS, fmt: str = "json"):
    return client.get(
        f"/api/reports/workload?jurisdiction={jurisdiction}&year=2030&format={fmt}", headers=h
    )


@pytest.fixture
def plan(client, officer, clock):
    """Two Lee's Summit areas: North with three properties (one already known from a case),
    South with one; reviews in 2029 and 2030."""
    clock("2030-06-01T09:00:00-05:00")
    h = officer.headers
    case = client.post("/api/cases", headers=h, json=complaint_case(LS, "12 Oak Street"))
    assert case.status_code == 201, case.json
    north = area(client, h, "North", description="North of Highway 50").json["id"]
    south = area(client, h, "South").json["id"]
    r = place(client, h, north, "12 OAK ST.", "14 Oak Street", "16 Oak Street")
    assert r.status_code == 200, r.json
    assert place(client, h, south, "3 Pine Road").status_code == 200
    for address, on in [
        ("12 Oak Street", "2030-02-01"),
        ("12 Oak Street", "2030-05-01"),  # twice in the year: one property reviewed
        ("14 Oak Street", "2030-03-15"),
        ("16 Oak Street", "2029-12-31"),  # last year's review does not count for 2030
    ]:
        r = review(client, h, north, address, on)
        assert r.status_code == 201, r.json
    return north, south, case.json


@pytest.mark.rule("LS II.B.1")
def test_patrol_coverage_per_area_and_year(client, officer, database, plan) -> None:
    north = plan[0]
    h = officer.headers
    got = areas(client, h)
    assert got["North"]["properties"] == 3 and got["North"]["reviewed"] == 2
    assert got["North"]["percent"] == 66.7 and got["North"]["not_reviewed"] == ["16 Oak Street"]
    assert got["North"]["description"] == "North of Highway 50"
    assert (got["South"]["reviewed"], got["South"]["percent"]) == (0, 0.0)
    assert areas(client, h, 2029)["North"]["reviewed"] == 1
    # The case's property was placed, not copied: the address matched as intake matches it.
    with database.session() as s:
        props = s.scalars(select(Property).where(Property.jurisdiction_code == LS)).all()
        assert sorted(p.address for p in props) == [
            "12 Oak Street",
            "14 Oak Street",
            "16 Oak Street",
            "3 Pine Road",
        ]
        assert next(p for p in props if p.address == "12 Oak Street").patrol_area_id == north
        actions = [a for (a,) in s.execute(select(AuditEvent.action)) if a.startswith("patrol.")]
    assert actions.count("patrol.area_add") == 2
    assert actions.count("patrol.assign") == 2
    assert actions.count("patrol.review") == 4

    data = workload(client, h).json
    table = next(t for t in data["tables"] if t["key"] == "patrol_coverage")
    assert table["rows"] == [
        ["North", 3, 2, 66.7, "16 Oak Street"],
        ["South", 1, 0, 0.0, "3 Pine Road"],
    ]
    assert table["total"] == ["All areas", 4, 2, 50.0, 2]
    assert "§II.B.1" in table["note"]
    assert any("II.B.1" in b for b in data["basis"])


@pytest.mark.rule("LS II.B.1")
def test_patrol_coverage_in_the_pdf(client, officer, plan, tmp_path) -> None:
    r = workload(client, officer.headers, fmt="pdf")
    path = tmp_path / "w.pdf"
    path.write_bytes(r.data)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Patrol coverage by area, 2030" in text
    assert "Properties reviewed on patrol in 2030, by area" in text  # the chart, as text
    csv_body = workload(client, officer.headers, fmt="csv").data.decode("utf-8")
    assert "Patrol coverage by area, 2030" in csv_body and "16 Oak Street" in csv_body


@pytest.mark.rule("LS II.B.1")
def test_a_property_moves_between_areas(client, officer, plan) -> None:
    north, south, _ = plan
    h = officer.headers
    assert place(client, h, south, "16 Oak Street").status_code == 200
    got = areas(client, h)
    assert (got["North"]["properties"], got["South"]["properties"]) == (2, 2)
    # Its review now belongs to the area it is in.
    assert review(client, h, south, "16 Oak Street", "2030-05-30").status_code == 201
    assert areas(client, h)["South"]["reviewed"] == 1
    assert review(client, h, north, "16 Oak Street", "2030-05-30").status_code == 422


@pytest.mark.rule("LS II.B.1")
def test_patrol_input_is_checked(client, officer, make_user, plan) -> None:
    north, _, _ = plan
    h = officer.headers
    again = area(client, h, "North")
    assert again.status_code == 409 and "already has a patrol area" in again.json["error"]
    for bad, field in [
        ({"address": "99 Nowhere Lane"}, "address"),
        ({"reviewed_on": "2099-01-01"}, "reviewed_on"),
        ({"outcome": "fine"}, "outcome"),
        ({"reviewed_on": "yesterday"}, "reviewed_on"),
    ]:
        body = {"address": "12 Oak Street", "reviewed_on": "2030-05-01", "outcome": "no_access"}
        r = client.post(f"/api/patrol-areas/{north}/reviews", headers=h, json=body | bad)
        assert r.status_code == 422, (bad, r.json)
        assert field in r.get_data(as_text=True)
    assert place(client, h, north).status_code == 422  # no properties given
    assert review(client, h, 999_999, "12 Oak Street", "2030-05-01").status_code == 404
    elsewhere = make_user("officer", jurisdictions=[LG])
    assert review(client, elsewhere.headers, north, "12 Oak Street", "2030-05-01").status_code == (
        404
    )
    assert areas(client, elsewhere.headers) == {}
    reader = make_user("records")
    assert area(client, reader.headers, "East").status_code == 403
    assert set(areas(client, reader.headers)) == {"North", "South"}


@pytest.mark.rule("LS II.B.1")
def test_no_patrol_plan_where_the_rules_ask_for_none(client, officer, plan) -> None:
    h = officer.headers
    r = area(client, h, "Downtown", jurisdiction=LG)
    assert r.status_code == 422 and "no patrol review" in r.json["error"]
    assert areas(client, h, jurisdiction=LG) == {}
    data = workload(client, h, LG).json
    assert "patrol_coverage" not in [t["key"] for t in data["tables"]]
    assert not any("II.B.1" in b or "PACE" in b for b in data["basis"])
