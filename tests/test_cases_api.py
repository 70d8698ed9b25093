"""Intake and the case file through the API (docs/API.md, Cases)."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import select

from docsvc.models import AuditEvent, Complaint
from tests.conftest import complaint_case

NAME = "Maria O'Brien-Nguyễn"
# Tom Bean V.A.2 (a)-(c): the findings an anonymous complaint is accepted on.
WEIGHED = {
    "reliability": "Photos attached match the yard.",
    "imminent-threat": "None alleged.",
    "verifiable": "Visible from the street.",
}


@pytest.mark.rule("LG V.a", "JC 3(b)(i)")
def test_intake_creates_a_numbered_case(client, officer) -> None:
    r = client.post("/api/cases", json=complaint_case(), headers=officer.headers)
    assert r.status_code == 201
    body = r.json
    assert re.fullmatch(r"LG-\d{4}-\d{6}", body["case_number"])
    assert body["status"] == "open"
    assert body["origin"] == "complaint"
    assert body["complaint"]["complainant"]["name"] == NAME
    assert body["complaint"]["disclosure_preference"] == "nondisclosure"
    # Times carry the jurisdiction's offset (Los Gatos: Pacific).
    assert datetime.fromisoformat(body["opened_at"]).utcoffset().total_seconds() in (
        -8 * 3600,
        -7 * 3600,
    )
    assert body["complaint"]["received_at"] == "2026-11-16T09:30:00-08:00"
    again = client.get(f"/api/cases/{body['case_number']}", headers=officer.headers).json
    assert again["property"]["address"] == "1418 Elm Street"


def test_disclosure_preference_is_timestamped_at_intake(client, officer, database) -> None:
    before = datetime.now().astimezone()
    n = client.post("/api/cases", json=complaint_case(), headers=officer.headers).json[
        "case_number"
    ]
    with database.session() as s:
        c = s.scalar(select(Complaint))
        assert c.disclosure_preference == "nondisclosure"
        assert c.disclosure_preference_at >= before
    assert n


@pytest.mark.parametrize(
    ("jurisdiction", "complaint", "rule"),
    [
        ("jefferson-county-wa", {"anonymous": True, "complainant": None}, "anonymous_not_accepted"),
        ("tom-bean-tx", {"anonymous": True, "complainant": None}, "anonymous_needs_discretion"),
        ("tom-bean-tx", {"channel": "phone"}, "written_complaint_required"),
        ("tom-bean-tx", {"complainant": {"name": NAME}}, "identifiable_complainant_required"),
        (
            "jefferson-county-wa",
            {"complainant": {"phone": "360-555-0100", "name": "x"} | {"name": ""}},
            None,
        ),
    ],
)
@pytest.mark.rule("TB III.D.1", "TB III.D.2", "TB V.A.1", "TB V.A.2", "JC 3(a)(i)")
def test_profile_acceptance_rules_refuse_at_intake(
    client, officer, count_rows, jurisdiction, complaint, rule
) -> None:
    body = complaint_case(jurisdiction=jurisdiction)
    body["complaint"].update(complaint)
    if body["complaint"].get("complainant") is None:
        body["complaint"].pop("complainant")
    r = client.post("/api/cases", json=body, headers=officer.headers)
    assert r.status_code == 422
    if rule is None:
        assert r.json["code"] == "validation_error"  # empty name: a field error, not a refusal
    else:
        assert r.json["code"] == "complaint_refused"
        assert r.json["details"]["rule"] == rule
        assert r.json["details"]["citation"]
    assert NAME not in r.get_data(as_text=True)
    assert count_rows("cases") == 0 and count_rows("complaints") == 0


@pytest.mark.rule("LG IV.a.1")
def test_anonymous_accepted_where_the_profile_allows(client, officer) -> None:
    body = complaint_case(jurisdiction="los-gatos-ca", anonymous=True)
    body["complaint"].pop("complainant")
    r = client.post("/api/cases", json=body, headers=officer.headers)
    assert r.status_code == 201 and r.json["complaint"]["anonymous"] is True
    assert r.json["complaint"]["complainant"] is None


@pytest.mark.rule("TB V.A.2")
def test_tom_bean_anonymous_with_the_chiefs_approval(client, officer) -> None:
    body = complaint_case(
        jurisdiction="tom-bean-tx",
        anonymous=True,
        discretion_approved_by="Chief R. Alvarez",
        anonymous_factors=WEIGHED,
    )
    body["complaint"].pop("complainant")
    r = client.post("/api/cases", json=body, headers=officer.headers)
    assert r.status_code == 201
    assert r.json["case_number"].startswith("TB-")
    assert r.json["complaint"]["discretion_approved_by"] == "Chief R. Alvarez"


def test_anonymous_cannot_carry_an_identity(client, officer) -> None:
    r = client.post("/api/cases", json=complaint_case(anonymous=True), headers=officer.headers)
    assert r.status_code == 422 and "anonymous" in r.json["error"]
    assert NAME not in r.get_data(as_text=True)


@pytest.mark.parametrize(
    "origin", ["patrol", "staff_report", "permit_monitoring", "council_report"]
)
@pytest.mark.rule("TB V.B")
def test_cases_without_a_complaint(client, officer, origin: str) -> None:
    r = client.post(
        "/api/cases",
        headers=officer.headers,
        json={
            "jurisdiction": "lees-summit-mo",
            "origin": origin,
            "origin_note": "Route 4",
            "property": {"address": "301 SE Main Street", "parcel": "52-130-04"},
        },
    )
    assert r.status_code == 201
    assert r.json["origin"] == origin and r.json["complaint"] is None
    assert r.json["case_number"].startswith("LS-")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"jurisdiction": "los-gatos-ca"}, "property"),
        ({"jurisdiction": "los-gatos-ca", "property": {"address": "  "}}, "property.address"),
        ({"jurisdiction": "los-gatos-ca", "property": {"address": "1 A St"}}, None),
        (complaint_case() | {"origin": "rumour"}, "origin"),
    ],
)
def test_invalid_intake_says_what_to_fix(client, officer, body, field) -> None:
    r = client.post("/api/cases", json=body, headers=officer.headers)
    assert r.status_code == 422
    if field:
        assert field.split(".")[0] in r.json["details"]["fields"]
        assert field in r.json["error"]
    else:
        assert "complaint" in r.json["error"]  # a complaint case needs its complaint


def test_received_at_without_an_offset_is_refused(client, officer) -> None:
    body = complaint_case(received_at="2026-11-16T09:30:00")
    r = client.post("/api/cases", json=body, headers=officer.headers)
    assert r.status_code == 422 and "received_at" in r.json["details"]["fields"]["complaint"]


def test_unknown_jurisdiction(client, officer) -> None:
    r = client.post(
        "/api/cases", json=complaint_case(jurisdiction="atlantis"), headers=officer.headers
    )
    assert r.status_code == 422 and "jurisdiction" in r.json["error"]


def test_non_json_body_is_415(client, officer) -> None:
    r = client.post(
        "/api/cases",
        data="a=b",
        headers=officer.headers,
        content_type="application/x-www-form-urlencoded",
    )
    assert r.status_code == 415 and r.json["code"] == "unsupported_media_type"
    r = client.post(
        "/api/cases", data="{not json", headers=officer.headers, content_type="application/json"
    )
    assert r.status_code == 422


@pytest.mark.rule("TB III.F", "JC 3(b)(ii)")
def test_refusal_and_closure_are_kept_on_record(client, officer, open_case) -> None:
    n = open_case()["case_number"]
    r = client.post(
        f"/api/cases/{n}/refuse",
        json={"reason": "retaliatory", "note": "Ongoing feud"},
        headers=officer.headers,
    )
    assert r.status_code == 200 and r.json["status"] == "refused"
    case = client.get(f"/api/cases/{n}", headers=officer.headers).json
    assert case["refusal"]["reason"] == "retaliatory" and case["refusal"]["note"] == "Ongoing feud"
    r = client.post(
        f"/api/cases/{n}/close",
        json={"reason": "no_violation", "resolution": "x"},
        headers=officer.headers,
    )
    assert r.status_code == 409 and r.json["code"] == "conflict"
    r = client.post(f"/api/cases/{n}/refuse", json={"reason": "gossip"}, headers=officer.headers)
    assert r.status_code == 422


@pytest.mark.rule("TB XIII.B", "LG VII.a.v")
def test_close_then_no_more_changes(client, officer, open_case) -> None:
    n = open_case()["case_number"]
    r = client.post(
        f"/api/cases/{n}/close",
        headers=officer.headers,
        json={"reason": "voluntary_compliance", "resolution": "Owner removed the couch."},
    )
    assert r.status_code == 200 and r.json["status"] == "closed"
    r = client.post(
        f"/api/cases/{n}/parties",
        headers=officer.headers,
        json={"role": "owner", "name": "A", "mailing_address": "B"},
    )
    assert r.status_code == 409


@pytest.mark.rule("TB VII.D.3", "LG VI.d.iv", "LG VII.a.v")
def test_violations_inspections_parties(client, officer, open_case) -> None:
    n = open_case()["case_number"]
    h = officer.headers
    r = client.post(
        f"/api/cases/{n}/violations",
        headers=h,
        json={
            "violation_type": "overgrown-vegetation",
            "description": "Weeds 3 ft tall",
            "observed_at": "2026-11-17T10:00:00-08:00",
        },
    )
    assert r.status_code == 201 and r.json["citation"]
    vid = r.json["id"]
    r = client.post(
        f"/api/cases/{n}/violations",
        headers=h,
        json={
            "violation_type": "nuisance-no-structure",
            "description": "x",
            "observed_at": "2026-11-17T10:00:00-08:00",
        },
    )
    assert (
        r.status_code == 422 and "code library" in r.json["error"]
    )  # Tom Bean's code, not Los Gatos'
    r = client.post(
        f"/api/cases/{n}/violations/{vid}/correct",
        headers=h,
        json={"corrected_at": "2026-11-16T10:00:00-08:00", "method": "Mowed"},
    )
    assert r.status_code == 422  # before it was observed
    r = client.post(
        f"/api/cases/{n}/violations/{vid}/correct",
        headers=h,
        json={"corrected_at": "2026-11-20T10:00:00-08:00", "method": "Owner mowed"},
    )
    assert r.status_code == 200 and r.json["correction_method"] == "Owner mowed"
    assert (
        client.post(
            f"/api/cases/{n}/violations/{vid}/correct",
            headers=h,
            json={"corrected_at": "2026-11-21T10:00:00-08:00", "method": "again"},
        ).status_code
        == 409
    )
    assert (
        client.post(
            f"/api/cases/{n}/violations/99999/correct",
            headers=h,
            json={"corrected_at": "2026-11-21T10:00:00-08:00", "method": "x"},
        ).status_code
        == 404
    )
    inspection = {
        "investigator": "Officer Ruiz",
        "visited_at": "2026-11-17T10:00:00-08:00",
        "place": "From the sidewalk in front of 1418 Elm",
        "violations_observed": "Weeds over 12 in",
        "conditions_observed": "",
        "witnesses": "Neighbour at 1416",
        "evidence": "3 photos, tape measure",
        "discussions": "Spoke with tenant",
        "action_needed": "Mow front yard",
        "recommended_action": "Courtesy notice, 10 days",
        "referrals": "None",
        "measurements": [
            {"what": "weed height", "value": "36", "unit": "in", "where": "front lawn, NE corner"}
        ],
    }
    r = client.post(f"/api/cases/{n}/inspections", headers=h, json=inspection)
    assert r.status_code == 201
    missing = {k: v for k, v in inspection.items() if k != "recommended_action"}
    r = client.post(f"/api/cases/{n}/inspections", headers=h, json=missing)
    assert r.status_code == 422 and "recommended_action" in r.json["details"]["fields"]
    nothing = inspection | {"violations_observed": "", "conditions_observed": ""}
    assert client.post(f"/api/cases/{n}/inspections", headers=h, json=nothing).status_code == 422
    r = client.post(
        f"/api/cases/{n}/parties",
        headers=h,
        json={"role": "owner", "name": "Smith & Sons <LLC>", "mailing_address": "PO Box 9"},
    )
    assert r.status_code == 201
    case = client.get(f"/api/cases/{n}", headers=h).json
    assert case["status"] == "investigating"
    assert case["parties"][0]["name"] == "Smith & Sons <LLC>"
    assert case["inspections"][0]["measurements"][0]["value"] == "36"
    assert case["violations"][0]["corrected_at"].startswith("2026-11-20T10:00:00")


@pytest.mark.rule("LG VI.a.viii", "TB III.F.3")
def test_prior_history_by_property_and_person(client, officer, open_case) -> None:
    h = officer.headers
    first = open_case(address="1418 Elm Street")["case_number"]
    client.post(
        f"/api/cases/{first}/parties",
        headers=h,
        json={"role": "owner", "name": "Nguyễn, Trần", "mailing_address": "PO Box 12, Los Gatos"},
    )
    second = open_case(address="1418 ELM ST.")["case_number"]
    other = open_case(address="9 Oak Avenue")["case_number"]
    client.post(
        f"/api/cases/{other}/parties",
        headers=h,
        json={"role": "tenant", "name": "Tran Nguyen", "mailing_address": "9 Oak Ave"},
    )
    case = client.get(f"/api/cases/{second}", headers=h).json
    assert [c["case_number"] for c in case["history"]["property"]] == [first]
    # The complainant filed all three: complainant history is there for staff (audited).
    assert {c["case_number"] for c in case["history"]["complainant"]} == {first, other}
    r = client.post(
        f"/api/cases/{other}/parties",
        headers=h,
        json={"role": "owner", "name": "Someone Else", "mailing_address": "PO Box 12, Los Gatos"},
    )
    assert r.status_code == 201
    case = client.get(f"/api/cases/{other}", headers=h).json
    prior = {p["name"]: p["prior_cases"] for p in case["parties"]}
    assert [c["case_number"] for c in prior["Tran Nguyen"]] == [first]  # same person by name
    assert [c["case_number"] for c in prior["Someone Else"]] == [first]  # same mailing address
    assert prior["Tran Nguyen"][0]["roles"] == ["owner"]


def test_every_view_of_the_complainant_is_audited(
    client, officer, records, open_case, database
) -> None:
    n = open_case()["case_number"]

    def views() -> list[AuditEvent]:
        with database.session() as s:
            return list(
                s.scalars(select(AuditEvent).where(AuditEvent.action == "complainant.view"))
            )

    start = len(views())
    client.get(f"/api/cases/{n}", headers=records.headers)
    client.get(f"/api/cases/{n}", headers=officer.headers)
    events = views()[start:]
    assert [e.actor_id for e in events] == [records.id, officer.id]
    assert all(e.object_id == n for e in events)
    with database.session() as s:
        for e in s.scalars(select(AuditEvent)):
            blob = repr((e.fields, e.hashes, e.object_id))
            assert "Maria" not in blob and "555-0142" not in blob


def test_list_and_filters(client, officer, open_case) -> None:
    a = open_case(address="1418 Elm Street")["case_number"]
    open_case(jurisdiction="jefferson-county-wa", address="900 Discovery Road")
    client.post(
        f"/api/cases/{a}/close",
        headers=officer.headers,
        json={"reason": "no_violation", "resolution": "none"},
    )
    h = officer.headers
    assert client.get("/api/cases", headers=h).json["total"] == 2
    assert [
        c["case_number"] for c in client.get("/api/cases?status=closed", headers=h).json["results"]
    ] == [a]
    got = client.get("/api/cases?jurisdiction=jefferson-county-wa", headers=h).json["results"]
    assert [c["jurisdiction"] for c in got] == ["jefferson-county-wa"]
    assert client.get("/api/cases?address=elm%20st", headers=h).json["total"] == 1
    assert client.get("/api/cases?address=100%25", headers=h).json["total"] == 0
    assert client.get("/api/cases?status=bogus", headers=h).status_code == 422
    assert client.get("/api/cases?per_page=1&page=2", headers=h).json["results"]


def test_names_survive_the_api(client, officer, open_case) -> None:
    n = open_case()["case_number"]
    for name in ("Smith & Sons <LLC>", "O'Brien-Nguyễn", "محمد عبد الله", 'Quote "Q" Ltd'):
        r = client.post(
            f"/api/cases/{n}/parties",
            headers=officer.headers,
            json={"role": "responsible", "name": name, "mailing_address": "1 Elm"},
        )
        assert r.status_code == 201 and r.json["name"] == name
    long_text = "Overgrowth " * 190
    r = client.post(
        f"/api/cases/{n}/violations",
        headers=officer.headers,
        json={
            "violation_type": "junk-debris",
            "description": long_text,
            "observed_at": "2026-11-17T10:00:00-08:00",
        },
    )
    assert r.status_code == 201 and r.json["description"] == long_text.strip()
    r = client.post(
        f"/api/cases/{n}/parties",
        headers=officer.headers,
        json={"role": "owner", "name": "Bad\x00Name", "mailing_address": "1 Elm"},
    )
    assert r.status_code == 422 and "control characters" in r.json["error"]
