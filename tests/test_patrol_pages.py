"""The patrol plan from the browser (Lee's Summit II.B.1): the areas with this year's coverage,
an area added, a property placed in one by its address and a review recorded, refusals said
beside their field; the page in the navigation only where a jurisdiction's profile keeps a
plan."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import select

from docsvc.models import PatrolArea, Property, PropertyReview
from tests.helpers import tokens

pytestmark = pytest.mark.rule("LS II.B.1")

LS = "lees-summit-mo"


def beside(html: str, input_id: str) -> str:
    """The message shown beside an input ("" when none)."""
    found = re.search(rf'id="{input_id}-error">.*?</span>(.*?)</span>', html, re.S)
    return html_lib.unescape(found.group(1).strip()) if found else ""


def shown(html: str) -> str:
    """What a person reads of the page's main part."""
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", re.split(r"<main\b[^>]*>", html)[1]))


def area_id(database, name: str) -> int:
    with database.session() as s:
        return s.scalars(select(PatrolArea.id).where(PatrolArea.name == name)).one()


def test_areas_added_filled_and_reviewed_from_the_page(client, signed_in, clock, database) -> None:
    clock("2030-06-01T09:00:00-05:00")
    signed_in("officer")
    page = client.get("/patrol")
    assert page.status_code == 200
    assert 'href="/patrol"' in page.get_data(as_text=True)  # in the navigation
    r = client.post(
        "/patrol/areas",
        data={**tokens(page.data), "jurisdiction": LS, "name": "North", "description": "Route 4"},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    north = area_id(database, "North")
    page = client.get("/patrol")
    for address in ("12 Oak Street", "14 Oak Street"):
        r = client.post(
            f"/patrol/areas/{north}/properties", data={**tokens(page.data), "address": address}
        )
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]
        page = client.get("/patrol")
    text = shown(page.get_data(as_text=True))
    assert "0 of 2 properties reviewed in 2030" in text
    r = client.post(
        f"/patrol/areas/{north}/reviews",
        data={
            **tokens(page.data),
            "address": "12 OAK ST.",  # the same property, however it is written
            "reviewed_on": "2030-05-30",
            "outcome": "violation_found",
            "note": "Tires by the garage.",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    with database.session() as s:
        review = s.scalars(select(PropertyReview)).one()
        assert review.outcome == "violation_found" and str(review.reviewed_on) == "2030-05-30"
    html = client.get("/patrol").get_data(as_text=True)
    row = re.search(rf'<tr id="area-row-{north}">(.*?)</tr>', html, re.S)
    assert row
    cells = [c for c in re.sub(r"<[^>]+>", "|", row.group(1)).split("|") if c]
    assert cells == ["North", "2", "1", "50.0 %"]
    text = shown(html)
    assert "1 of 2 properties reviewed in 2030" in text
    not_yet = re.search(rf'id="area-{north}-not-reviewed".*?</details>', html, re.S)
    assert not_yet and "14 Oak Street" in not_yet.group(0) and "12 Oak" not in not_yet.group(0)
    # The outcomes are offered in words, never as codes.
    assert "Could not be seen from the street" in text and "no_access" not in text
    # Last year's coverage on asking: nothing reviewed then.
    text = shown(client.get("/patrol?year=2029").get_data(as_text=True))
    assert "Patrol plan · 2029" in text and "0 of 2 properties reviewed in 2029" in text


def test_refusals_beside_their_field_with_what_was_typed(
    client, signed_in, clock, database
) -> None:
    clock("2030-06-01T09:00:00-05:00")
    signed_in("officer")
    page = client.get("/patrol")
    r = client.post(
        "/patrol/areas", data={**tokens(page.data), "jurisdiction": LS, "name": "South"}
    )
    assert r.status_code == 302
    south = area_id(database, "South")
    page = client.get("/patrol")
    # A review of a property the area does not hold: beside the address, kept as typed.
    r = client.post(
        f"/patrol/areas/{south}/reviews",
        data={
            **tokens(page.data),
            "address": "3 Pine Road",
            "reviewed_on": "2030-05-30",
            "outcome": "no_violation",
        },
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "is not in the patrol area 'South': assign it to the area first" in beside(
        html, f"patrol-review-{south}-address"
    )
    assert 'value="3 Pine Road"' in html
    # A date in the future and no outcome: each beside its own input.
    r = client.post(
        f"/patrol/areas/{south}/reviews",
        data={**tokens(r.data), "address": "3 Pine Road", "reviewed_on": "2030-07-01"},
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert beside(html, f"patrol-review-{south}-outcome") == "choose one"
    # An address left empty when placing a property.
    r = client.post(f"/patrol/areas/{south}/properties", data={**tokens(r.data), "address": ""})
    assert r.status_code == 422
    assert beside(r.get_data(as_text=True), f"patrol-place-{south}-address") == "fill this in"
    # A jurisdiction whose rules keep no plan: beside the jurisdiction, in its own words.
    r = client.post(
        "/patrol/areas", data={**tokens(r.data), "jurisdiction": "los-gatos-ca", "name": "X"}
    )
    assert r.status_code == 422
    assert "rules set no patrol review of every property" in beside(
        r.get_data(as_text=True), "patrol-area-jurisdiction"
    )
    # A name taken in the jurisdiction.
    r = client.post("/patrol/areas", data={**tokens(r.data), "jurisdiction": LS, "name": "South"})
    assert r.status_code == 409
    assert "already has a patrol area named 'South'" in shown(r.get_data(as_text=True))
    # A year that is no year.
    r = client.get("/patrol?year=next")
    assert r.status_code == 422
    assert beside(r.get_data(as_text=True), "patrol-year-year") == "enter a number"
    assert 'value="next"' in r.get_data(as_text=True)
    with database.session() as s:
        assert s.scalars(select(PropertyReview)).all() == []
        assert s.scalars(select(Property)).all() == []
        assert len(s.scalars(select(PatrolArea)).all()) == 1


def test_only_where_a_profile_keeps_a_plan(client, make_user, database) -> None:
    from tests import helpers

    user = make_user("officer", jurisdictions=["los-gatos-ca"], with_password=True)
    token = helpers.csrf(client.get("/login").data)
    client.post(
        "/login",
        data={"username": user.username, "password": user.password, "csrf_token": token},
    )
    html = client.get("/cases").get_data(as_text=True)
    assert 'href="/patrol"' not in html
    page = client.get("/patrol")
    assert page.status_code == 200
    text = shown(page.get_data(as_text=True))
    assert "None of your jurisdictions' rules asks for a patrol review" in text
    assert 'id="area-form"' not in page.get_data(as_text=True)


def test_a_read_only_role_sees_coverage_without_forms(
    client, officer, signed_in, clock, database
) -> None:
    clock("2030-06-01T09:00:00-05:00")
    r = client.post(
        "/api/patrol-areas", headers=officer.headers, json={"jurisdiction": LS, "name": "East"}
    )
    assert r.status_code == 201
    signed_in("records")
    html = client.get("/patrol").get_data(as_text=True)
    assert "East" in shown(html)
    assert 'id="area-form"' not in html and "Record a review" not in html


def test_a_review_picks_one_of_the_areas_properties(client, signed_in, clock, database) -> None:
    clock("2030-06-01T09:00:00-05:00")
    signed_in("officer")
    page = client.get("/patrol")
    r = client.post("/patrol/areas", data={**tokens(page.data), "jurisdiction": LS, "name": "SE"})
    assert r.status_code == 302
    se = area_id(database, "SE")
    for address in ("12 SE 3rd Street", "14 SE 3rd Street"):
        page = client.get("/patrol")
        r = client.post(
            f"/patrol/areas/{se}/properties", data={**tokens(page.data), "address": address}
        )
        assert r.status_code == 302, r.get_data(as_text=True)[:2000]

    def offered(html: str) -> list[tuple[str, str]]:
        select = re.search(rf'<select[^>]*id="patrol-review-{se}-address".*?</select>', html, re.S)
        assert select, "the review form offers a choice of the area's properties"
        return [
            (html_lib.unescape(v), html_lib.unescape(t.strip()))
            for v, t in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>', select.group(0))
        ]

    page = client.get("/patrol")
    assert offered(page.get_data(as_text=True)) == [
        ("", "Choose a property"),
        ("12 SE 3rd Street", "12 SE 3rd Street"),
        ("14 SE 3rd Street", "14 SE 3rd Street"),
    ]
    r = client.post(
        f"/patrol/areas/{se}/reviews",
        data={
            **tokens(page.data),
            "address": "12 SE 3rd Street",  # the option's value, as the area holds it
            "reviewed_on": "2030-05-30",
            "outcome": "no_violation",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    # A property reviewed this year is still offered (a second visit), and says so.
    page = client.get("/patrol")
    assert offered(page.get_data(as_text=True))[1:] == [
        ("12 SE 3rd Street", "12 SE 3rd Street (reviewed in 2030)"),
        ("14 SE 3rd Street", "14 SE 3rd Street"),
    ]
    # The server still checks: an address the area does not hold is refused beside the field.
    r = client.post(
        f"/patrol/areas/{se}/reviews",
        data={
            **tokens(page.data),
            "address": "99 Elsewhere Road",
            "reviewed_on": "2030-05-30",
            "outcome": "no_violation",
        },
    )
    assert r.status_code == 422
    assert "is not in the patrol area 'SE'" in beside(
        r.get_data(as_text=True), f"patrol-review-{se}-address"
    )
    with database.session() as s:
        assert len(s.scalars(select(PropertyReview)).all()) == 1
