"""The location map in the court bundle (Tom Bean VI.B: the case file holds a map of the
property): one page, indexed and Bates-stamped like every record, drawn by the case page's own
sketch and captioned with the property's address; none for a case whose property has no point.
Read from outside, as the other bundle tests read: pdftotext page by page, qpdf for structure."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from docsvc.documents.env import Env
from docsvc.store import FileStore
from docsvc.worker import drain
from tests.conftest import complaint_case
from tests.test_location_map import OUTLINE, POINT

PREFIX = "TBCE"


def _bundle(client, attorney, database, settings, case: str, tmp: Path, **ask) -> list[str]:
    """Build the case's bundle; the volume's text page by page, after qpdf --check."""
    r = client.post(
        f"/api/cases/{case}/bundles",
        headers=attorney.headers,
        json={"bates_prefix": PREFIX, "bates_start": 1, **ask},
    )
    assert r.status_code == 202, r.json
    drain(database, Env(FileStore(settings.store_dir), settings))
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "done", b["error"]
    assert len(b["volumes"]) == 1
    path = tmp / f"bundle-{b['id']}.pdf"
    path.write_bytes(client.get(b["volumes"][0]["pdf_url"], headers=attorney.headers).data)
    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")[:-1]
    assert len(pages) == b["pages"]
    return pages


def _map_page(pages: list[str]) -> str:
    """The map's page, found from the index's row (page number and Bates number)."""
    row = re.search(r"Location map of the property\s+(\d+)\s+" + PREFIX + r"(\d{6})", pages[1])
    assert row, pages[1]
    page, bates = int(row.group(1)), int(row.group(2))
    assert bates == page  # Bates numbering starts at 1
    text = pages[page - 1]
    assert f"{PREFIX}{bates:06d}" in text  # stamped like every page
    assert "Location map" in text
    return text


@pytest.mark.slow
@pytest.mark.rule("TB VI.B")
def test_the_court_bundle_holds_the_location_map_of_a_mapped_property(
    client, officer, attorney, database, settings, tmp_path
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
    # The attorney's bundle: the map is indexed under its own heading, after the complaint.
    pages = _bundle(client, attorney, database, settings, number, tmp_path)
    index = pages[1]
    assert re.search(r"Location map\s*\n", index), index
    assert index.index("Complaint and intake record") < index.index("Location map of the")
    page = _map_page(pages)
    # The caption is the property's address, with the scale bar's label: the complainant's
    # address (1420 Elm Street, in the complaint) is never on the map.
    assert "1418 Elm Street" in page
    assert re.search(r"\b\d+ (m|km)\b", page), page
    assert "1420" not in page and "O'Brien" not in page
    assert f"{POINT['latitude']:.6f}, {POINT['longitude']:.6f}" in page

    # The redacted bundle for service carries the same map, and the leak scanner (run on
    # every redacted bundle before it is stored) finds no complainant in it.
    pages = _bundle(client, attorney, database, settings, number, tmp_path, redacted=True)
    page = _map_page(pages)
    assert "1418 Elm Street" in page and re.search(r"\b\d+ (m|km)\b", page)
    flat = re.sub(r"\s+", "", "".join(pages))
    for needle in ("O'Brien", "Nguy", "Maria", "1420Elm", "555-0142", "maria@example"):
        assert needle not in flat, needle

    # A case whose property has no point: no map, no row, no page.
    other = client.post(
        "/api/cases",
        json=complaint_case(jurisdiction="tom-bean-tx", address="77 Oak Lane"),
        headers=officer.headers,
    ).json["case_number"]
    pages = _bundle(client, attorney, database, settings, other, tmp_path)
    assert not any("Location map" in p for p in pages)
