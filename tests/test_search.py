"""Full-text search: the record's own transaction indexes it; words, phrases, prefixes, stems
and accents; filters; staff only; bad queries answered, never a 500."""

from __future__ import annotations

import pytest

from tests.conftest import complaint_case


def search(client, h, q: str, **params):
    return client.get("/api/search", headers=h, query_string={"q": q, **params})


@pytest.fixture
def elm(client, officer):
    h = officer.headers
    case = client.post("/api/cases", headers=h, json=complaint_case()).json["case_number"]
    client.post(
        f"/api/cases/{case}/parties",
        headers=h,
        json={"role": "owner", "name": "Smith & Sons <LLC>", "mailing_address": "PO Box 9"},
    )
    client.post(
        f"/api/cases/{case}/violations",
        headers=h,
        json={
            "violation_type": "junk-debris",
            "description": "Abandoned refrigerators rusting beside the driveway",
            "observed_at": "2026-11-16T10:00:00-08:00",
        },
    )
    return case


def numbers(r) -> list[str]:
    return sorted({x["case_number"] for x in r.json["results"]})


def test_found_by_address_party_phrase_stem_and_prefix(client, officer, elm) -> None:
    h = officer.headers
    for q in (
        "1418 Elm",
        "Smith & Sons",
        '"rusting beside the driveway"',
        "refrigerator rust",  # stems: refrigerators, rusting
        "refrig*",
        elm,
    ):
        r = search(client, h, q)
        assert r.status_code == 200 and numbers(r) == [elm], q
    hit = search(client, h, '"beside the driveway"').json["results"][0]
    assert "driveway</mark>" in hit["snippet"] and hit["kind"] == "violation"
    assert numbers(search(client, h, '"driveway beside"')) == []  # a phrase keeps its order


def test_accents_do_not_matter(client, officer, records) -> None:
    h = officer.headers
    body = complaint_case(address="12 Rue Crème Brûlée")
    case = client.post("/api/cases", headers=h, json=body).json["case_number"]
    assert numbers(search(client, h, "creme brulee")) == [case]
    assert numbers(search(client, h, "CRÈME")) == [case]
    # The complainant's name is found by staff who may see it, and each view is audited.
    r = search(client, records.headers, "Nguyen")
    assert numbers(r) == [case] and r.json["results"][0]["kind"] == "complainant"


def test_a_rolled_back_record_is_not_found(database, officer) -> None:
    from docsvc.cases import service
    from docsvc.cases.schemas import CaseIn
    from docsvc.models import User
    from docsvc.search.query import Filters
    from docsvc.search.query import search as run

    with database.session() as s:
        service.open_case(
            s, s.get(User, officer.id), CaseIn().load(complaint_case(address="55 Vanishing Lane"))
        )
        s.flush()
        assert run(s, "Vanishing", Filters()).total >= 1  # indexed inside its transaction
        s.rollback()
    with database.session() as s:
        assert run(s, "Vanishing", Filters()).total == 0


@pytest.mark.parametrize(
    "q",
    [
        '"unbalanced',
        "AND OR NOT",
        "NEAR(elm driveway)",
        'title:elm "a" * ^ - +',
        "elm)(",
        "'; DROP TABLE cases; --",
        "\u0000elm",
    ],
)
def test_hostile_queries_get_results_or_a_400(client, officer, elm, q) -> None:
    r = search(client, officer.headers, q)
    assert r.status_code in (200, 400, 422), r.get_data(as_text=True)
    if r.status_code != 200:
        assert r.json["error"]


def test_too_long_and_empty_queries(client, officer) -> None:
    # The limit is the one the OpenAPI document declares (it declared 20,000 characters and
    # refused past 500: a fuzzer's 20,000-character query outgrew any server's request line).
    q = client.get("/api/openapi.json").json["paths"]["/api/search"]["get"]["parameters"]
    assert next(p for p in q if p["name"] == "q")["schema"]["maxLength"] == 500
    r = search(client, officer.headers, "elm " * 2500)
    assert r.status_code == 422
    assert "q: is 9999 characters long; shorten it to 500 or fewer." in r.json["error"]
    r = search(client, officer.headers, "***")
    assert r.status_code == 400 and "at least one word" in r.json["error"]


def test_staff_only_and_scoped(client, officer, make_user, elm) -> None:
    assert search(client, {}, "Elm").status_code == 401
    elsewhere = make_user("officer", jurisdictions=["tom-bean-tx"])
    assert numbers(search(client, elsewhere.headers, "Elm")) == []
    assert numbers(search(client, officer.headers, "Elm", jurisdiction="tom-bean-tx")) == []
    status = client.get(f"/api/cases/{elm}", headers=officer.headers).json["status"]
    assert numbers(search(client, officer.headers, "Elm", case_status=status)) == [elm]
    assert numbers(search(client, officer.headers, "Elm", case_status="closed")) == []


def test_cases_are_paged_twenty_at_a_time_with_five_hits_each(client, officer) -> None:
    h = officer.headers
    made = [
        client.post("/api/cases", headers=h, json=complaint_case(address=f"{n} Paging Lane")).json[
            "case_number"
        ]
        for n in range(1, 23)
    ]
    first = made[0]
    for i in range(6):  # six more records on one case: only five of its hits are shown
        client.post(
            f"/api/cases/{first}/violations",
            headers=h,
            json={
                "violation_type": "junk-debris",
                "description": f"Paging debris pile {i}",
                "observed_at": "2026-11-16T10:00:00-08:00",
            },
        )
    one = search(client, h, "paging").json
    assert (one["cases"], one["total"], one["page"]) == (22, 22 + 6, 1)
    assert len({x["case_number"] for x in one["results"]}) == 20
    assert [x["case_number"] for x in one["results"]].count(first) == 5
    two = search(client, h, "paging", page=2).json
    assert len({x["case_number"] for x in two["results"]}) == 2
    seen = {x["case_number"] for x in one["results"] + two["results"]}
    assert seen == set(made)
    past = search(client, h, "paging", page=9).json
    assert (past["cases"], past["total"], past["results"]) == (22, 28, [])
