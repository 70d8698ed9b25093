"""Court bundle build, measured beside its baseline in the same run.

One case of about 500 pages: 200 photos (2400 x 1800, stored with their 1600-px print
renditions), 20 notices each served by certified mail (with its proof of service), 40 letters
of several pages, the complaint, the timeline, the cover and the index.

1. Assembly: every volume written by the service (stored PDFs merged, stamped with Bates
   numbers in an embedded font, index links, bookmarks, page labels, the manifest attached),
   beside the baseline, a plain `qpdf --empty --pages ... -- out.pdf` merge of the same source
   PDFs and page ranges, run on the same files right after each volume is written.
2. The whole build (gather, lay out the photos, timeline, cover and index, assemble, hash,
   store, record) in a fresh process, so its peak RSS is its own: the first build in that
   process (fonts and templates loaded cold) and a second one of the same case. The time of
   the baseline merges, run inside the build while its files exist, is taken out of it.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import fresh_app, peak_rss_mb, save, seed_case
from benchmarks.release import photo_jpeg, text_pdf


def article(n: int) -> str:
    """A distinct USPS article number (22-digit IMpb) with a valid check digit."""
    from docsvc.documents.usps import check_digit

    body = f"94071112062081807{n:04d}"
    return body + str(check_digit(body))


def make_case(client, headers, args: argparse.Namespace) -> str:
    rng = random.Random(8)
    case, owner, vid = seed_case(client, headers, "los-gatos-ca", "-08:00", "junk-debris")
    photos = []

    def upload(kind: str, data: bytes, name: str, **form: str) -> int:
        r = client.post(
            f"/api/cases/{case}/attachments",
            headers=headers,
            content_type="multipart/form-data",
            data={"kind": kind, "file": (io.BytesIO(data), name), **form},
        )
        assert r.status_code == 201, r.json
        return r.json["id"]

    for i in range(args.photos):
        photos.append(
            upload("photo", photo_jpeg(rng), f"IMG_{i:04d}.jpg", caption=f"Rear yard, view {i + 1}")
        )
        if i % 50 == 49:
            print(f"  {i + 1} photos uploaded", flush=True)
    for i in range(args.notices):
        r = client.post(
            f"/api/cases/{case}/documents",
            headers=headers,
            json={
                "type": "notice_of_violation",
                "recipient_party_id": owner,
                "violation_ids": [vid],
                "photo_ids": photos[i % len(photos) : i % len(photos) + 1],
                "fields": {"corrective_action": f"Remove the tires and mow (notice {i + 1})."},
            },
        )
        assert r.status_code == 201, r.json
        doc = r.json["id"]
        r = client.post(
            f"/api/documents/{doc}/service",
            headers=headers,
            json={
                "method": "certified_mail",
                "mailed_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
                "article_number": article(i),
            },
        )
        assert r.status_code == 201, r.json
    for i in range(args.letters):
        upload("correspondence", text_pdf(rng, args.letter_pages, False), f"letter{i}.pdf")
    return case


def qpdf_merge(runs: list[Any], out: Path) -> float:
    """The baseline: the same source files and page ranges merged by qpdf, nothing else."""
    pages: list[str] = []
    for run in runs:
        pages += [str(run.path), f"{run.start + 1}-{run.start + run.count}"]
    t = time.perf_counter()
    subprocess.run(["qpdf", "--empty", "--pages", *pages, "--", str(out)], check=True)
    return time.perf_counter() - t


def _child(root: str, bundle_ids: list[int], queue: Any) -> None:
    """A fresh process: build each bundle, timing each volume's assembly beside qpdf."""
    from docsvc.app import create_app
    from docsvc.bundles import build as building
    from docsvc.config import Settings
    from docsvc.documents.env import Env

    settings = Settings(
        data_dir=Path(root),
        database_url=f"sqlite:///{Path(root) / 'db.sqlite3'}",
        secret_key="b" * 32,
    )
    app = create_app(settings)
    env = Env(app.extensions["docsvc.store"], settings)
    database = app.extensions["docsvc.db"]
    rss_start = peak_rss_mb()
    real = building.write_volume
    measured: list[dict[str, float]] = []

    def timed(volume, *a, **kw):
        out_path = a[7] if len(a) > 7 else kw["out_path"]
        t = time.perf_counter()
        real(volume, *a, **kw)
        ours = time.perf_counter() - t
        base = qpdf_merge(volume.runs, Path(out_path).with_suffix(".qpdf.pdf"))
        measured.append({"pages": volume.pages, "service": ours, "qpdf": base})

    building.write_volume = timed
    results = []
    for bundle_id in bundle_ids:
        measured.clear()
        t = time.perf_counter()
        pages = building.build(database, env, bundle_id)
        # The baseline merges ran inside the build (its files are gone afterwards): not ours.
        whole = time.perf_counter() - t - sum(v["qpdf"] for v in measured)
        results.append(
            {
                "pages": pages,
                "whole_build_s": whole,
                "peak_rss_mb": peak_rss_mb(),
                "assembly": list(measured),
            }
        )
    queue.put({"rss_after_start_mb": rss_start, "builds": results})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=int, default=200)
    ap.add_argument("--notices", type=int, default=20)
    ap.add_argument("--letters", type=int, default=40)
    ap.add_argument("--letter-pages", type=int, default=8)
    ap.add_argument("--keep", action="store_true", help="keep the data directory (to profile)")
    args = ap.parse_args()
    assert shutil.which("qpdf"), "qpdf is the baseline: install it (scripts/setup.sh does)"

    from docsvc.auth.credentials import create_user, issue_token

    root = Path(tempfile.mkdtemp(prefix="docsvc-bench-bundles-"))
    app, _, headers = fresh_app(root)
    client = app.test_client()
    print("setting up the case…", flush=True)
    case = make_case(client, headers, args)
    with app.extensions["docsvc.db"].session() as s:
        token = issue_token(s, create_user(s, "atty", "attorney", display_name="Bench Attorney"))
        s.commit()
    attorney = {"Authorization": f"Bearer {token}"}
    ids = []
    for _ in range(2):
        r = client.post(f"/api/cases/{case}/bundles", headers=attorney, json={"bates_prefix": "B"})
        assert r.status_code == 202, r.json
        ids.append(r.json["id"])
    app.extensions["docsvc.db"].engine.dispose()

    print("building in a fresh process…", flush=True)
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(str(root), ids, queue))
    child.start()
    measured = queue.get()
    child.join()
    assert child.exitcode == 0

    builds = measured["builds"]
    for n, b in enumerate(builds, 1):
        ours = sum(v["service"] for v in b["assembly"])
        base = sum(v["qpdf"] for v in b["assembly"])
        b["assembly_s"], b["qpdf_merge_s"], b["assembly_over_qpdf"] = ours, base, ours / base
        print(
            f"build {n} ({'cold' if n == 1 else 'warm'}): {b['pages']} pages, whole build "
            f"{b['whole_build_s']:.2f} s (target 5 s), peak RSS {b['peak_rss_mb']:.0f} MB "
            f"(target 300 MB; {measured['rss_after_start_mb']:.0f} MB after start-up)"
        )
        print(
            f"  assembly {ours:.2f} s vs plain qpdf merge {base:.2f} s: "
            f"{ours / base:.2f}x (target 3x)"
        )
    result = {"args": vars(args), **measured}
    print(f"saved {save('bundles', result)}")
    if args.keep:
        print(f"kept {root} (bundles {ids})")
    else:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
