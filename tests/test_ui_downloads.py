"""What a signed-in person downloads from the pages works with the session alone: no link on a
page leads to the API (which answers a browser without a token with its JSON 401)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from tests import helpers
from tests.conftest import complaint_case
from tests.documents_helpers import served_case


def _links(page: bytes) -> list[str]:
    return re.findall(r'href="([^"#]+)"', page.decode())


def _released(client, officer, clerk, work) -> int:
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json[
        "case_number"
    ]
    memo = helpers.pdf_with(helpers.text_ops("Site visit memo: weeds cut back on the 3rd."))
    r = helpers.upload(client, officer.headers, case, memo, "memo.pdf", kind="correspondence")
    assert r.status_code == 201, r.json
    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": "Pat"},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": "The yard",
        "case_numbers": [case],
    }
    rid = client.post("/api/disclosures", headers=clerk.headers, json=body).json["id"]
    work()
    r = client.post(
        f"/api/disclosures/{rid}/release",
        headers=clerk.headers,
        json={"accept_proposed_redactions": True},
    )
    assert r.status_code == 201, r.json
    return rid


def test_a_signed_in_clerk_downloads_the_released_package_from_its_page(
    client, signed_in, officer, work
) -> None:
    clerk = signed_in("records")
    rid = _released(client, officer, clerk, work)
    page = client.get(f"/disclosures/{rid}")  # the session cookie only, no token
    assert page.status_code == 200
    href = re.search(rb'<a class="button" href="([^"]+)"[^>]*>Download the package', page.data)
    assert href, "no download link on the released request's page"
    r = client.get(href.group(1).decode())
    assert r.status_code == 200, r.data[:200]
    assert r.mimetype == "application/zip" and r.headers["Cache-Control"] == "private, no-store"
    names = zipfile.ZipFile(io.BytesIO(r.data)).namelist()
    assert any(n.endswith(".pdf") for n in names)
    # Same permission as the API's: an officer signed in gets 403, the public a sign-in.
    client.post("/logout", data={"csrf_token": helpers.csrf(page.data)})
    assert client.get(href.group(1).decode()).status_code == 302
    signed_in("officer")
    assert client.get(href.group(1).decode()).status_code == 403


@pytest.mark.slow
def test_no_page_links_to_the_api_and_every_download_answers_the_session(
    client, signed_in, officer, attorney, clock, work
) -> None:
    """The case page (documents' PDF and DOCX, photos, files), a built bundle's page (volumes,
    manifest) and a released request's page: each link is followed with the session alone."""
    built, _doc = served_case(client, officer, clock)
    r = client.post(
        f"/api/cases/{built.case}/bundles", headers=attorney.headers, json={"bates_prefix": "B"}
    )
    assert r.status_code == 202, r.json
    work()
    bundle_id = r.json["id"]
    clerk = signed_in("records")
    rid = _released(client, officer, clerk, work)
    client.post("/logout", data={"csrf_token": helpers.csrf(client.get("/cases").data)})
    signed_in("attorney")
    pages = [f"/cases/{built.case}", f"/bundles/{bundle_id}"]
    followed = 0
    for path in pages:
        page = client.get(path)
        assert page.status_code == 200, path
        for link in _links(page.data):
            assert "/api/" not in link, (path, link)
            if re.search(r"/(attachments|documents|bundles)/\d+/", link):
                got = client.get(link)
                assert got.status_code == 200, (path, link, got.data[:200])
                followed += 1
    assert followed >= 6  # two photos (print, thumb), a PDF, a DOCX, a volume, the manifest
    client.post("/logout", data={"csrf_token": helpers.csrf(client.get("/cases").data)})
    signed_in("records")
    page = client.get(f"/disclosures/{rid}")
    api = [link for link in _links(page.data) if "/api/" in link]
    assert api == []
