"""A complainant's given name is withheld on its own whatever its length ("Zelda", "Juan",
"Amy"), in the redaction's needles and, independently, the leak scanner's targets; except
where it is plainly a place's name ("12 Maria Street"). Every surface that masks or redacts
with the needles follows: a release package, a redacted court bundle, the case page before
"Show complainant", search hits."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from docsvc.disclosure.scan_targets import Targets
from docsvc.disclosure.scanner import scan_package
from docsvc.identity.needles import Identity, kinds_found, mask
from tests import helpers
from tests.conftest import complaint_case
from tests.outside_readers import read_outside

ZELDA = {
    "name": "Zelda Quackenbush",
    "phone": "(408) 555-0199",
    "email": "zq@example.org",
    "address": "1420 Elm Street",
}
MEMO = "Called back Zelda about her complaint; Also spoke to Ms. Quackenbush"
DESCRIPTION = "Zelda here: junk and debris piled at 1418 Elm Street"


def _zelda_case(client, officer) -> str:
    body = complaint_case(complainant=ZELDA, description=DESCRIPTION)
    r = client.post("/api/cases", headers=officer.headers, json=body)
    assert r.status_code == 201, r.json
    return r.json["case_number"]


def _views(database) -> int:
    from docsvc.models import AuditEvent

    with database.session() as s:
        return s.scalar(select(func.count()).where(AuditEvent.action == "complainant.view"))


# --- the needles and the targets, on a text ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Called back Zelda about her complaint",
        "ZELDA called again",
        "zelda's complaint was about the couch",  # possessive, lower case
        "Z e l d a phoned",  # a glyph at a time
        "Zelda_letter.pdf",  # a file name
    ],
)
def test_the_given_name_alone_is_found_by_both(text: str) -> None:
    assert kinds_found(text, Identity(ZELDA["name"]).needles()) == {"name"}, text
    assert Targets.of(ZELDA["name"]).kinds_in(text) == {"name"}, text


def test_the_scanner_alone_flags_the_given_name_in_a_package() -> None:
    """Redaction switched off: the package holds the memo as written; the scanner blocks it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("memo.pdf", helpers.pdf("Called back Zelda about her complaint"))
    findings = scan_package(out.getvalue(), Targets.of(ZELDA["name"]), ocr=False)
    assert {f.kind for f in findings} == {"name"}


@pytest.mark.parametrize("name", ["Maria Lopez", "Lopez, Maria", "Juan Li", "Amy Wu"])
def test_a_street_named_like_the_complainant_is_not_them(name: str) -> None:
    given = name.split(", ")[-1].split()[0]
    who = Identity(name)
    targets = Targets.of(name)
    for place in (f"12 {given} Street", f"on {given} St.", f"{given} Avenue", f"{given} Ln"):
        assert not kinds_found(place, who.needles()), place
        assert not targets.kinds_in(place), place
    for person in (f"{given} called", f"spoke to {given} twice", f"{given}, from next door"):
        assert kinds_found(person, who.needles()) == {"name"}, person
        assert targets.kinds_in(person) == {"name"}, person
    # The text replacement keeps the address and takes the person.
    assert mask(f"{given} called about 12 {given} Street", who) == (
        f"[complainant] called about 12 {given} Street"
    )


def test_a_two_letter_given_name_is_not_withheld_alone() -> None:
    """'Al' would strike every 'et al.' of a court filing and the state code AL; the surname
    still is withheld."""
    text = "Jones et al. v. City of Mobile, AL"
    assert not kinds_found(text, Identity("Al Smith").needles())
    assert not Targets.of("Al Smith").kinds_in(text)


# --- each surface -------------------------------------------------------------------------


@pytest.mark.slow
def test_a_release_package_withholds_the_given_name(
    client, officer, records, work, tmp_path: Path
) -> None:
    case = _zelda_case(client, officer)
    r = helpers.upload(
        client, officer.headers, case, helpers.pdf(MEMO), "memo.pdf", kind="correspondence"
    )
    assert r.status_code == 201, r.json
    r = client.post(
        "/api/disclosures",
        headers=records.headers,
        json={
            "jurisdiction": "los-gatos-ca",
            "requester": {"name": "Pat Reporter", "email": "pat@news.example"},
            "received_at": "2026-11-20T10:00:00-08:00",
            "description": "All records about the property",
            "case_numbers": [case],
        },
    )
    assert r.status_code == 201, r.json
    rid = r.json["id"]
    work()
    r = client.post(
        f"/api/disclosures/{rid}/release",
        headers=records.headers,
        json={"accept_proposed_redactions": True},
    )
    assert r.status_code == 201, r.json
    package = client.get(f"/api/disclosures/{rid}/package", headers=records.headers).data
    # Read from outside: pdftotext, and Tesseract on the pages (a boxed page is an image).
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        assert len([n for n in zf.namelist() if n.startswith(case)]) == 1  # the memo
    text = re.sub(r"[^a-z]", "", read_outside(package, "release.zip").lower())
    assert "hercomplaint" in text and "alsospoketo" in text  # read, boxes and all
    assert "zelda" not in text and "quackenbush" not in text


def test_the_case_page_masks_the_given_name_until_shown(
    client, officer, signed_in, database
) -> None:
    case = _zelda_case(client, officer)
    signed_in()
    before = _views(database)
    html = client.get(f"/cases/{case}").get_data(as_text=True)
    assert "junk and debris piled at 1418 Elm Street" in html  # the complaint, its address kept
    assert "Zelda" not in html and "[complainant] here" in html
    assert _views(database) == before


def test_search_hits_mask_the_given_name_in_a_file_name(client, officer, records, work) -> None:
    case = _zelda_case(client, officer)
    r = helpers.upload(
        client,
        officer.headers,
        case,
        helpers.pdf("Letter about the couch"),
        "Zelda_Quackenbush_letter.pdf",
        kind="correspondence",
    )
    assert r.status_code == 201, r.json
    work()
    hits = [
        h
        for q in ("couch", "letter", "Quackenbush", "Zelda")
        for h in client.get("/api/search", query_string={"q": q}, headers=records.headers).json[
            "results"
        ]
    ]
    assert hits
    for h in hits:
        for shown in (h["title"], h["snippet"]):
            assert "Zelda" not in shown and "Quackenbush" not in shown, shown


@pytest.mark.slow
def test_a_redacted_bundle_withholds_the_given_name(
    client, officer, attorney, database, settings, tmp_path: Path
) -> None:
    from docsvc.documents.env import Env
    from docsvc.store import FileStore
    from docsvc.worker import drain

    case = _zelda_case(client, officer)
    r = helpers.upload(
        client, officer.headers, case, helpers.jpeg(), "p.jpg", caption="Zelda showed me the pile"
    )
    assert r.status_code == 201, r.json
    r = client.post(
        f"/api/cases/{case}/bundles",
        headers=attorney.headers,
        json={"bates_prefix": "X", "redacted": True},
    )
    assert r.status_code == 202, r.json
    drain(database, Env(FileStore(settings.store_dir), settings))
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "done", b["error"]
    for volume in b["volumes"]:
        data = client.get(volume["pdf_url"], headers=attorney.headers).data
        (tmp_path / "v.pdf").write_bytes(data)
        text = subprocess.run(
            ["pdftotext", str(tmp_path / "v.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "junk and debris piled" in text
        assert "zelda" not in re.sub(r"\s+", "", text).lower()
        assert b"Zelda" not in data
