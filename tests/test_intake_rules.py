"""Intake as the policies have it: the type of every complaint (Tom Bean VI.A, Los Gatos V.a),
the weighing behind an anonymous complaint accepted at the Chief's discretion (Tom Bean V.A.2),
complaints from several people about one property (Tom Bean III.A.6), and a repeat violation
accruing to the first report (Los Gatos III.b.v)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from docsvc.models import AuditEvent, Case, Complaint, Violation
from tests.conftest import complaint_case
from tests.helpers import tokens

NAME = "Maria O'Brien-Nguyễn"
OTHER = "Dwayne Kowalczyk"
WEIGHED = {
    "reliability": "Two photos attached match the yard.",
    "imminent-threat": "None alleged.",
    "verifiable": "Visible from the street.",
}


def _post(client, officer, body):
    return client.post("/api/cases", json=body, headers=officer.headers)


# ---- the type of complaint (Tom Bean VI.A.4, Los Gatos V.a.iv) ---------------------------------


@pytest.mark.rule("TB VI.A", "LG V.a")
@pytest.mark.parametrize("jurisdiction", ["tom-bean-tx", "los-gatos-ca"])
def test_a_complaint_without_its_type_is_refused_in_words(
    client, officer, count_rows, jurisdiction
) -> None:
    body = complaint_case(jurisdiction=jurisdiction)
    body["complaint"].pop("complaint_type")
    r = _post(client, officer, body)
    assert r.status_code == 422
    assert r.json["details"]["field"] == "complaint.complaint_type"
    assert "type of complaint" in r.json["error"]
    assert count_rows("cases") == 0


@pytest.mark.rule("TB VI.A", "LG V.a")
def test_the_type_comes_from_the_jurisdictions_own_list(client, officer) -> None:
    body = complaint_case(jurisdiction="tom-bean-tx", complaint_type="leaf-blowers")
    r = _post(client, officer, body)
    assert r.status_code == 422
    assert "Nuisance (weeds, trash, junk, a neglected structure)" in r.json["error"]
    assert "nuisance" in r.json["details"]["allowed"]
    # A jurisdiction that keeps no list takes none.
    r = _post(
        client, officer, complaint_case(jurisdiction="jefferson-county-wa", complaint_type="noise")
    )
    assert r.status_code == 422 and "keeps no list" in r.json["error"]
    assert (
        _post(client, officer, complaint_case(jurisdiction="jefferson-county-wa")).status_code
        == 201
    )


@pytest.mark.rule("TB VI.A", "LG V.a")
def test_the_type_is_kept_and_shown_in_words(client, officer, signed_in, database) -> None:
    r = _post(client, officer, complaint_case(jurisdiction="tom-bean-tx", complaint_type="vehicle"))
    assert r.status_code == 201
    number = r.json["case_number"]
    title = "Abandoned vehicle or vehicle parked without a permit"
    assert r.json["complaint"]["complaint_type"] == "vehicle"
    assert r.json["complaint"]["complaint_type_title"] == title
    with database.session() as s:
        assert s.scalar(select(Complaint.complaint_type)) == "vehicle"
    signed_in("records")
    html = client.get(f"/cases/{number}").get_data(as_text=True)
    assert f"Type of complaint: <strong>{title}</strong>" in html


@pytest.mark.rule("TB VI.A", "LG V.a")
def test_the_new_case_page_asks_for_the_type_and_says_what_is_missing(client, signed_in) -> None:
    signed_in()
    page = client.get("/cases/new")
    html = page.get_data(as_text=True)
    assert "Type of complaint" in html and "Property maintenance (weeds, junk, debris)" in html
    form = {
        **tokens(page.data),
        "jurisdiction": "los-gatos-ca",
        "origin": "complaint",
        "address": "14 Oak Street",
        "received_at": "2026-11-16T09:30",
        "channel": "web",
        "description": "Leaf blower at 6 am",
        "c_name": NAME,
        "c_phone": "408-555-0142",
        "disclosure_preference": "nondisclosure",
    }
    r = client.post("/cases/new", data=form)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    # Beside the field, in words.
    assert 'id="intake-complaint_type-error"' in html
    assert "choose the type of complaint" in html
    page = client.get("/cases/new")
    r = client.post("/cases/new", data=form | tokens(page.data) | {"complaint_type": "noise"})
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Noise (leaf blowers, construction hours)" in html


# ---- anonymous complaints at the Chief's discretion (Tom Bean V.A.2) ---------------------------


def _anonymous(**kw):
    body = complaint_case(
        jurisdiction="tom-bean-tx", anonymous=True, discretion_approved_by="Chief R. Alvarez", **kw
    )
    body["complaint"].pop("complainant")
    return body


@pytest.mark.rule("TB V.A.2")
def test_an_anonymous_complaint_needs_the_weighing_not_only_the_approver(
    client, officer, count_rows
) -> None:
    r = _post(client, officer, _anonymous())
    assert r.status_code == 422
    assert r.json["details"]["field"] == "complaint.anonymous_factors"
    # Each missing factor is named in words.
    for words in (
        "(a) How reliable the complaint is",
        "(b) Whether it alleges an imminent threat",
        "(c) How easily agency personnel can verify it",
    ):
        assert words in r.json["error"]
    partial = {**WEIGHED, "verifiable": "  "}
    r = _post(client, officer, _anonymous(anonymous_factors=partial))
    assert r.status_code == 422
    assert "(c) How easily" in r.json["error"] and "(a) How reliable" not in r.json["error"]
    r = _post(client, officer, _anonymous(anonymous_factors={**WEIGHED, "hunch": "yes"}))
    assert r.status_code == 422 and "hunch" in r.json["error"]
    assert count_rows("cases") == 0


@pytest.mark.rule("TB V.A.2")
def test_the_weighing_is_kept_and_shown_on_the_case(client, officer, signed_in, database) -> None:
    r = _post(client, officer, _anonymous(anonymous_factors=WEIGHED))
    assert r.status_code == 201, r.json
    factors = r.json["complaint"]["anonymous_factors"]
    assert [f["code"] for f in factors] == ["reliability", "imminent-threat", "verifiable"]
    assert factors[0]["factor"] == "(a) How reliable the complaint is"
    with database.session() as s:
        assert s.scalar(select(Complaint.anonymous_factors)) == WEIGHED
    signed_in("attorney")
    html = client.get(f"/cases/{r.json['case_number']}").get_data(as_text=True)
    assert (
        "<dt>(a) How reliable the complaint is</dt><dd>Two photos attached match the yard.</dd>"
        in html
    )


@pytest.mark.rule("TB V.A.2")
def test_no_weighing_where_the_profile_has_none(client, officer) -> None:
    # Los Gatos accepts anonymous complaints outright; a named complaint weighs nothing.
    body = complaint_case(anonymous=True, anonymous_factors=WEIGHED)
    body["complaint"].pop("complainant")
    r = _post(client, officer, body)
    assert r.status_code == 422 and "only for an anonymous complaint" in r.json["error"]


@pytest.mark.rule("TB V.A.2")
def test_the_page_asks_for_each_factor(client, signed_in) -> None:
    signed_in()
    page = client.get("/cases/new")
    html = page.get_data(as_text=True)
    assert 'name="factor-tom-bean-tx-reliability"' in html
    assert "factor-los-gatos-ca" not in html
    form = {
        **tokens(page.data),
        "jurisdiction": "tom-bean-tx",
        "origin": "complaint",
        "address": "9 Pecan Street",
        "received_at": "2026-11-16T09:30",
        "channel": "web",
        "description": "Junk cars",
        "complaint_type": "vehicle",
        "anonymous": "on",
        "discretion_approved_by": "Chief R. Alvarez",
        "factor-tom-bean-tx-reliability": "Plausible",
        "disclosure_preference": "unspecified",
    }
    r = client.post("/cases/new", data=form)
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="intake-anonymous_factors-error"' in html
    assert "(b) Whether it alleges an imminent threat" in html
    assert "Plausible" in html  # what was typed is kept


# ---- several complainants about one property (Tom Bean III.A.6) --------------------------------


def _from(name: str, **kw):
    body = complaint_case(jurisdiction="tom-bean-tx", address="77 Main St", **kw)
    body["complaint"]["complainant"] = {"name": name, "phone": "(903) 555-0100"}
    return body


@pytest.mark.rule("TB III.A.6")
def test_a_second_complainant_raises_both_cases(client, officer, signed_in, database) -> None:
    first = _post(client, officer, _from(NAME)).json["case_number"]
    assert client.get(f"/api/cases/{first}", headers=officer.headers).json["other_complaints"] == []
    second = _post(client, officer, _from(OTHER)).json["case_number"]
    with database.session() as s:
        cases = {c.case_number: c for c in s.scalars(select(Case))}
        assert cases[first].aggravating == ["community-interest"]
        assert cases[second].aggravating == ["community-interest"]
        events = s.execute(
            select(AuditEvent.case_id, AuditEvent.object_id).where(
                AuditEvent.action == "case.another_complaint"
            )
        ).all()
        assert set(events) == {(cases[first].id, second), (cases[second].id, first)}
    # Priority 6, the rank of III.A.6, on both.
    for number in (first, second):
        clocks = client.get(f"/api/cases/{number}/clocks", headers=officer.headers).json
        assert clocks["priority"] == 6
    # A plain sentence on each, naming nobody; the other complainant's name is on neither.
    signed_in("officer")
    for number, other in ((first, second), (second, first)):
        html = client.get(f"/cases/{number}").get_data(as_text=True)
        assert "Another complaint about this property was received from a different person" in html
        assert other in html
        assert NAME not in html and OTHER not in html
    api = client.get(f"/api/cases/{first}", headers=officer.headers).json
    assert api["other_complaints"] == [second]


@pytest.mark.rule("TB III.A.6")
def test_the_same_complainant_again_or_a_closed_case_does_not_count(
    client, officer, database
) -> None:
    first = _post(client, officer, _from(NAME)).json["case_number"]
    _post(client, officer, _from("  maria o'brien-nguyễn "))  # the same person, typed again
    client.post(
        f"/api/cases/{first}/close",
        json={"reason": "no_violation", "resolution": "Nothing found."},
        headers=officer.headers,
    )
    with database.session() as s:
        assert all(not c.aggravating for c in s.scalars(select(Case)))
    # Jefferson County's profile has no such rule: nothing is recorded there.
    for who in (NAME, OTHER):
        body = complaint_case(jurisdiction="jefferson-county-wa", address="5 Elm")
        body["complaint"]["complainant"]["name"] = who
        assert _post(client, officer, body).status_code == 201
    with database.session() as s:
        assert all(not c.aggravating for c in s.scalars(select(Case)))
        assert not s.scalar(
            select(AuditEvent.seq).where(AuditEvent.action == "case.another_complaint")
        )


@pytest.mark.rule("LG II.a.i.6")
def test_any_further_complaint_about_a_property_raises_both_in_los_gatos(
    client, officer, signed_in, database
) -> None:
    def from_(name: str | None) -> dict:
        body = complaint_case(address="12 Alpine Way")
        if name is None:
            body["complaint"]["anonymous"] = True
            body["complaint"].pop("complainant", None)
        else:
            body["complaint"]["complainant"]["name"] = name
        return body

    first = _post(client, officer, from_(NAME)).json["case_number"]
    second = _post(client, officer, from_(NAME)).json["case_number"]  # the same person again
    third = _post(client, officer, from_(None)).json["case_number"]  # and someone unnamed
    with database.session() as s:
        cases = {c.case_number: c for c in s.scalars(select(Case))}
        for number in (first, second, third):
            assert cases[number].aggravating == ["multiple-complaints"]
    assert client.get(f"/api/cases/{first}/clocks", headers=officer.headers).json["priority"] == 6
    signed_in("officer")
    html = client.get(f"/cases/{first}").get_data(as_text=True)
    assert "Another complaint about this property was received (" in html
    assert "from a different person" not in html and "§II.a.i.6" in html
    assert second in html and third in html


# ---- repeats accrue to the first reported violation (Los Gatos III.b.v) -------------------------


def repeat_citation() -> str:
    """Read from the profile: its wording is data (and its owner may correct it)."""
    from docsvc.profiles.loader import load_profile_file, shipped_profile_paths

    profiles = [load_profile_file(p) for p in shipped_profile_paths()]
    lg = next(p for p in profiles if p.code == "los-gatos-ca")
    return lg.data["repeat_violations"]["citation"]


def _violation(
    client, officer, number, vtype="overgrown-vegetation", at="2026-11-17T10:00:00-08:00"
):
    r = client.post(
        f"/api/cases/{number}/violations",
        json={"violation_type": vtype, "description": "Weeds waist high", "observed_at": at},
        headers=officer.headers,
    )
    assert r.status_code == 201, r.json
    return r.json["id"]


@pytest.mark.rule("LG III.b.v")
def test_a_repeat_links_to_the_first_report_and_raises_priority(
    client, officer, signed_in, database
) -> None:
    from docsvc.cases.repeats import accrued_violation_ids  # the fine schedule's door

    first_case = _post(client, officer, complaint_case()).json["case_number"]
    first = _violation(client, officer, first_case, at="2026-03-01T10:00:00-08:00")
    second_case = _post(client, officer, complaint_case()).json["case_number"]
    second = _violation(client, officer, second_case)
    third_case = _post(client, officer, complaint_case()).json["case_number"]
    third = _violation(client, officer, third_case, at="2026-12-01T10:00:00-08:00")
    other_kind = _violation(client, officer, third_case, vtype="junk-debris")
    with database.session() as s:
        rows = {v.id: v for v in s.scalars(select(Violation))}
        # Each repeat accrues to the first report, never to a repeat of it.
        assert rows[first].repeat_of_id is None
        assert rows[second].repeat_of_id == first and rows[third].repeat_of_id == first
        assert rows[other_kind].repeat_of_id is None
        assert accrued_violation_ids(s, third) == {first, second, third}
        assert accrued_violation_ids(s, other_kind) == {other_kind}
        cases = {c.case_number: c for c in s.scalars(select(Case))}
        # (Each case also records the other complaints about the property, Los Gatos II.a.i.6.)
        assert "habitual-history" in cases[second_case].aggravating
        assert "habitual-history" not in cases[first_case].aggravating
    body = client.get(f"/api/cases/{third_case}", headers=officer.headers).json
    repeat = next(v for v in body["violations"] if v["id"] == third)
    assert repeat["repeat_of"] == {"violation_id": first, "case_number": first_case}
    clocks = client.get(f"/api/cases/{second_case}/clocks", headers=officer.headers).json
    assert clocks["priority"] == 6
    signed_in("officer")
    html = client.get(f"/cases/{second_case}").get_data(as_text=True)
    assert f'Repeat of <a href="/cases/{first_case}#violations">{first_case}</a>' in html
    assert "Code Compliance Standards §III.b.v" in html


@pytest.mark.rule("LG III.b.v")
def test_no_repeat_without_the_rule_or_on_another_property(client, officer, database) -> None:
    # Tom Bean's profile has no such rule.
    a = _post(client, officer, complaint_case(jurisdiction="tom-bean-tx")).json["case_number"]
    _violation(client, officer, a, vtype="nuisance-no-structure")
    b = _post(client, officer, complaint_case(jurisdiction="tom-bean-tx")).json["case_number"]
    _violation(client, officer, b, vtype="nuisance-no-structure")
    # Los Gatos, but two different properties.
    c = _post(client, officer, complaint_case(address="1 Oak")).json["case_number"]
    _violation(client, officer, c)
    d = _post(client, officer, complaint_case(address="2 Oak")).json["case_number"]
    _violation(client, officer, d)
    with database.session() as s:
        assert all(v.repeat_of_id is None for v in s.scalars(select(Violation)))


def test_the_new_events_have_words() -> None:
    from docsvc.labels import EVENTS

    for action in ("case.another_complaint", "violation.repeat", "property.location"):
        assert action in EVENTS  # the timeline says what happened, not a code turned into words
