"""Permits a violation needs, with the time to apply for and to obtain them (Los Gatos
VII.a.vi), and permits withheld or revoked as the policy provides (Los Gatos III.b.ix-x, Tom Bean
IV.B.3-4 and X.B)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from docsvc.models import AuditEvent
from tests.conftest import complaint_case


def lg_case(client, h) -> tuple[str, int]:
    """A Los Gatos case with one violation observed on 5 Jan 2030."""
    body = complaint_case(received_at="2030-01-04T09:00:00-08:00")
    case = client.post("/api/cases", headers=h, json=body).json["case_number"]
    violation = client.post(
        f"/api/cases/{case}/violations",
        headers=h,
        json={
            "violation_type": "junk-debris",
            "description": "Shed built without a permit",
            "observed_at": "2030-01-05T09:00:00-08:00",
        },
    ).json["id"]
    return case, violation


def clocks(client, h, case: str) -> dict:
    return {c["name"]: c for c in client.get(f"/api/cases/{case}/clocks", headers=h).json["clocks"]}


def due(client, h) -> list[tuple[str, str]]:
    items = client.get("/api/due", headers=h).json["items"]
    return [(i["case_number"], i["name"]) for i in items if i["name"].startswith("permit_")]


PERMIT = {"description": "Building permit for the shed", "apply_by": "2030-01-20"}


@pytest.mark.rule("LG VII.a.vi")
def test_a_permit_runs_two_clocks_until_applied_for_and_obtained(
    client, officer, clock, database
) -> None:
    advance = clock("2030-01-10T09:00:00-08:00")
    h = officer.headers
    case, violation = lg_case(client, h)
    body = PERMIT | {"violation_id": violation, "obtain_by": "2030-03-01"}
    r = client.post(f"/api/cases/{case}/permits", headers=h, json=body)
    assert r.status_code == 201, r.json
    permit = r.json["id"]
    c = clocks(client, h, case)
    assert c["permit_apply"]["due_at"] == "2030-01-20T23:59:59-08:00"
    assert c["permit_obtain"]["due_at"] == "2030-03-01T23:59:59-08:00"
    assert c["permit_apply"]["status"] == "due" and "VII.a.vi" in c["permit_apply"]["citation"]
    assert "Building permit for the shed" in c["permit_apply"]["label"]
    assert due(client, h) == [(case, "permit_apply"), (case, "permit_obtain")]
    advance(timedelta(days=11))  # 21 Jan: not applied for yet
    assert clocks(client, h, case)["permit_apply"]["status"] == "overdue"
    url = f"/api/cases/{case}/permits/{permit}"
    # Obtained without an application on record, or in the future: refused in words.
    r = client.patch(url, headers=h, json={"obtained_on": "2030-01-21"})
    assert r.status_code == 422 and r.json["details"]["field"] == "applied_on"
    r = client.patch(url, headers=h, json={"applied_on": "2030-01-22"})
    assert r.status_code == 422 and r.json["details"]["field"] == "applied_on"
    r = client.patch(url, headers=h, json={"applied_on": "2030-01-21"})
    assert r.status_code == 200 and r.json["applied_on"] == "2030-01-21"
    c = clocks(client, h, case)
    assert c["permit_apply"]["status"] == "met_late" and c["permit_obtain"]["status"] == "due"
    assert due(client, h) == [(case, "permit_obtain")]  # applying alone is not compliance
    advance(timedelta(days=20))
    r = client.patch(url, headers=h, json={"obtained_on": "2030-02-10", "permit_number": "B-1"})
    assert r.status_code == 200 and r.json["permit_number"] == "B-1"
    assert clocks(client, h, case)["permit_obtain"]["status"] == "met"
    assert due(client, h) == []
    listed = client.get(f"/api/cases/{case}/permits", headers=h).json
    assert [(p["id"], p["obtained_on"]) for p in listed] == [(permit, "2030-02-10")]
    with database.session() as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "permit"))
        assert list(actions) == ["permit.add", "permit.update", "permit.update"]


@pytest.mark.rule("LG VII.a.vi")
def test_a_violation_corrected_otherwise_needs_no_permit(client, officer, clock) -> None:
    clock("2030-01-10T09:00:00-08:00")
    h = officer.headers
    case, violation = lg_case(client, h)
    body = PERMIT | {"violation_id": violation, "obtain_by": "2030-03-01"}
    assert client.post(f"/api/cases/{case}/permits", headers=h, json=body).status_code == 201
    client.post(
        f"/api/cases/{case}/violations/{violation}/correct",
        headers=h,
        json={"corrected_at": "2030-01-09T12:00:00-08:00", "method": "Shed removed"},
    )
    c = clocks(client, h, case)
    assert "permit_apply" not in c and "permit_obtain" not in c


@pytest.mark.rule("LG VII.a.vi")
def test_permit_time_frames_are_checked(client, officer, clock) -> None:
    clock("2030-01-10T09:00:00-08:00")
    h = officer.headers
    case, violation = lg_case(client, h)
    url = f"/api/cases/{case}/permits"
    r = client.post(
        url, headers=h, json=PERMIT | {"violation_id": violation, "obtain_by": "2030-01-19"}
    )
    assert r.status_code == 422 and r.json["details"]["field"] == "obtain_by"
    r = client.post(
        url, headers=h, json=PERMIT | {"violation_id": 99999, "obtain_by": "2030-03-01"}
    )
    assert r.status_code == 422 and r.json["details"]["field"] == "violation_id"
    r = client.post(url, headers=h, json=PERMIT | {"violation_id": violation})
    assert r.status_code == 422  # obtain_by missing
    assert (
        client.patch(f"{url}/99999", headers=h, json={"applied_on": "2030-01-09"}).status_code
        == 404
    )


@pytest.mark.rule("LG VII.a.vi")
def test_no_permit_time_frames_where_the_policy_has_none(client, officer, clock) -> None:
    clock("2030-01-10T09:00:00-06:00")
    h = officer.headers
    body = complaint_case(jurisdiction="lees-summit-mo", received_at="2030-01-04T09:00:00-06:00")
    case = client.post("/api/cases", headers=h, json=body).json["case_number"]
    violation = client.post(
        f"/api/cases/{case}/violations",
        headers=h,
        json={
            "violation_type": "work-without-permit",
            "description": "Deck",
            "observed_at": "2030-01-05T09:00:00-06:00",
        },
    ).json["id"]
    r = client.post(
        f"/api/cases/{case}/permits",
        headers=h,
        json=PERMIT | {"violation_id": violation, "obtain_by": "2030-03-01"},
    )
    assert r.status_code == 422 and "no time frame" in r.json["error"]
    r = client.post(
        f"/api/cases/{case}/permit-actions",
        headers=h,
        json={
            "action": "revoked",
            "permit_description": "Deck permit",
            "authority": "City Code §7-1",
            "taken_on": "2030-01-10",
        },
    )
    assert r.status_code == 422 and "no action on permits" in r.json["error"]


ACTION = {
    "permit_description": "Conditional use permit for the restaurant",
    "authority": "Town Code §29.20.310",
    "taken_on": "2030-01-10",
}


@pytest.mark.rule("LG III.b.ix", "LG III.b.x", "TB IV.B.3", "TB IV.B.4", "TB X.B")
def test_permit_actions_only_as_the_policy_provides(client, officer, records, clock) -> None:
    clock("2030-01-10T09:00:00-08:00")
    h = officer.headers
    case, _ = lg_case(client, h)
    url = f"/api/cases/{case}/permit-actions"
    r = client.post(url, headers=h, json=ACTION | {"action": "suspended"})
    assert r.status_code == 422 and "revoked" in r.json["error"] and "withheld" in r.json["error"]
    r = client.post(url, headers=h, json=ACTION | {"action": "revoked", "authority": ""})
    assert r.status_code == 422  # the authority is required
    r = client.post(url, headers=h, json=ACTION | {"action": "revoked", "taken_on": "2030-02-01"})
    assert r.status_code == 422  # in the future
    r = client.post(url, headers=h, json=ACTION | {"action": "revoked", "note": "CUP hearing"})
    assert r.status_code == 201, r.json
    assert r.json["authority"] == "Town Code §29.20.310" and "III.b.ix" in r.json["policy"]
    r = client.post(url, headers=h, json=ACTION | {"action": "withheld"})
    assert r.status_code == 201 and "III.b.x" in r.json["policy"]
    listed = client.get(url, headers=records.headers).json
    assert [a["action"] for a in listed] == ["revoked", "withheld"]
    assert (
        client.post(url, headers=records.headers, json=ACTION | {"action": "revoked"}).status_code
        == 403
    )
    # Tom Bean: revocation (X.B) and restricting permits (IV.B.4), not suspension.
    body = complaint_case(
        jurisdiction="tom-bean-tx",
        received_at="2030-01-04T09:00:00-06:00",
        complaint_type="construction-without-permit",
    )
    tb = client.post("/api/cases", headers=h, json=body).json["case_number"]
    tb_url = f"/api/cases/{tb}/permit-actions"
    r = client.post(tb_url, headers=h, json=ACTION | {"action": "revoked"})
    assert r.status_code == 201 and "X.B" in r.json["policy"]
    assert client.post(tb_url, headers=h, json=ACTION | {"action": "suspended"}).status_code == 422
