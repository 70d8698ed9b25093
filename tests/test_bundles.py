"""Court bundles, checked by readers that are not the ones that wrote them: qpdf for structure,
pdftotext page by page for the Bates sequence and the index, pypdf for bookmarks and labels."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from docsvc.documents.env import Env
from docsvc.store import FileStore
from docsvc.worker import drain
from tests import helpers
from tests.conftest import complaint_case
from tests.documents_helpers import issue, served_case
from tests.outside_readers import leaks


def _work(database, settings) -> None:
    drain(database, Env(FileStore(settings.store_dir), settings))


def _pages_text(data: bytes, tmp: Path) -> list[str]:
    path = tmp / "bundle.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return out.split("\f")[:-1]


def _box(word) -> tuple[float, ...]:
    return tuple(float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))


def _bates_boxes(path: Path, prefix: str) -> list[tuple[float, float, tuple, float]]:
    """Per page, as pdftotext reads it: (width, height, the Bates number's box, the lowest
    edge of any other word), in points from the top left of the page as displayed."""
    from lxml import etree

    xhtml = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True
    ).stdout
    ns = {"x": "http://www.w3.org/1999/xhtml"}
    out = []
    for page in etree.fromstring(xhtml).iterfind(".//x:page", ns):
        width, height = float(page.get("width")), float(page.get("height"))
        boxes = [(w.text or "", _box(w)) for w in page.findall("x:word", ns)]
        bates = [b for text, b in boxes if text.startswith(prefix)]
        assert bates, [text for text, _ in boxes][-5:]
        stamp = max(bates, key=lambda b: b[1])  # the index and cover cite Bates numbers too
        above = [b[3] for _, b in boxes if b[1] <= height - 26]  # everything outside the strip
        out.append((width, height, stamp, max(above, default=0)))
    return out


@pytest.mark.slow
def test_a_bundle_is_paginated_stamped_indexed_and_hashed(
    client, officer, attorney, records, clock, database, settings, tmp_path
) -> None:
    built, doc = served_case(client, officer, clock)
    r = client.post(
        f"/api/cases/{built.case}/bundles",
        headers=attorney.headers,
        json={"bates_prefix": "LGCE", "bates_start": 101},
    )
    assert r.status_code == 202, r.json
    bundle_id = r.json["id"]
    assert r.json["status"] == "queued"
    _work(database, settings)
    b = client.get(f"/api/bundles/{bundle_id}", headers=attorney.headers).json
    assert b["status"] == "done", b["error"]
    assert len(b["volumes"]) == 1
    vol = b["volumes"][0]
    data = client.get(vol["pdf_url"], headers=attorney.headers).data
    path = tmp_path / "v.pdf"
    path.write_bytes(data)
    assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages == b["pages"] == vol["pages"]
    # Bates on every page, continuous from the start asked for, in the stamp strip.
    texts = _pages_text(data, tmp_path)
    assert len(texts) == pages
    for n, text in enumerate(texts):
        assert f"LGCE{101 + n:06d}" in text, (n, text[-300:])
        assert f"page {n + 1} of {pages}" in text
    assert vol["first_bates"] == "LGCE000101" and vol["last_bates"] == f"LGCE{100 + pages:06d}"
    # Upright, in the strip at the foot of each page, clear of the content above it.
    for n, (width, height, box, lowest) in enumerate(_bates_boxes(path, "LGCE")):
        x_min, y_min, _, _ = box
        assert y_min > height - 26 and x_min > width / 2, (n, box)
        assert lowest < height - 26, (n, lowest)  # nothing else reaches into the strip
    # The index's page numbers are where each record starts.
    index_text = texts[1]
    listed = re.findall(r"(Photograph \d of \d)[^\n]*?\s(\d+)\s+LGCE(\d{6})", index_text)
    assert len(listed) == 2, index_text
    for title, page, number in listed:
        assert int(number) == 100 + int(page)
        assert re.search(title.replace(" ", r"\s+", 1), texts[int(page) - 1]), title
    notice_page = int(
        re.search(r"Notice of Violation, issued[^\n]*?\s(\d+)\s+LGCE", index_text).group(1)
    )
    assert "NOTICE OF VIOLATION" in texts[notice_page - 1].upper()
    proof_page = int(re.search(r"Proof of service\s+(\d+)\s+LGCE", index_text).group(1))
    receipt_page = int(
        re.search(r"Return receipt \(delivered\)[^\n]*?\s(\d+)\s+LGCE", index_text).group(1)
    )
    assert notice_page < proof_page < receipt_page  # each notice followed by its proof
    assert "Proof of service" in texts[proof_page - 1] and "R. Smith" in texts[proof_page - 1]
    assert "PS Form 3811" in texts[receipt_page - 1]
    # Bookmarks by section, each record under it; labels match the printed page numbers.
    reader = PdfReader(io.BytesIO(data))
    top = [o.title for o in reader.outline if not isinstance(o, list)]
    assert top[:3] == ["Cover and index", "Timeline", "Complaint"]
    assert "Notices and proof of service" in top and "Photographs" in top
    assert reader.page_labels[0] == "1" and reader.page_labels[-1] == str(pages)
    # Links from the index lead to the record's first page.
    links = [a.get_object() for a in reader.pages[1].get("/Annots", [])]
    dests = [reader.get_page_number(a["/A"]["/D"][0]) for a in links if a["/A"]["/S"] == "/GoTo"]
    assert len(dests) >= 8 and sorted(dests) == dests
    assert int(listed[0][1]) - 1 in dests
    # The complainant is in the attorney's unredacted bundle, and the download was audited.
    assert "O'Brien-Nguyễn" in "".join(texts) or "O'Brien-Nguy" in "".join(texts)
    # The manifest: embedded in the volume and downloadable, the same bytes; its hashes are
    # the stored files'.
    manifest = client.get(b["manifest_url"], headers=attorney.headers).data
    embedded = reader.attachments["manifest.json"][0]
    assert embedded == manifest
    rows = json.loads(manifest)["files"]
    assert {r["record"].split(" (")[0] for r in rows} >= {f"document {doc['id']}"}
    store = FileStore(settings.store_dir)
    for row in rows:
        assert (
            hashlib.sha256(store.path_for(row["sha256"]).read_bytes()).hexdigest() == row["sha256"]
        )
    # The custodian certifies it (records only), under California's rule.
    assert (
        client.post(
            f"/api/bundles/{bundle_id}/certify", headers=attorney.headers, json={}
        ).status_code
        == 403
    )
    r = client.post(f"/api/bundles/{bundle_id}/certify", headers=records.headers, json={})
    assert r.status_code == 200, r.json
    cert = client.get(r.json["certification_url"], headers=records.headers).data
    cert_text = _pages_text(cert, tmp_path)[0]
    flat = re.sub(r"\s+", "", cert_text)
    assert "Evidence Code § 1561" in cert_text and vol["sha256"][:12] in flat
    assert "LGCE000101" in cert_text and f"{pages} pages" in cert_text
    assert client.get(f"/api/bundles/{bundle_id}", headers=officer.headers).status_code == 403


@pytest.mark.slow
def test_the_redacted_variant_fails_closed(
    client, officer, attorney, signed_in, clock, database, settings, tmp_path
) -> None:
    # The tenant shares the complainant's surname: the redaction cannot tell them apart, so the
    # release scanner finds the name on the cover's party list and nothing is stored.
    built, _ = served_case(client, officer, clock)
    r = client.post(
        f"/api/cases/{built.case}/bundles", headers=attorney.headers, json={"redacted": True}
    )
    assert r.status_code == 202, r.json
    _work(database, settings)
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "failed" and b["volumes"] == [] and b["manifest_url"] is None
    assert "still shows the complainant's identity" in b["error"] and "(page 1" in b["error"]
    assert "O'Brien" not in b["error"] and "Maria" not in b["error"]
    # The bundle's page says why and offers the same request again.
    clerk = signed_in("records")
    page = client.get(f"/bundles/{b['id']}").data
    assert b"still shows the complainant" in page and b'id="build-again"' in page
    assert b"O&#39;Brien" not in page and b"Maria" not in page
    r = client.post(
        f"/cases/{built.case}/bundles",
        data={**helpers.tokens(page), **dict(re.findall(
            r'<input type="hidden" name="(bates_\w+|max_volume_mb|court|redacted)" value="([^"]*)"',
            page.decode(),
        ))},
    )  # fmt: skip
    assert r.status_code == 302, r.data[-300:]
    again = client.get(f"/api/cases/{built.case}/bundles", headers=clerk.headers).json[0]
    assert again["id"] != b["id"] and again["redacted"] is True and again["status"] == "queued"
    # Bad requests say what to fix.
    r = client.post(
        f"/api/cases/{built.case}/bundles", headers=attorney.headers, json={"bates_prefix": "A B"}
    )
    assert r.status_code == 422 and "bates_prefix" in r.json["error"]
    r = client.post(f"/api/cases/{built.case}/bundles", headers=officer.headers, json={})
    assert r.status_code == 403


def _noisy_photo(seed: int) -> bytes:
    """A photo that does not compress away (noise, like real detail), about 1 MB."""
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((1600, 1200), 30 + seed).convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.mark.slow
def test_volumes_split_at_the_size_asked_with_bates_continuous(
    client, officer, attorney, clock, database, settings, tmp_path
) -> None:
    built, _ = served_case(client, officer, clock)
    for seed in range(3):
        r = helpers.upload(client, officer.headers, built.case, _noisy_photo(seed), f"n{seed}.jpg")
        assert r.status_code == 201, r.json
    r = client.post(
        f"/api/cases/{built.case}/bundles",
        headers=attorney.headers,
        json={"bates_prefix": "VOL", "max_volume_mb": 1},
    )
    assert r.status_code == 202, r.json
    _work(database, settings)
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "done", b["error"]
    volumes = b["volumes"]
    assert len(volumes) >= 2, volumes
    expected = 1
    names = []
    for vol in volumes:
        response = client.get(vol["pdf_url"], headers=attorney.headers)
        data = response.data
        names.append(response.headers["Content-Disposition"])
        assert vol["size"] == len(data)
        assert len(data) <= 1024 * 1024 or vol["pages"] == 1  # one page can't be split further
        path = tmp_path / f"v{vol['number']}.pdf"
        path.write_bytes(data)
        assert subprocess.run(["qpdf", "--check", str(path)], capture_output=True).returncode == 0
        texts = _pages_text(data, tmp_path)
        assert len(texts) == vol["pages"]
        # Bates run on from the last page of the volume before, on the page and in its label.
        assert vol["first_bates"] == f"VOL{expected:06d}"
        reader = PdfReader(io.BytesIO(data))
        for i, text in enumerate(texts):
            assert f"VOL{expected + i:06d}" in text, (vol["number"], i, text[-200:])
            assert reader.page_labels[i] == str(expected + i)
        expected += vol["pages"]
        assert vol["last_bates"] == f"VOL{expected - 1:06d}"
        assert "manifest.json" in reader.attachments  # each volume carries the manifest
    assert expected - 1 == b["pages"]
    # The index in volume 1 opens records in the later volumes' files by name.
    first = PdfReader(io.BytesIO(client.get(volumes[0]["pdf_url"], headers=attorney.headers).data))
    remote = {
        str(a.get_object()["/A"]["/F"])
        for page in first.pages[:3]
        for a in page.get("/Annots", [])
        if a.get_object()["/A"]["/S"] == "/GoToR"
    }
    assert remote and all(any(name in n for n in names[1:]) for name in remote), (remote, names)


@pytest.mark.slow
def test_a_redacted_bundle_for_service_withholds_the_complainant(
    client, officer, attorney, clock, database, settings, tmp_path
) -> None:
    # A complainant whose name no party shares: the redaction can withhold it everywhere, and
    # the scanner agrees, so the bundle is built.
    clock("2026-11-18T09:00:00-08:00")
    body = complaint_case(
        description="Maria O'Brien-Nguyễn at 1420 Elm Street reports tires & weeds next door; "
        "call (408) 555-0142 or maria@example.org."
    )
    case = client.post("/api/cases", json=body, headers=officer.headers).json["case_number"]
    r = client.post(
        f"/api/cases/{case}/parties",
        headers=officer.headers,
        json={"role": "owner", "name": "Smith & Sons <LLC>", "mailing_address": "PO Box 9"},
    )
    assert r.status_code == 201, r.json
    for caption in (
        "Fence line seen from Maria O'Brien-Nguyễn's yard",
        "חצר אחורית · الفناء الخلفي",
    ):
        r = helpers.upload(client, officer.headers, case, helpers.jpeg(), "p.jpg", caption=caption)
        assert r.status_code == 201, r.json
    r = client.post(f"/api/cases/{case}/bundles", headers=attorney.headers, json={"redacted": True})
    assert r.status_code == 202, r.json
    _work(database, settings)
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "done", b["error"]
    assert b["redacted"] is True
    before = _complainant_views(database)
    data = client.get(b["volumes"][0]["pdf_url"], headers=attorney.headers).data
    text = "".join(_pages_text(data, tmp_path))
    flat = re.sub(r"\s+", "", text)
    assert "tires & weeds next door" in text and "Smith & Sons <LLC>" in text
    assert "Fence line seen from" in text  # the caption stays, the name in it does not
    assert "חצר" in text and "الفناء" in text, text[-400:]  # right-to-left text survives
    for needle in ("O'Brien", "Nguy", "Maria", "1420 Elm", "555-0142", "maria@example"):
        assert needle.replace(" ", "") not in flat, needle
        assert needle.encode() not in data
    manifest = client.get(b["manifest_url"], headers=attorney.headers).data
    assert b"Maria" not in manifest and b"O'Brien" not in manifest
    assert _complainant_views(database) == before  # nothing identifying was shown


def _complainant_views(database) -> int:
    from sqlalchemy import func, select

    from docsvc.models import AuditEvent

    with database.session() as s:
        return s.scalar(select(func.count()).where(AuditEvent.action == "complainant.view"))


@pytest.mark.slow
def test_the_case_page_asks_for_a_bundle_and_shows_it(
    client, officer, signed_in, clock, database, settings
) -> None:
    built, _ = served_case(client, officer, clock)
    # An officer's case page has no bundle card, and the form refuses them.
    signed_in("officer")
    page = client.get(f"/cases/{built.case}").data
    assert b'id="bundles"' not in page and b"Court bundles" not in page
    r = client.post(f"/cases/{built.case}/bundles", data={**helpers.tokens(page)})
    assert r.status_code == 403
    clerk = signed_in("records")
    page = client.get(f"/cases/{built.case}").data
    assert b'id="bundle-form"' in page
    token = helpers.tokens(page)
    r = client.post(
        f"/cases/{built.case}/bundles",
        data={**token, "bates_prefix": "A B <x>"},
    )
    # Said beside the field by its label, with what was typed kept.
    assert r.status_code == 422 and b"Bates prefix: 1 to 30 letters" in r.data
    assert b'id="bundle-bates_prefix-error"' in r.data and b'value="A B &lt;x&gt;"' in r.data
    assert client.get(f"/api/cases/{built.case}/bundles", headers=clerk.headers).json == []
    r = client.post(
        f"/cases/{built.case}/bundles",
        data={**token, "bates_prefix": "LG", "court": "federal", "bates_start": "7"},
    )
    assert r.status_code == 302, r.data[-600:]
    bundle_page = r.headers["Location"]
    assert b'id="job-progress"' in client.get(bundle_page).data
    _work(database, settings)
    shown = client.get(bundle_page).data
    assert b"LG000007" in shown and b"Federal Rule of Evidence 902(11)" in shown
    vol = client.get(bundle_page.rstrip("/") + "/volumes/1.pdf")
    assert vol.status_code == 200 and vol.data.startswith(b"%PDF-")
    assert client.get(bundle_page + "/volumes/9.pdf").status_code == 404
    # Certifying asks first (tests/test_ui_forms.py): confirmed here.
    r = client.post(bundle_page + "/certify", data={**token, "title": "Clerk", "confirmed": "yes"})
    assert r.status_code == 302
    cert = client.get(bundle_page + "/certification.pdf")
    assert cert.status_code == 200 and cert.data.startswith(b"%PDF-")
    r = client.post(bundle_page + "/certify", data={**token})  # the same press again
    assert r.status_code == 303 and r.location == bundle_page
    r = client.post(bundle_page + "/certify", data={**token, "submission": "another-tab"})
    assert r.status_code == 409 and b"already certified" in r.data
    listed = client.get(f"/cases/{built.case}").data
    assert b"certified" in listed and b"Bundle " in listed


# The worker in a process of its own, reporting its peak resident memory when it is done.
WORKER = """
import sys
from docsvc.cli import main
try:
    main(["worker", "--once"], standalone_mode=False)
finally:
    peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print("PEAK_KB", peak.split()[1])
"""


def _build_in_worker(client, settings, headers, case: str) -> tuple[dict, float]:
    """Ask for a bundle, build it with `docsvc worker --once` in its own process: (the
    bundle, the worker's peak RSS in MB)."""
    import os
    import sys

    r = client.post(f"/api/cases/{case}/bundles", headers=headers, json={})
    assert r.status_code == 202, r.json
    env = {
        **os.environ,
        "DOCSVC_DATA_DIR": str(settings.data_dir),
        "DOCSVC_DATABASE_URL": settings.database_url,
        "DOCSVC_SECRET_KEY": settings.secret_key,
    }
    done = subprocess.run(
        [sys.executable, "-c", WORKER], env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-2000:]
    peak = int(re.search(r"PEAK_KB (\d+)", done.stdout).group(1)) / 1024
    bundle = client.get(f"/api/bundles/{r.json['id']}", headers=headers).json
    assert bundle["status"] == "done", bundle["error"]
    return bundle, peak


@pytest.mark.slow
def test_two_hundred_photos_and_sixty_documents_build_in_bounded_memory(
    client, officer, attorney, clock, database, settings
) -> None:
    from PIL import Image

    built, _ = served_case(client, officer, clock)
    noise = Image.effect_noise((1200, 900), 40).convert("RGB")

    def photos(n: int, first: int) -> int:
        size = 0
        for i in range(first, first + n):
            img = noise.copy()
            img.paste((i * 37 % 256, i * 91 % 256, 200), (i % 60 * 15, i // 60 * 60, 200, 120))
            out = io.BytesIO()
            img.save(out, "JPEG", quality=85)
            r = helpers.upload(client, officer.headers, built.case, out.getvalue(), f"p{i}.jpg")
            assert r.status_code == 201, r.json
            size += len(out.getvalue())
        return size

    photos(18, 0)  # with the case's two: 20
    _work(database, settings)
    small, small_peak = _build_in_worker(client, settings, attorney.headers, built.case)
    # Ten times the photos, and sixty documents: nine more notices and fifty letters.
    added = photos(180, 18)
    for _ in range(9):
        issue(client, officer.headers, built, "notice_of_violation")
    for i in range(50):
        letter = helpers.pdf_with(helpers.text_ops(f"Letter {i} from the owner."))
        r = helpers.upload(
            client, officer.headers, built.case, letter, f"l{i}.pdf", kind="correspondence"
        )
        assert r.status_code == 201, r.json
    _work(database, settings)
    large, large_peak = _build_in_worker(client, settings, attorney.headers, built.case)
    # At least a page for each photo, notice and letter added (a one-violation notice of
    # violation is one page since the compact layout; it was two).
    assert large["pages"] >= small["pages"] + 180 + 9 + 50, (small["pages"], large["pages"])
    # The photos added weigh more than the whole build's growth: nothing holds them all.
    assert added > 100 * 1024 * 1024
    # Measured growth: 39.65 MB at 784ca5a (a pass by 0.35 MB), 40.0-40.5 MB since notices carry
    # a seal, a photo grid and a signature block. The bound is what holds the builder to
    # streaming (well under the 100+ MB of photos added), not a measurement: 45 MB.
    assert large_peak - small_peak < 45, (small_peak, large_peak)
    assert large_peak < 300, large_peak


# What a complainant's phone put in their photo, and what they named it.
EXIF_NAME = "Maria O'Brien-Nguyen"  # EXIF text is ASCII
PHOTO_NAME = "Maria O'Brien-Nguyen kitchen window.jpg"
LETTER_NAME = "Letter from Maria O'Brien-Nguyen.pdf"
COMPLAINANT_CAPTION = "Photo from Maria O'Brien-Nguyễn's kitchen window"
OFFICER_CAPTION = "Fence line seen from the sidewalk"


def _images(path: Path, out: Path) -> list[Path]:
    """Every image the PDF holds, as pikepdf extracts it (a JPEG's own bytes, else a PNG)."""
    import pikepdf

    files = []
    with pikepdf.open(path) as pdf:
        for n, obj in enumerate(pdf.objects):
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
                prefix = out / f"{path.stem}-img{n}"
                files.append(Path(pikepdf.PdfImage(obj).extract_to(fileprefix=str(prefix))))
    return files


def _exiftool(path: Path) -> dict[str, object]:
    done = subprocess.run(
        ["exiftool", "-j", "-a", "-G1", str(path)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)[0]


def _complainant_photo_case(client, officer, clock) -> tuple[str, dict]:
    clock("2026-11-18T09:00:00-08:00")
    case = client.post("/api/cases", json=complaint_case(), headers=officer.headers).json[
        "case_number"
    ]
    r = client.post(
        f"/api/cases/{case}/parties",
        headers=officer.headers,
        json={"role": "owner", "name": "Smith & Sons <LLC>", "mailing_address": "PO Box 9"},
    )
    assert r.status_code == 201, r.json
    r = helpers.upload(
        client, officer.headers, case, helpers.jpeg(), "fence.jpg", caption=OFFICER_CAPTION
    )
    assert r.status_code == 201, r.json
    r = helpers.upload(
        client,
        officer.headers,
        case,
        helpers.complainant_jpeg(EXIF_NAME),
        PHOTO_NAME,
        caption=COMPLAINANT_CAPTION,
        supplied_by_complainant="true",
    )
    assert r.status_code == 201, r.json
    photo = r.json
    assert photo["gps"] == {"lat": 37.2358, "lon": -121.9624}
    assert photo["device"] == "Google Pixel 7"
    assert photo["original_filename"] == PHOTO_NAME
    letter = helpers.pdf_with_photo(
        helpers.complainant_jpeg(EXIF_NAME, color="olive"),
        "The tires have been in the yard next door since May.",
        "Please ask the owner to clear the weeds as well.",
        annotation=f"Sent by {EXIF_NAME}",
        title=LETTER_NAME,
    )
    r = helpers.upload(
        client,
        officer.headers,
        case,
        letter,
        LETTER_NAME,
        kind="correspondence",
        supplied_by_complainant="true",
    )
    assert r.status_code == 201, r.json
    return case, photo


@pytest.mark.slow
def test_a_redacted_bundle_shows_only_the_pixels_of_the_complainants_photo(
    client, officer, attorney, clock, database, settings, tmp_path
) -> None:
    from PIL import Image

    case, photo = _complainant_photo_case(client, officer, clock)
    r = client.post(f"/api/cases/{case}/bundles", headers=attorney.headers, json={"redacted": True})
    assert r.status_code == 202, r.json
    _work(database, settings)
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "done", b["error"]
    assert b["redacted"] is True and b["volumes"]
    banned_text = (
        "Maria",
        "O'Brien",
        "Nguy",
        "kitchen",
        "37.2358",
        "121.9624",
        "Pixel 7",
        "Google",
        "-05:00",
        "07:42:10",
        "Letter from",
    )
    manifest = client.get(b["manifest_url"], headers=attorney.headers).data
    portrait = []
    for vol in b["volumes"]:
        data = client.get(vol["pdf_url"], headers=attorney.headers).data
        path = tmp_path / f"redacted-{vol['number']}.pdf"
        path.write_bytes(data)
        # Read from outside by the public's tools (pdftotext, qpdf, exiftool, Tesseract in three
        # page-segmentation modes), with matching of its own.
        complainant = complaint_case()["complaint"]["complainant"]
        assert leaks(data, path.name, complainant) == set()
        # What a reader of the page sees.
        text = "".join(_pages_text(data, tmp_path))
        flat = re.sub(r"\s+", " ", text)
        for needle in banned_text:
            assert needle not in text, needle
        # Every byte of the file, decompressed, in one and two-byte encodings.
        qdf = tmp_path / f"redacted-{vol['number']}.qdf.pdf"
        done = subprocess.run(
            ["qpdf", "--qdf", "--object-streams=disable", str(path), str(qdf)],
            capture_output=True,
        )
        assert done.returncode in (0, 3), done.stderr  # 3: warnings, the file is written
        raw = qdf.read_bytes()
        # ("Google" left out: an embedded font's copyright notice may carry it.)
        for needle in (
            *(t for t in banned_text if t != "Google"),
            EXIF_NAME,
            PHOTO_NAME,
            LETTER_NAME,
        ):
            assert needle.encode() not in raw, needle
            assert needle.encode("utf-16-be") not in raw, needle
        # No image carries an EXIF, XMP, ICC or comment segment (the officer's photo neither).
        for marker in (b"Exif\x00\x00", b"ICC_PROFILE\x00"):
            assert marker not in raw, marker
        assert b"dc:creator" not in raw
        # Each embedded image, as exiftool and Pillow read it.
        images = _images(path, tmp_path)
        assert images
        for image in images:
            tags = _exiftool(image)
            groups = {k.split(":")[0] for k in tags if ":" in k}
            assert not groups & {"IFD0", "ExifIFD", "GPS", "XMP-dc", "XMP-x", "ICC_Profile"}, tags
            names = {k.split(":")[-1] for k in tags}
            assert not names & {"Make", "Model", "Artist", "ImageDescription", "Comment"}, tags
            assert not any(k.startswith("GPS") for k in names), tags
            with Image.open(image) as img:
                exif = img.getexif()
                assert not exif.get_ifd(0x8825) and not {0x10E, 0x10F, 0x110, 0x13B} & set(exif)
                assert not {"exif", "xmp", "icc_profile", "comment"} & set(img.info), img.info
                if img.size == (480, 640):  # the complainant's photo, turned upright
                    portrait.append(img.convert("RGB").getpixel((240, 320)))
        # The photo's page says what is withheld and why; the officer's keeps its provenance.
        assert (
            "Supplied by the complainant: caption, location and camera withheld to protect "
            "the complainant's identity (Informer identity (Evid. Code §1041))" in flat
        ), flat
        assert "Location (GPS) withheld" in flat and "Camera withheld" in flat
        assert photo["sha256"] in re.sub(r"\s+", "", text)  # the original's hash stays
        assert f"Photograph 1 of 2: {OFFICER_CAPTION}" in flat
        assert "37.225250, -121.963333" in flat and "iPhone 15" in flat
        # The letter is there once, under the complaint, without its note or title.
        assert flat.count("The tires have been in the yard next door since May.") == 1
        # Bookmarks and the embedded manifest name neither the photo nor the letter.
        reader = PdfReader(io.BytesIO(data))
        titles = [o.title for o in _flatten(reader.outline)]
        assert "Photograph 2 of 2 (supplied by the complainant)" in titles, titles
        assert not [t for t in titles if "kitchen" in t or ".jpg" in t or ".pdf" in t], titles
        assert reader.attachments["manifest.json"][0] == manifest
    assert len(portrait) == 1, portrait  # navy, rebuilt from the sideways original
    assert max(abs(c - n) for c, n in zip(portrait[0], (0, 0, 128), strict=True)) < 12
    body = manifest.decode()
    for needle in (*banned_text, PHOTO_NAME, LETTER_NAME, "kitchen window"):
        assert needle not in body, needle
    rows = json.loads(manifest)["files"]
    assert [r["sha256"] for r in rows if r["record"] == f"attachment {photo['id']}"] == [
        photo["sha256"]
    ]


def _flatten(outline):
    for item in outline:
        if isinstance(item, list):
            yield from _flatten(item)
        else:
            yield item


def test_the_unredacted_bundle_keeps_the_complainants_photo_as_filed(
    client, officer, attorney, clock, database, settings, tmp_path
) -> None:
    case, _ = _complainant_photo_case(client, officer, clock)
    r = client.post(f"/api/cases/{case}/bundles", headers=attorney.headers, json={})
    assert r.status_code == 202, r.json
    _work(database, settings)
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "done", b["error"]
    data = client.get(b["volumes"][0]["pdf_url"], headers=attorney.headers).data
    flat = re.sub(r"\s+", " ", "".join(_pages_text(data, tmp_path)))
    assert f"Photograph 2 of 2: {COMPLAINANT_CAPTION}" in flat, flat
    assert "37.235800, -121.962400" in flat and "Pixel 7" in flat
    assert "37.225250, -121.963333" in flat and OFFICER_CAPTION in flat


@pytest.mark.slow
def test_the_inspection_report_keeps_each_answer_beside_its_element(
    client, officer, attorney, clock, database, settings, tmp_path
) -> None:
    """An element the officer left empty is printed as '—', so the next answer cannot slide up
    beside its label (a court reads the page as evidence); referrals and measurements are there."""
    built, _doc = served_case(client, officer, clock)
    r = client.post(
        f"/api/cases/{built.case}/inspections",
        headers=officer.headers,
        json={
            "investigator": "Officer Reyes",
            "visited_at": "2026-11-17T10:00:00-08:00",
            "place": "Rear yard",
            "violations_observed": "Tires stacked against the shed",
            "conditions_observed": "",
            "witnesses": "",
            "evidence": "",
            "discussions": "",
            "action_needed": "Remove vehicles and tires",
            "recommended_action": "Notice of violation, 30 days to comply",
            "referrals": "",
            "measurements": [
                {"what": "Tire pile height", "value": "1.8", "unit": "m", "where": "north wall"}
            ],
        },
    )
    assert r.status_code == 201, r.json
    r = client.post(f"/api/cases/{built.case}/bundles", headers=attorney.headers, json={})
    assert r.status_code == 202, r.json
    _work(database, settings)
    b = client.get(f"/api/bundles/{r.json['id']}", headers=attorney.headers).json
    assert b["status"] == "done", b["error"]
    data = client.get(b["volumes"][0]["pdf_url"], headers=attorney.headers).data
    page = next(t for t in _pages_text(data, tmp_path) if "Investigator" in t and "Witnesses" in t)
    # The answer printed on each label's first line (a long label wraps under itself).
    answer = {}
    for line in page.splitlines():
        for label in ("Conditions", "Witnesses", "Action needed", "Recommended", "Referrals",
                      "Measurements"):  # fmt: skip
            if line.strip().startswith(label):
                answer[label] = line.strip()[len(label) :].strip()
    assert answer["Conditions"] == answer["Witnesses"] == answer["Referrals"] == "—", answer
    assert answer["Action needed"] == "Remove vehicles and tires", answer
    assert answer["Recommended"] == "Notice of violation, 30 days to comply", answer
    assert answer["Measurements"] == "Tire pile height: 1.8 m (north wall)", answer
