"""Notice rendering, measured beside its baseline in the same run.

1. One notice of violation with four 12-megapixel photos, rendered to DOCX + PDF/A by the
   service (docxtpl + WeasyPrint, photos embedded from the print renditions made at upload),
   against the baseline: the same DOCX rendered by docxtpl, then converted to PDF by
   LibreOffice (`soffice --headless --convert-to pdf`), as a typical office pipeline does.
2. A batch of warning notices issued end to end (validate, freeze, render both formats, store,
   hash, commit), spread over the machine's cores.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from docsvc.documents.env import Env

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import fresh_app, save, seed_case, summary


def twelve_megapixel_jpeg(seed: int) -> bytes:
    """A 4000 x 3000 photo with real detail (noise compresses like a photo, unlike a flat fill)."""
    from PIL import Image

    noise = Image.effect_noise((4000, 3000), 40 + seed).convert("RGB")
    out = io.BytesIO()
    noise.save(out, "JPEG", quality=88)
    return out.getvalue()


def setup_nov(client, headers):
    case, owner, vid = seed_case(client, headers, "tom-bean-tx", "-06:00", "nuisance-no-structure")
    photos = []
    for i in range(4):
        r = client.post(
            f"/api/cases/{case}/attachments",
            headers=headers,
            content_type="multipart/form-data",
            data={
                "kind": "photo",
                "caption": f"View {i + 1}",
                "file": (io.BytesIO(twelve_megapixel_jpeg(i)), f"IMG_{i}.jpg"),
            },
        )
        photos.append(r.json["id"])
    doc = client.post(
        f"/api/cases/{case}/documents",
        headers=headers,
        json={
            "type": "notice_of_violation",
            "recipient_party_id": owner,
            "violation_ids": [vid],
            "photo_ids": photos,
            "draft": True,
            "fields": {"corrective_action": "Remove the tires and mow."},
        },
    ).json
    return case, doc["id"]


def bench_nov(runs: int, baseline_runs: int) -> dict:
    from docsvc.cases.service import case_profile
    from docsvc.documents import service, templates, wording
    from docsvc.documents.docx import render_docx
    from docsvc.models import Case, Document, User
    from docsvc.timeutil import utcnow

    app, settings, headers = fresh_app()
    client = app.test_client()
    _, doc_id = setup_nov(client, headers)
    database = app.extensions["docsvc.db"]
    env = Env(app.extensions["docsvc.store"], settings)
    with database.session() as s:
        doc = s.get(Document, doc_id)
        case = s.get(Case, doc.case_id)
        user = s.get(User, doc.created_by_id)
        profile = case_profile(s, case)
        context = service._context(s, user, doc, case, profile, utcnow())
    service.rendered(env, profile, context, preview=False)  # warm-up: fonts, templates
    ours = []
    for _ in range(runs):
        t = time.perf_counter()
        pdf, docx = service.rendered(env, profile, context, preview=False)
        ours.append(time.perf_counter() - t)

    soffice = shutil.which("soffice")
    base = []
    lo_profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    words = wording.load(profile.code, settings.data_dir, "notice_of_violation")
    full = {**context, "sections": wording.render_sections(words, context)}
    docx_path = templates.find(profile.code, settings.data_dir, "_layout/notice.docx")
    for i in range(baseline_runs + 1):
        t = time.perf_counter()
        data = render_docx(docx_path, full, env.store)
        work = Path(tempfile.mkdtemp(prefix="lo-"))
        (work / "n.docx").write_bytes(data)
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{lo_profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(work),
                str(work / "n.docx"),
            ],
            check=True,
            capture_output=True,
        )
        assert (work / "n.pdf").stat().st_size > 0
        if i:  # the first run creates LibreOffice's profile: not counted
            base.append(time.perf_counter() - t)
    return {
        "service": summary(ours),
        "baseline_docxtpl_plus_libreoffice": summary(base),
        "pdf_bytes": len(pdf),
        "docx_bytes": len(docx),
    }


def _batch_worker(args: tuple[str, int, int]) -> float:
    root, start, count = args
    from docsvc.app import create_app
    from docsvc.config import Settings

    app = create_app(
        Settings(
            data_dir=Path(root),
            database_url=f"sqlite:///{Path(root) / 'db.sqlite3'}",
            secret_key="b" * 32,
        )
    )
    client = app.test_client()
    token = Path(root, "token").read_text()
    h = {"Authorization": f"Bearer {token}"}
    plan = [line.split(",") for line in Path(root, "plan").read_text().splitlines()][
        start : start + count
    ]
    t = time.perf_counter()
    for case, party, violation in plan:
        r = client.post(
            f"/api/cases/{case}/documents",
            headers=h,
            json={
                "type": "warning_notice",
                "recipient_party_id": int(party),
                "violation_ids": [int(violation)],
            },
        )
        assert r.status_code == 201, r.json
    return time.perf_counter() - t


def fan_out(worker, head: tuple, n: int, workers: int) -> tuple[float, list[float]]:
    """Split n notices over `workers` spawned processes; (wall seconds, each worker's own)."""
    share = [
        (*head, w * (n // workers), n // workers + (n % workers if w == workers - 1 else 0))
        for w in range(workers)
    ]
    t = time.perf_counter()
    with mp.get_context("spawn").Pool(workers) as pool:
        per_worker = pool.map(worker, share)
    return time.perf_counter() - t, per_worker


def patrol_case(client, headers, i: int) -> tuple[str, int, int]:
    """A Los Gatos patrol case with an owner and one violation: (case number, party, violation)."""
    case = client.post(
        "/api/cases",
        headers=headers,
        json={
            "jurisdiction": "los-gatos-ca",
            "origin": "patrol",
            "property": {"address": f"{100 + i} University Avenue"},
        },
    ).json["case_number"]
    party = client.post(
        f"/api/cases/{case}/parties",
        headers=headers,
        json={
            "role": "owner",
            "name": f"Owner {i} & Co.",
            "mailing_address": f"PO Box {i}, Los Gatos, CA 95030",
        },
    ).json["id"]
    vid = client.post(
        f"/api/cases/{case}/violations",
        headers=headers,
        json={
            "violation_type": "overgrown-vegetation",
            "description": "Weeds over 12 inches",
            "observed_at": "2026-11-17T10:00:00-08:00",
        },
    ).json["id"]
    return case, party, vid


def bench_batch(n: int, workers: int) -> dict:
    app, settings, headers = fresh_app()
    client = app.test_client()
    plan = []
    for i in range(n):
        case, party, vid = patrol_case(client, headers, i)
        plan.append(f"{case},{party},{vid}")
    Path(settings.data_dir, "plan").write_text("\n".join(plan))
    Path(settings.data_dir, "token").write_text(headers["Authorization"].split()[1])
    app.extensions["docsvc.db"].dispose()
    wall, per_worker = fan_out(_batch_worker, (str(settings.data_dir),), n, workers)
    return {
        "notices": n,
        "workers": workers,
        "wall_seconds": wall,
        "per_worker_seconds": per_worker,
        "per_notice_ms": wall / n * 1000,
    }


def _render_worker(args: tuple[str, str, int, int]) -> float:
    """Render `count` warning notices (PDF/A + DOCX) from a frozen context, names varied."""
    root, context_json, start, count = args
    import json

    from docsvc.config import Settings
    from docsvc.documents.env import Env
    from docsvc.documents.service import rendered
    from docsvc.profiles import load_profile_file, shipped_profile_paths
    from docsvc.store import FileStore

    context = json.loads(context_json)
    profile = next(
        load_profile_file(p)
        for p in shipped_profile_paths()
        if p.parent.name == context["jurisdiction"]["code"]
    )
    env = Env(
        FileStore(Path(root) / "store"),
        Settings(data_dir=Path(root), database_url="sqlite://", secret_key="b" * 32),
    )
    rendered(env, profile, context, preview=False)  # warm-up
    t = time.perf_counter()
    for i in range(start, start + count):
        context["recipient"]["name"] = f"Owner {i} & Sons <LLC>"
        context["recipient"]["address_lines"] = [f"PO Box {i}", "Los Gatos, CA 95030"]
        rendered(env, profile, context, preview=False)
    return time.perf_counter() - t


def bench_render_batch(n: int, workers: int) -> dict:
    """Rendering alone (PDF/A + DOCX from the frozen context), no database or store writes."""
    import json

    from docsvc.models import Document

    app, settings, headers = fresh_app()
    client = app.test_client()
    case, party, vid = patrol_case(client, headers, 0)
    doc_id = client.post(
        f"/api/cases/{case}/documents",
        headers=headers,
        json={"type": "warning_notice", "recipient_party_id": party, "violation_ids": [vid]},
    ).json["id"]
    with app.extensions["docsvc.db"].session() as s:
        context = json.dumps(s.get(Document, doc_id).context)
    wall, per_worker = fan_out(_render_worker, (str(settings.data_dir), context), n, workers)
    return {
        "notices": n,
        "workers": workers,
        "wall_seconds": wall,
        "render_seconds_per_worker": per_worker,
        "per_notice_ms": wall / n * 1000,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--baseline-runs", type=int, default=5)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="issuing processes")
    ap.add_argument("--skip-nov", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1700000000")
    nov = {} if args.skip_nov else bench_nov(args.runs, args.baseline_runs)
    if nov:
        report_nov(nov)
    rendering = bench_render_batch(args.batch, args.workers)
    print(
        f"Batch, rendering: {rendering['notices']} warning notices to PDF/A + DOCX by "
        f"{rendering['workers']} processes: {rendering['wall_seconds']:.1f} s wall (process "
        f"start included), {max(rendering['render_seconds_per_worker']):.1f} s rendering"
    )
    batch = bench_batch(args.batch, args.workers)
    print(
        f"Batch, issued end to end: {batch['notices']} warning notices (validate, freeze, "
        f"render, store, audit, commit) by "
        f"{batch['workers']} processes on {os.cpu_count()} cores: {batch['wall_seconds']:.1f} s "
        f"wall, {batch['per_notice_ms']:.0f} ms per notice"
    )
    print(f"results: {save('notices', {'nov': nov, 'render_batch': rendering, 'batch': batch})}")


def report_nov(nov: dict) -> None:
    s, b = nov["service"], nov["baseline_docxtpl_plus_libreoffice"]
    print("NOV with four 12-MP photos, DOCX + PDF")
    for label, r in (
        ("service (docxtpl + WeasyPrint PDF/A)", s),
        ("baseline (docxtpl + LibreOffice)", b),
    ):
        print(f"  {label:<38} p50 {r['p50']:.3f} s  p95 {r['p95']:.3f} s  (n={r['n']})")
    print(
        f"  ratio baseline/service p50: {b['p50'] / s['p50']:.1f}x   "
        f"PDF {nov['pdf_bytes'] / 1e6:.2f} MB, DOCX {nov['docx_bytes'] / 1e6:.2f} MB"
    )


if __name__ == "__main__":
    main()
