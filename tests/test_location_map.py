"""The map in the case file (Tom Bean VI.B.2): drawn from the property's own point and parcel
outline, with no tile server, captioned with the property's address and never the
complainant's."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from docsvc.models import AuditEvent, Property
from tests.conftest import complaint_case
from tests.helpers import tokens

POINT = {"latitude": 33.5187, "longitude": -96.4836}
OUTLINE = [
    [33.51885, -96.48385],
    [33.51885, -96.48335],
    [33.51855, -96.48335],
    [33.51855, -96.48385],
]


def _svg(html: str) -> str:
    found = re.search(r"<svg[^>]*class=\"location-map\".*?</svg>", html, re.S)
    assert found, "no location map on the page"
    return found.group(0)


@pytest.mark.rule("TB VI.B")
def test_the_case_page_draws_the_parcel_from_its_coordinates(
    client, officer, signed_in, database
) -> None:
    number = client.post(
        "/api/cases", json=complaint_case(jurisdiction="tom-bean-tx"), headers=officer.headers
    ).json["case_number"]
    r = client.put(
        f"/api/cases/{number}/location",
        json={**POINT, "parcel_outline": OUTLINE},
        headers=officer.headers,
    )
    assert r.status_code == 200, r.json
    assert r.json["latitude"] == POINT["latitude"] and r.json["parcel_outline"] == OUTLINE
    with database.session() as s:
        assert s.scalar(select(Property.parcel_outline)) == OUTLINE
        audited = s.scalar(select(AuditEvent).where(AuditEvent.action == "property.location"))
        assert audited is not None and "parcel_outline" in audited.fields
    signed_in("officer")
    html = client.get(f"/cases/{number}").get_data(as_text=True)
    svg = _svg(html)
    # The parcel, the marker, the north arrow, the scale bar and the address as the caption.
    corners = re.search(r'<polygon class="parcel" points="([^"]+)"', svg)
    assert corners and len(corners.group(1).split()) == 4
    assert 'class="marker"' in svg and 'class="north-arrow"' in svg
    assert re.search(r'class="scale-bar">.*?>\d+ (m|km)</text>', svg)
    assert '<text class="caption"' in svg and "1418 Elm Street</text>" in svg
    # Drawn here: nothing is fetched from a tile server, no image is linked.
    assert "<image" not in svg and "href" not in svg
    assert re.findall(r"https?://[^\"' ]+", svg) == ["http://www.w3.org/2000/svg"]


@pytest.mark.rule("TB VI.B")
def test_the_complainants_address_is_never_on_the_map(client, officer, signed_in) -> None:
    body = complaint_case(jurisdiction="tom-bean-tx", address="1418 Elm Street")
    body["property"] |= POINT
    body["complaint"]["complainant"]["address"] = "1420 Elm Street"
    number = client.post("/api/cases", json=body, headers=officer.headers).json["case_number"]
    signed_in("officer")
    page = client.get(f"/cases/{number}")
    # Even once the complainant is shown on the page, the map names only the property.
    r = client.post(f"/cases/{number}/complainant", data=tokens(page.data))
    html = r.get_data(as_text=True)
    assert "1420 Elm Street" in html  # revealed in the complaint card, through the guard
    svg = _svg(html)
    assert "1420" not in svg and "1418 Elm Street" in svg
    # A lone point is still drawn, with no outline.
    assert 'class="marker"' in svg and 'class="parcel"' not in svg


@pytest.mark.rule("TB VI.B")
@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"latitude": 91, "longitude": 0}, "latitude is between -90 and 90"),
        ({"latitude": 33.5, "longitude": -181}, "longitude is between -180 and 180"),
        ({"latitude": 33.5}, "give the longitude too"),
        ({**POINT, "parcel_outline": OUTLINE[:2]}, "3 to 500 points"),
        ({**POINT, "parcel_outline": [[33.5188, -96.4838]] * 501}, "3 to 500 points"),
        ({**POINT, "parcel_outline": [*OUTLINE[:3], [33.5, -96.4, 7]]}, "point 4 has 3 numbers"),
        ({**POINT, "parcel_outline": [[-96.4838, 33.5188], *OUTLINE[1:]]}, "off the globe"),
        ({**POINT, "parcel_outline": [[33.6188, -96.4838], *OUTLINE[1:]]}, "latitude, longitude"),
        ({"parcel_outline": OUTLINE}, "latitude and longitude with the parcel outline"),
    ],
)
def test_bad_coordinates_are_refused_in_words(client, officer, count_rows, body, words) -> None:
    number = client.post(
        "/api/cases", json=complaint_case(jurisdiction="tom-bean-tx"), headers=officer.headers
    ).json["case_number"]
    r = client.put(f"/api/cases/{number}/location", json=body, headers=officer.headers)
    assert r.status_code == 422, r.json
    assert words in str(r.json), r.json
    # The same checks at intake.
    intake = complaint_case(jurisdiction="tom-bean-tx", address="2 Pecan Street")
    intake["property"] |= body
    assert client.post("/api/cases", json=intake, headers=officer.headers).status_code == 422
    assert count_rows("cases") == 1


@pytest.mark.rule("TB VI.B")
def test_the_page_form_records_the_location_and_says_what_to_fix(client, signed_in) -> None:
    officer = signed_in()
    assert officer
    page = client.get("/cases/new")
    r = client.post(
        "/cases/new",
        data={
            **tokens(page.data),
            "jurisdiction": "tom-bean-tx",
            "origin": "patrol",
            "address": "9 Pecan Street",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    case_url = r.headers["Location"]
    html = client.get(case_url).get_data(as_text=True)
    assert "No location recorded for this property yet." in html
    form = tokens(html.encode())
    r = client.post(
        f"{case_url}/location",
        data={**form, "latitude": "95", "longitude": "-96.48", "parcel_outline": ""},
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="location-latitude-error"' in html and "between -90 and 90" in html
    assert 'value="95"' in html  # kept as typed
    outline = "\n".join(f"{a}, {b}" for a, b in OUTLINE)
    r = client.post(
        f"{case_url}/location",
        data={**tokens(html.encode()), "latitude": "33.5187", "longitude": "-96.4836"}
        | {"parcel_outline": outline},
    )
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    svg = _svg(client.get(case_url).get_data(as_text=True))
    assert "9 Pecan Street" in svg and 'class="parcel"' in svg


@pytest.mark.rule("TB VI.B")
def test_the_correction_form_shows_the_coordinates_without_float_noise(
    client, officer, signed_in
) -> None:
    number = client.post(
        "/api/cases", headers=officer.headers, json=complaint_case(jurisdiction="tom-bean-tx")
    ).json["case_number"]
    noisy = [[33.518800000000006, -96.48339999999999], [33.5186, -96.4834], [33.5186, -96.4838]]
    r = client.put(
        f"/api/cases/{number}/location",
        headers=officer.headers,
        json={"latitude": 33.5187 + 1e-14, "longitude": -96.48360000000001}
        | {"parcel_outline": noisy},
    )
    assert r.status_code == 200, r.json
    signed_in()
    html = client.get(f"/cases/{number}").get_data(as_text=True)
    form = re.search(r'<form[^>]*id="location-form".*?</form>', html, re.S)
    assert form
    typed = form.group(0)
    assert 'value="33.5187"' in typed and 'value="-96.4836"' in typed
    assert "33.5188, -96.4834\n33.5186, -96.4834\n33.5186, -96.4838" in typed
    assert "0000000" not in typed and "9999999" not in typed
