"""With any one redaction step switched off, the leak scanner blocks the release.

The real flow (case with a complaint, files attached, a notice to the complainant, a request,
the worker's preparation, the release with the proposed boxes accepted) is run with one step
of the redaction broken by monkeypatch, where the code looks it up:

- data-layer substitution (the notice rendered again at release with its identity in place),
- box proposal (no boxes found on the review copies),
- burn-in (the reviewed record released as it came, or rebuilt without its boxes),
- metadata stripping (the rebuilt file keeping the source's Info and XMP),
- needle generation (the redaction told there is nothing to look for).

Each time the release must be refused (409 release_blocked), and the package it refused must
really leak, as a reader from outside (tests/outside_readers.py) sees it: the proof that the
patch took effect. Unbroken, the same release passes and the outside reader finds nothing in
what the public gets.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pikepdf
import pytest

from docsvc.disclosure import pages, prepare, release, renditions
from docsvc.disclosure.scan_targets import Targets
from docsvc.disclosure.scanner import scan_package
from tests import helpers
from tests.conftest import complaint_case
from tests.helpers import pdf_with, text_ops
from tests.outside_readers import leaks

WHO = {
    "name": "Maria O'Brien-Nguyễn",
    "phone": "(903) 555-0142",
    "email": "maria.obrien@example.org",
    "address": "100 N Oak Avenue Apt 4B",
}
PROPERTY = "100 N Main Street"


@pytest.fixture
def built(monkeypatch) -> list[bytes]:
    """Every package the release builds and scans, passed or refused, in order."""
    packages: list[bytes] = []
    real = release.scan

    def keep(package, progress=None):
        packages.append(package.data)
        return real(package, progress)

    monkeypatch.setattr(release, "scan", keep)
    return packages


@pytest.fixture
def case(client, officer) -> str:
    """A complaint from a neighbour on the property's block, with each carrier the redaction
    must clean: a letter naming them (text layer: boxes), a memo whose only trace of them is
    its metadata, a scanned form (pixels: boxes by OCR), and a notice addressed to them
    (generated: substituted in its data)."""
    h = officer.headers
    body = complaint_case(address=PROPERTY, complainant=WHO)
    number = client.post("/api/cases", headers=h, json=body).json["case_number"]
    letter = pdf_with(
        text_ops(
            "Complaint about the yard at 100 N Main Street, from the neighbour",
            "Maria O'Brien-Nguyen, 100 N Oak Avenue Apt 4B.",
            "Call her back at (903) 555-0142 or write to maria.obrien@example.org.",
        )
    )
    memo = pdf_with(
        text_ops("Photos of the yard attached; weeds about three feet tall."),
        info="/Author (Maria O'Brien-Nguyen) /Subject (call 903-555-0142)",
    )
    form = helpers.text_image(
        ["COMPLAINT FORM", "Name: Maria O'Brien-Nguyen"], fmt="PNG", size=(1700, 400)
    )
    for name, data, kind in (
        ("letter.pdf", letter, "correspondence"),
        ("memo.pdf", memo, "correspondence"),
        ("form.png", form, "complaint_form"),
    ):
        r = helpers.upload(client, h, number, data, name, kind=kind)
        assert r.status_code == 201, r.json
    notice = {
        "type": "notice_of_resolution",
        "recipient": "complainant",
        "fields": {"resolution": "The owner cut the weeds."},
    }
    r = client.post(f"/api/cases/{number}/documents", headers=h, json=notice)
    assert r.status_code == 201 and r.json["status"] == "issued", r.json
    return number


def prepared(client, records, work, case: str) -> int:
    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": "Pat Reporter"},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": "All records about 100 N Main Street",
        "case_numbers": [case],
    }
    r = client.post("/api/disclosures", headers=records.headers, json=body)
    assert r.status_code == 201, r.json
    work()
    return r.json["id"]


def boxes(client, records, rid: int) -> list[dict[str, Any]]:
    return client.get(f"/api/disclosures/{rid}/proposed-redactions", headers=records.headers).json


def released(client, records, rid: int):
    return client.post(
        f"/api/disclosures/{rid}/release",
        headers=records.headers,
        json={"accept_proposed_redactions": True},
    )


# --- the steps, broken -------------------------------------------------------------------------


def _unchanged_context(context: dict[str, Any], needles: Any, label: str) -> dict[str, Any]:
    return copy.deepcopy(context)


def _keeping_metadata(real: Callable[..., bytes]) -> Callable[..., bytes]:
    def rebuild(data: bytes, boxes: list[pages.Box], label: str, title: str) -> bytes:
        out = real(data, boxes, label, title)
        with pikepdf.open(io.BytesIO(data)) as source, pikepdf.open(io.BytesIO(out)) as pdf:
            for key, value in source.docinfo.items():
                pdf.docinfo[key] = value
            if "/Metadata" in source.Root:
                pdf.Root.Metadata = pdf.copy_foreign(source.Root.Metadata)
            kept = io.BytesIO()
            pdf.save(kept)
        return kept.getvalue()

    return rebuild


AT_RELEASE: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "data-layer substitution": lambda mp: (
        mp.setattr(renditions, "public_context", _unchanged_context),
        mp.setattr(renditions, "replace_spans", lambda text, needles, label: (text, [])),
    ),
    "burn-in: the source released as it is": lambda mp: mp.setattr(
        release, "rebuild", lambda data, boxes, label, title: data
    ),
    "burn-in: rebuilt without its boxes": lambda mp: mp.setattr(
        release, "rebuild", lambda data, boxes, label, title: pages.rebuild(data, [], label, title)
    ),
    "metadata stripping": lambda mp: mp.setattr(
        release, "rebuild", _keeping_metadata(pages.rebuild)
    ),
}
# What each broken step lets through, as the outside reader sees it (no OCR: all of it is in
# text or metadata), and the file it is in.
LEAKED_IN = {
    "data-layer substitution": ("-001.pdf", {"name", "address"}),
    "burn-in: the source released as it is": ("-002.pdf", {"name", "phone", "email", "address"}),
    "burn-in: rebuilt without its boxes": ("-002.pdf", {"name", "phone", "email", "address"}),
    "metadata stripping": ("-003.pdf", {"name", "phone"}),
}


def _file(package: bytes, ending: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        (name,) = [n for n in zf.namelist() if n.endswith(ending)]
        return zf.read(name)


@pytest.mark.slow
def test_each_step_broken_at_release_is_blocked_and_unbroken_it_passes(
    client, records, work, case, built, monkeypatch
) -> None:
    rid = prepared(client, records, work, case)
    assert {b["kind"] for b in boxes(client, records, rid)} >= {"name", "phone", "address"}
    outcomes, leaked = {}, {}
    for step, breaks in AT_RELEASE.items():
        with monkeypatch.context() as mp:
            breaks(mp)
            r = released(client, records, rid)
        outcomes[step] = (r.status_code, r.json.get("code"))
        ending, _ = LEAKED_IN[step]
        leaked[step] = leaks(_file(built[-1], ending), "f.pdf", WHO, ocr=False)
    assert outcomes == {step: (409, "release_blocked") for step in AT_RELEASE}
    # Each break took effect: the file it concerns leaks (at least) what it should have hidden.
    assert {s: k >= LEAKED_IN[s][1] for s, k in leaked.items()} == dict.fromkeys(AT_RELEASE, True)

    r = released(client, records, rid)
    assert r.status_code == 201, r.json
    public = client.get(r.json["public_url"].replace("http://localhost", "")).data
    assert public == built[-1]
    for ending, _ in LEAKED_IN.values():  # the same files, unbroken, hide it
        assert leaks(_file(public, ending), "f.pdf", WHO, ocr=False) == set(), ending
    assert leaks(public, "release.zip", WHO) == set()  # and the whole package, OCR included


def _no_boxes(data: bytes, needles: Any) -> tuple[list[pages.Box], list[tuple[float, float]]]:
    return [], pages.find_boxes(data, [])[1]


AT_PREPARATION: dict[str, Callable[[pytest.MonkeyPatch], None]] = {
    "box proposal": lambda mp: mp.setattr(prepare, "find_boxes", _no_boxes),
    "needle generation": lambda mp: (
        mp.setattr(prepare, "needles_for", lambda session, decision: []),
        mp.setattr(prepare, "case_needles", lambda *a, **k: []),
        mp.setattr(release, "needles_for", lambda session, decision: []),
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("step", list(AT_PREPARATION))
def test_each_step_broken_from_preparation_on_is_blocked(
    client, records, work, case, built, monkeypatch, step: str
) -> None:
    AT_PREPARATION[step](monkeypatch)
    rid = prepared(client, records, work, case)
    assert boxes(client, records, rid) == []  # the break took effect: nothing was proposed
    r = released(client, records, rid)
    assert (r.status_code, r.json["code"]) == (409, "release_blocked"), r.json
    assert {f["kind"] for f in r.json["details"]["findings"]} >= {"name", "phone", "email"}
    assert leaks(_file(built[-1], "-002.pdf"), "f.pdf", WHO, ocr=False) >= {"name", "phone"}


# --- what the redaction itself lets through -----------------------------------------------------


def _commented_photo_pdf() -> bytes:
    """A letter embedding a phone photo whose JPEG comment (and EXIF, XMP) names the sender."""
    return helpers.pdf_with_photo(helpers.complainant_jpeg("Maria OBrien-Nguyen"), "Photo 1.")


def _unused_form_pdf() -> bytes:
    """A page whose resources hold a form never drawn: nothing on the page shows it."""
    with pikepdf.open(io.BytesIO(pdf_with(text_ops("Inspection notes.")))) as pdf:
        form = pikepdf.Stream(pdf, b"BT /F1 11 Tf 0 0 Td (Maria O'Brien-Nguyen) Tj ET")
        form.stream_dict = pikepdf.Dictionary(
            Type=pikepdf.Name.XObject,
            Subtype=pikepdf.Name.Form,
            BBox=pikepdf.Array([0, 0, 300, 20]),
            Resources=pdf.pages[0].Resources,
        )
        pdf.pages[0].Resources.XObject = pikepdf.Dictionary(Fx=form)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def _private_key_pdf() -> bytes:
    """A page dictionary with a key of the producing tool's own carrying the name."""
    with pikepdf.open(io.BytesIO(pdf_with(text_ops("Inspection notes.")))) as pdf:
        pdf.pages[0].obj[pikepdf.Name("/SourceNote")] = pikepdf.String("from Maria O'Brien")
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


HIDDEN = {
    "photo.pdf": _commented_photo_pdf,
    "unit.pdf": lambda: pdf_with(text_ops("Her door is #4B, on the second floor.")),
    "form.pdf": _unused_form_pdf,
    "private.pdf": _private_key_pdf,
}


@pytest.mark.slow
def test_what_the_redaction_leaves_in_a_file_never_leaves_unnoticed(
    client, officer, records, work, built
) -> None:
    """Identifiers the page does not show, or shows as a bare unit number, in files that need
    no box: each released file is either clean (to the outside reader and the scanner) or the
    release is refused with a finding in it. (When this was written all four were refused:
    the redaction kept a JPEG's comment, unused resources, the page's own keys, and boxed no
    '#4B' away from its street.)"""
    h = officer.headers
    body = complaint_case(address=PROPERTY, complainant=WHO)
    number = client.post("/api/cases", headers=h, json=body).json["case_number"]
    targets = Targets.of(**WHO)
    for name, make in HIDDEN.items():
        data = make()
        assert scan_package(_zipped({name: data}), targets, ocr=False), name  # it does carry one
        assert (
            helpers.upload(client, h, number, data, name, kind="correspondence").status_code == 201
        )
    r = released(client, records, prepared(client, records, work, number))
    flagged = {f["file"] for f in (r.json.get("details") or {}).get("findings", [])}
    assert r.status_code == (409 if flagged else 201), r.json
    for seq in range(1, len(HIDDEN) + 1):
        name = f"{number}-{seq:03d}.pdf"
        data = _file(built[-1], name)
        clean = not leaks(data, name, WHO, ocr=False) and not scan_package(
            _zipped({name: data}), targets, ocr=False
        )
        assert name in flagged or clean, name


def _zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()
