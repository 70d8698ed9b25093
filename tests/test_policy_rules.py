"""Rules of the four policies that were implemented but no test asserted (records/RULES.md, found
"untested"): each test here checks one of them where its policy has it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from docsvc.profiles import load_profile_file, shipped_profile_paths
from tests.conftest import complaint_case
from tests.documents_helpers import FIELDS, build_case, document_body, issue
from tests.test_citations import INSPECTION


def _profile(code: str):
    (path,) = [p for p in shipped_profile_paths() if p.parent.name == code]
    return load_profile_file(path)


@pytest.mark.rule("TB III.E")
def test_tom_bean_aggravating_circumstances_raise_priority(client, officer) -> None:
    body = complaint_case(jurisdiction="tom-bean-tx", received_at="2030-11-25T08:00:00-06:00")
    n = client.post("/api/cases", headers=officer.headers, json=body).json["case_number"]
    r = client.put(
        f"/api/cases/{n}/aggravating",
        headers=officer.headers,
        json={"circumstances": ["deliberate"]},
    )
    assert r.status_code == 200
    # Moved to priority status: ranked with the last of the Directive's priorities.
    assert r.json["priority"] == _profile("tom-bean-tx").data["priority"]["aggravated_rank"]
    assert r.json["aggravating"] == ["deliberate"]


@pytest.mark.rule("TB V.D")
def test_tom_bean_accepts_a_city_employees_report_on_the_form(client, officer) -> None:
    body = complaint_case(jurisdiction="tom-bean-tx")
    body["complaint"]["channel"] = "staff"
    r = client.post("/api/cases", headers=officer.headers, json=body)
    assert r.status_code == 201, r.json
    body["complaint"]["channel"] = "phone"  # not in writing: refused (III.D.1)
    assert client.post("/api/cases", headers=officer.headers, json=body).status_code == 422


@pytest.mark.rule("TB VIII.A.1")
def test_a_tom_bean_warning_is_given_in_person_not_mailed(client, officer, clock) -> None:
    advance = clock("2030-11-20T09:00:00-06:00")
    built = build_case(client, officer.headers, "tom-bean-tx")
    doc = issue(client, officer.headers, built, "warning_notice")
    advance(timedelta(hours=1))
    url = f"/api/documents/{doc['id']}/service"
    mailed = {"method": "first_class_mail", "mailed_at": "2030-11-20T09:30:00-06:00"}
    r = client.post(url, headers=officer.headers, json=mailed)
    assert r.status_code == 422 and "personal" in r.json["error"]
    r = client.post(
        url,
        headers=officer.headers,
        json={"method": "personal", "served_at": "2030-11-20T09:30:00-06:00"},
    )
    assert r.status_code == 201, r.json


@pytest.mark.rule("LG VII.a.iii")
def test_a_los_gatos_notice_of_violation_goes_by_mail_not_a_door_hanger(
    client, officer, clock
) -> None:
    advance = clock("2030-11-20T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    advance(timedelta(hours=1))
    url = f"/api/documents/{doc['id']}/service"
    r = client.post(
        url,
        headers=officer.headers,
        json={"method": "door_hanger", "served_at": "2030-11-20T09:30:00-08:00"},
    )
    assert r.status_code == 422 and "first class mail" in r.json["error"], r.json
    r = client.post(
        url,
        headers=officer.headers,
        json={"method": "first_class_mail", "mailed_at": "2030-11-20T09:30:00-08:00"},
    )
    assert r.status_code == 201, r.json


@pytest.mark.rule("LG III.b.vii")
def test_los_gatos_construction_without_a_permit_gets_a_stop_work_order() -> None:
    vt = _profile("los-gatos-ca").violation_types
    assert vt["construction-without-permit"]["deadline"]["unit"] == "stop_work_order"
    assert vt["junk-debris"]["deadline"]["unit"] != "stop_work_order"


@pytest.mark.rule("TB IX.A")
def test_tom_bean_fines_come_from_its_schedule(client, officer) -> None:
    h = officer.headers
    body = complaint_case(jurisdiction="tom-bean-tx")
    case = client.post("/api/cases", headers=h, json=body).json["case_number"]
    party = client.post(
        f"/api/cases/{case}/parties",
        headers=h,
        json={"role": "owner", "name": "R. Owner", "mailing_address": "PO Box 9, Tom Bean"},
    ).json["id"]
    violation = client.post(
        f"/api/cases/{case}/violations",
        headers=h,
        json={
            "violation_type": "nuisance-no-structure",
            "description": "Tires",
            "observed_at": "2030-01-05T09:00:00-06:00",
        },
    ).json["id"]
    inspection = INSPECTION | {"visited_at": "2030-01-05T10:00:00-06:00"}
    assert (
        client.post(f"/api/cases/{case}/inspections", headers=h, json=inspection).status_code == 201
    )
    amounts = _profile("tom-bean-tx").data["money"]["fines"]["amounts"]
    fines = []
    for i, on in enumerate(["2030-01-06", "2030-02-06"]):
        r = client.post(
            f"/api/cases/{case}/citations",
            headers=h,
            json={
                "violation_id": violation,
                "party_id": party,
                "number": f"TB-{i}",
                "issued_on": on,
            },
        )
        assert r.status_code == 201, r.json
        fines.append(r.json["fine"])
    assert fines == amounts[:2]


@pytest.mark.rule("JC 5(a)(vii)")
def test_a_settlement_without_a_compliance_timeline_is_refused(client, officer) -> None:
    built = build_case(client, officer.headers, "jefferson-county-wa")
    fields = {k: v for k, v in FIELDS["settlement_agreement"].items() if k != "compliance_timeline"}
    r = client.post(
        f"/api/cases/{built.case}/documents",
        headers=officer.headers,
        json=document_body("settlement_agreement", built, fields=fields),
    )
    assert r.status_code == 422 and "compliance_timeline" in r.get_data(as_text=True)


@pytest.mark.rule("JC 7(a)")
def test_a_voucher_names_the_director_consulted(client, officer) -> None:
    body = complaint_case(jurisdiction="jefferson-county-wa", address="900 Discovery Road")
    case = client.post("/api/cases", headers=officer.headers, json=body).json["case_number"]
    voucher = {"amount": "100.00", "issued_on": "2030-03-01", "purpose": "Dump fees"}
    r = client.post(f"/api/cases/{case}/vouchers", headers=officer.headers, json=voucher)
    assert r.status_code == 422 and "approved_by" in r.get_data(as_text=True)
    # Paid from the enforcement fund (Rule 6(a)(iv)): money in it first.
    fund = {"kind": "deposit", "amount": "100.00", "entry_on": "2030-01-02", "description": "In"}
    client.post("/api/jurisdictions/jefferson-county-wa/fund", headers=officer.headers, json=fund)
    r = client.post(
        f"/api/cases/{case}/vouchers",
        headers=officer.headers,
        json=voucher | {"approved_by": "DCD Director"},
    )
    assert r.status_code == 201, r.json
