"""A request's page as a clerk uses it: a choice's radio beside its words, and a form's address
opened as a page answered in words with the way back."""

from __future__ import annotations

import re

from tests import helpers
from tests.conftest import complaint_case
from tests.helpers import pdf_with, text_ops


def _request(client, officer, clerk, work, jurisdiction: str, *texts: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    case = client.post(
        "/api/cases", headers=officer.headers, json=complaint_case(jurisdiction=jurisdiction)
    ).json["case_number"]
    for n, text in enumerate(texts):
        r = helpers.upload(
            client, officer.headers, case, pdf_with(text_ops(text)), f"r{n}.pdf", "correspondence"
        )
        assert r.status_code == 201, r.json
    offset = "-06:00" if jurisdiction == "tom-bean-tx" else "-08:00"
    body = {
        "jurisdiction": jurisdiction,
        "requester": {"name": "Pat Reporter"},
        "received_at": f"2026-11-20T10:00:00{offset}",
        "description": "All records about the yard",
        "case_numbers": [case],
    }
    r = client.post("/api/disclosures", headers=clerk.headers, json=body)
    assert r.status_code == 201, r.json
    work()
    return r.json["id"], case


def _rules(css: str, selector: str) -> dict[str, str]:
    """The declarations of every rule naming `selector` in its list, later ones winning."""
    out: dict[str, str] = {}
    for selectors, body in re.findall(
        r"([^{}]+)\{([^}]*)\}", re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    ):
        if selector in [s.strip() for s in selectors.split(",")]:
            for decl in body.split(";"):
                if ":" in decl:
                    k, v = decl.split(":", 1)
                    out[k.strip()] = v.strip()
    return out


def test_a_radio_in_a_forms_field_sits_inline_at_its_own_size_and_text_inputs_stay_full_width(  # type: ignore[no-untyped-def]
    client,
) -> None:
    r = client.get("/static/style.css")
    css = r.get_data(as_text=True)
    r.close()  # a static file is sent from an open file
    # The generic rule makes every input but a checkbox a full-width block 2.75rem tall: a
    # radio, too, unless the field's own rule sets it back.
    generic = _rules(css, "input:not([type=checkbox])")
    assert generic["width"] == "100%" and generic["display"] == "block"
    for kind in ("radio", "checkbox"):
        own = _rules(css, f"label.check > input[type={kind}]")
        assert own.get("display") == "inline-block", kind
        assert own.get("min-height") == "0", kind
        assert own.get("width", "100%") != "100%", kind
    # The label is the touch target.
    assert _rules(css, "label.check").get("min-height") == "2.75rem"


def test_a_form_address_opened_as_a_page_says_so_with_the_way_back(  # type: ignore[no-untyped-def]
    client, signed_in, officer, work
) -> None:
    clerk = signed_in("records")
    rid, _ = _request(client, officer, clerk, work, "los-gatos-ca", "Site visit memo.")
    for address in (f"/disclosures/{rid}/release", f"/disclosures/{rid}/findings/7/dismiss"):
        r = client.get(address)
        assert r.status_code == 405, address
        assert "POST" in r.headers["Allow"]
        body = r.get_data(as_text=True)
        assert "This address only takes a form" in body
        assert "method is not allowed" not in body.lower()
        assert f'href="/disclosures/{rid}" id="back-to-page"' in body
    # A case's form: back to the case's page.
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json
    r = client.get(f"/cases/{case['case_number']}/settlements")
    assert r.status_code == 405
    assert f'href="/cases/{case["case_number"]}" id="back-to-page"' in r.get_data(as_text=True)
    # The API answers in its own shape.
    r = client.get(f"/api/disclosures/{rid}/release", headers=clerk.headers)
    assert r.status_code == 405 and r.is_json and r.json["code"] == "validation_error"
