"""Releasing one case's records to a public-records request, measured end to end.

A case of 40 records as a case file holds them: 18 letters and reports as PDFs (1-2 pages of
about 300 words, the complainant named in a third), 12 officer's photos (2400 x 1800 JPEG) and
10 scanned pages (letter-size images at 200 dpi, the complainant named on half). Measured:
preparing the request (review copies, identifiers found by text layer and OCR), then the
release (package built, scanned, stored), and the leak scanner's share of it. Target: the
release under 60 s on this machine, OCR included.

Baseline, in the same run on the same package: the scanner with its OCR run one page at a time
(what it would cost without the parallel OCR), and the plainest safe redaction, every page of
every record rasterised whether or not it holds an identifier (against ours: only the pages
with a box).

    .venv/bin/python benchmarks/release.py [--text-docs 18] [--photos 12] [--scans 10]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import OUT, fresh_app, save

NAME = "Maria O'Brien-Nguyễn"
WORDS = [
    *(
        [
            "inspection",
            "yard",
            "vehicle",
            "fence",
            "debris",
            "permit",
            "owner",
            "notice",
            "property",
            "violation",
        ]
    ),
    *(
        [
            "compliance",
            "deadline",
            "photograph",
            "garage",
            "driveway",
            "weeds",
            "tires",
            "structure",
            "hearing",
        ]
    ),
]


def paragraph(rng: random.Random, n: int = 60) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def text_pdf(rng: random.Random, pages: int, named: bool) -> bytes:
    from weasyprint import HTML

    paras = [paragraph(rng) for _ in range(pages * 5)]
    if named:
        paras.insert(2, f"Complaint received from {NAME}, telephone (408) 555-0142.")
    html = (
        "<html><body style='font: 11pt DejaVu Sans'>"
        + "".join(f"<p>{p}</p>" for p in paras)
        + "</body></html>"
    )
    return HTML(string=html).write_pdf()


def photo_jpeg(rng: random.Random) -> bytes:
    """A scene-like photo: noise for texture, a few large shapes, no text."""
    from PIL import Image, ImageDraw

    img = Image.effect_noise((2400, 1800), 30).convert("RGB")
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x, y = rng.randint(0, 2000), rng.randint(0, 1400)
        draw.rectangle(
            (x, y, x + rng.randint(100, 600), y + rng.randint(100, 400)),
            fill=(rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)),
        )
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def scan_png(rng: random.Random, named: bool) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("L", (1700, 2200), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 34)
    lines = ["COMPLAINT FORM"] + [paragraph(rng, 8) for _ in range(30)]
    if named:
        lines.insert(2, f"Name: {NAME}")
    for i, line in enumerate(lines):
        draw.text((120, 120 + i * 60), line, fill=0, font=font)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--text-docs", type=int, default=18)
    ap.add_argument("--photos", type=int, default=12)
    ap.add_argument("--scans", type=int, default=10)
    args = ap.parse_args()

    from docsvc.disclosure import scanner
    from docsvc.disclosure.pages import rebuild
    from docsvc.disclosure.scan_targets import Targets
    from docsvc.documents.env import Env
    from docsvc.models import Release
    from docsvc.store import FileStore
    from docsvc.worker import drain
    from tests.conftest import complaint_case
    from tests.helpers import upload

    rng = random.Random(5)
    app, settings, headers = fresh_app()
    database = app.extensions["docsvc.db"]
    env = Env(FileStore(settings.store_dir), settings)
    client = app.test_client()
    from docsvc.auth.credentials import create_user, issue_token

    with database.session() as s:
        clerk = create_user(s, "clerk", "records", display_name="Records Clerk")
        records = {"Authorization": f"Bearer {issue_token(s, clerk)}"}
        s.commit()
    case = client.post("/api/cases", headers=headers, json=complaint_case()).json["case_number"]
    t = time.perf_counter()
    for i in range(args.text_docs):
        data = text_pdf(rng, 1 + i % 2, named=i % 3 == 0)
        assert (
            upload(client, headers, case, data, f"doc{i}.pdf", kind="correspondence").status_code
            == 201
        )
    for i in range(args.photos):
        r = upload(client, headers, case, photo_jpeg(rng), f"photo{i}.jpg", kind="photo")
        assert r.status_code == 201, r.json
    for i in range(args.scans):
        data = scan_png(rng, named=i % 2 == 0)
        assert (
            upload(client, headers, case, data, f"scan{i}.png", kind="complaint_form").status_code
            == 201
        )
    print(
        f"case {case}: {args.text_docs} PDFs, {args.photos} photos, {args.scans} scans uploaded "
        f"in {time.perf_counter() - t:.1f} s"
    )

    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": "Pat Reporter"},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": "Everything about the case",
        "case_numbers": [case],
    }
    rid = client.post("/api/disclosures", headers=records, json=body).json["id"]
    t = time.perf_counter()
    drain(database, env)
    prepare = time.perf_counter() - t
    boxes = client.get(f"/api/disclosures/{rid}/proposed-redactions", headers=records).json
    print(f"prepared for review in {prepare:.1f} s ({len(boxes)} boxes proposed)")

    t = time.perf_counter()
    r = client.post(
        f"/api/disclosures/{rid}/release",
        headers=records,
        json={"accept_proposed_redactions": True},
    )
    total = time.perf_counter() - t
    assert r.status_code == 201, r.json
    with database.session() as s:
        rel = s.query(Release).one()
        scan_s = rel.scan_seconds
    package = client.get(f"/api/disclosures/{rid}/package", headers=records).data
    (OUT / "release-package.zip").write_bytes(package)  # to look at
    print(
        f"release: {total:.1f} s in all, leak scanner {scan_s:.1f} s ({scan_s / total:.0%}); "
        f"package {len(package) / 1e6:.1f} MB"
    )

    targets = Targets.of(NAME, "(408) 555-0142", "maria@example.org", "1420 Elm Street")
    t = time.perf_counter()
    with mock.patch.object(scanner.os, "cpu_count", return_value=1):
        serial = scanner.scan_package(package, targets)
    serial_s = time.perf_counter() - t
    assert serial == []
    print(
        f"baseline scanner, OCR one page at a time: {serial_s:.1f} s "
        f"({serial_s / scan_s:.2f}x ours)"
    )

    # Baseline redaction: every page rasterised, not just the boxed ones.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        pdfs = [zf.read(n) for n in zf.namelist() if n.startswith(case)]
    from docsvc.disclosure.pages import Box, find_boxes

    t = time.perf_counter()
    ours_bytes = 0
    for data in pdfs:
        ours_bytes += len(rebuild(data, [], "x", "t"))
    ours_s = time.perf_counter() - t
    t = time.perf_counter()
    raster_bytes = 0
    for data in pdfs:
        _, sizes = find_boxes(data, [])
        everything = [Box(p, 0, 0, 1, 1, "other") for p in range(1, len(sizes) + 1)]
        raster_bytes += len(rebuild(data, everything, "x", "t"))
    raster_s = time.perf_counter() - t
    print(
        f"rebuild, boxed pages only: {ours_s:.1f} s, {ours_bytes / 1e6:.1f} MB; every page "
        f"rasterised: {raster_s:.1f} s, {raster_bytes / 1e6:.1f} MB"
    )
    path = save(
        "release",
        {
            "records": args.text_docs + args.photos + args.scans,
            "prepare_s": round(prepare, 2),
            "release_s": round(total, 2),
            "scanner_s": scan_s,
            "scanner_share": round(scan_s / total, 3),
            "baseline_serial_scanner_s": round(serial_s, 2),
            "rebuild_boxed_only_s": round(ours_s, 2),
            "rebuild_every_page_s": round(raster_s, 2),
            "package_mb": round(len(package) / 1e6, 2),
        },
    )
    print(f"results: {path}")
    database.dispose()


if __name__ == "__main__":
    main()
