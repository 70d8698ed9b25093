"""Retention over 100,000 closed cases: the dry run (every case judged against its schedule)
and the disposition of all of them, each phase in its own process so its peak memory is its
own (the disposition's three steps too: queueing, approving in batches, destroying).
Baseline, in the same run: judging cases one at a time (the facts read per case, as a loop
over `evaluate(only={id})` does), timed on a sample and scaled to the whole set.

    .venv/bin/python benchmarks/retention.py [--cases 100000] [--postgresql auto|URL]

With --postgresql the same cases are built (the build is deterministic) in a PostgreSQL database
too, and every phase runs on both, printed side by side with the ratio.

Targets (issue 7): dry run under 30 s and 500 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import Postgres, after_bulk_load, fresh_app, load_note, peak_rss_mb, save

AS_OF = date(2026, 11, 22)
SCHEDULE = """
jurisdiction: los-gatos-ca
title: Benchmark schedule
floor: {years: 2, citation: "Cal. Gov. Code § 34090(d)"}
blocks: {legal_hold: h, open_request: r, unreleased_lien: l}
approvals: [{role: records}]
series:
  - {code: CE-LIEN-CASE, title: t, when: has_lien, trigger: [lien_released, case_closed],
     period: {years: 3}, disposition: destroy, citation: c}
  - {code: CE-COMPLAINT, title: t, when: always, trigger: [case_closed],
     period: {years: 1}, disposition: destroy, citation: c}
"""


def build(root: Path, n: int, database_url: str | None = None) -> None:
    from docsvc.models import (
        Attachment,
        Blob,
        Case,
        Hold,
        HoldScope,
        Lien,
        Property,
        SearchEntry,
        User,
    )
    from docsvc.store import FileStore

    app, settings, _ = fresh_app(root, database_url)
    (root / "retention").mkdir(exist_ok=True)
    (root / "retention" / "los-gatos-ca.yaml").write_text(SCHEDULE)
    database = app.extensions["docsvc.db"]
    store = FileStore(settings.store_dir)
    opened = datetime(2021, 3, 10, 17, tzinfo=UTC)
    closed = datetime(2021, 6, 1, 17, tzinfo=UTC)
    with database.session() as s:
        uid = s.scalar(select(User.id))
        for start in range(0, n, 10_000):
            ids = range(start + 1, min(n, start + 10_000) + 1)
            s.execute(
                insert(Property),
                [
                    {
                        "id": i,
                        "jurisdiction_code": "los-gatos-ca",
                        "address": f"{i} Elm Street",
                        "address_key": f"{i} elm st",
                        "created_at": opened,
                    }
                    for i in ids
                ],
            )
            s.execute(
                insert(Case),
                [
                    {
                        "id": i,
                        "case_number": f"LG-2021-{i:06d}",
                        "jurisdiction_code": "los-gatos-ca",
                        "property_id": i,
                        "origin": "complaint",
                        "status": "closed",
                        "opened_at": opened,
                        "opened_by_id": uid,
                        "closure_reason": "voluntary_compliance",
                        "resolution": "Cleared.",
                        "closed_at": closed,
                        "aggravating": [],
                        "follow_up_after_closure": False,
                        "updated_at": closed,
                    }
                    for i in ids
                ],
            )
            s.execute(
                insert(SearchEntry),
                [
                    {
                        "kind": "case",
                        "ref_id": i,
                        "part": "meta",
                        "case_id": i,
                        "jurisdiction_code": "los-gatos-ca",
                        "title": f"LG-2021-{i:06d}",
                        "body": f"{i} Elm Street weeds couch fence inspection {i * 7919 % 100003}",
                        "restricted": False,
                        "source": "record",
                        "updated_at": closed,
                    }
                    for i in ids
                ],
            )
        # One case in ten has a stored file; one in a hundred an unreleased lien; 500 are held.
        blobs, atts = [], []
        for i in range(1, n + 1, 10):
            stored = store.put_bytes(f"scan of case {i}\n".encode() * 20)
            blobs.append(
                {
                    "sha256": stored.sha256,
                    "size": stored.size,
                    "media_type": "text/plain",
                    "created_at": closed,
                }
            )
            atts.append(
                {
                    "case_id": i,
                    "kind": "other",
                    "media_type": "text/plain",
                    "sha256": stored.sha256,
                    "size": stored.size,
                    "uploaded_by_id": uid,
                    "uploaded_at": closed,
                    "supplied_by_complainant": False,
                }
            )
        s.execute(insert(Blob), blobs)
        s.execute(insert(Attachment), atts)
        s.execute(
            insert(Lien),
            [
                {
                    "case_id": i,
                    "property_id": i,
                    "amount": 500,
                    "status": "recorded",
                    "recorded_on": date(2021, 5, 1),
                    "recording_number": f"R{i}",
                    "created_by_id": uid,
                    "created_at": closed,
                }
                for i in range(5, n + 1, 100)
            ],
        )
        s.add(
            Hold(id=1, matter="Bench v. Town", reason="bench", placed_by_id=uid, placed_at=closed)
        )
        s.flush()
        s.execute(
            insert(HoldScope),
            [
                {"hold_id": 1, "kind": "case", "ref_id": i}
                for i in range(3, n + 1, max(1, n // 500))
            ],
        )
        s.commit()
    after_bulk_load(database, ("properties", "cases", "holds"))
    database.dispose()


def _child(phase: str, root: Path, sample: int, database_url: str) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--phase",
            phase,
            "--root",
            str(root),
            "--sample",
            str(sample),
            "--database-url",
            database_url,
        ],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise SystemExit(f"phase {phase} failed ({out.returncode}):\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def phase(name: str, root: Path, sample: int, database_url: str) -> None:
    from docsvc import wiring
    from docsvc.audit.keys import KeySource
    from docsvc.config import Settings
    from docsvc.db import Database
    from docsvc.retention.disposition import approve_awaiting, execute, propose
    from docsvc.retention.evaluate import evaluate
    from docsvc.store import FileStore

    settings = Settings(data_dir=root, database_url=database_url, secret_key="b" * 32)
    wiring.install()
    database = Database(settings.database_url, KeySource.of(settings))
    result: dict = {}
    started = time.perf_counter()
    if name == "dryrun":
        counts: dict[str, int] = {}
        with database.read_session() as s:
            for v in evaluate(s, root, AS_OF):
                counts[v.verdict] = counts.get(v.verdict, 0) + 1
        result["counts"] = counts
    elif name == "one_at_a_time":
        with database.read_session() as s:
            for cid in range(1, sample + 1):
                list(evaluate(s, root, AS_OF, only={cid}))
    elif name == "propose":
        with database.session() as s:
            result["queued"] = propose(s, root, AS_OF).queued
            s.commit()
    elif name == "approve":
        from docsvc.models import User

        with database.session() as s:
            user = s.scalar(select(User))
            user.role = "records"
            s.commit()
            s.expunge(user)
        result["approved"] = approve_awaiting(database, user)
    elif name == "execute":
        from docsvc.models import User

        with database.read_session() as s:
            user = s.scalar(select(User))
            s.expunge(user)
        report = execute(database, FileStore(settings.store_dir), root, user, AS_OF, batch=500)
        result.update(destroyed=report.destroyed, files_erased=report.files_erased)
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    database.dispose()
    print(json.dumps(result))


def run_lane(root: Path, cases: int, sample: int, database_url: str | None) -> dict:
    """Build the cases in one database and run every phase on it."""
    url = database_url or f"sqlite:///{root / 'db.sqlite3'}"
    lane = "postgresql" if url.startswith("postgresql") else "sqlite"
    t = time.perf_counter()
    build(root, cases, database_url)
    built = time.perf_counter() - t
    print(f"[{lane}] built {cases} closed cases in {built:.1f} s ({root})")
    dry = _child("dryrun", root, sample, url)
    print(f"[{lane}] dry run: {dry['seconds']} s, peak {dry['peak_rss_mb']} MB, {dry['counts']}")
    base = _child("one_at_a_time", root, sample, url)
    scaled = base["seconds"] * cases / sample
    print(
        f"[{lane}] baseline, one case at a time: {base['seconds']} s for {sample} "
        f"-> {scaled:.0f} s for {cases} ({scaled / dry['seconds']:.0f}x the dry run)"
    )
    disp = {step: _child(step, root, sample, url) for step in ("propose", "approve", "execute")}
    for step, out in disp.items():
        print(f"[{lane}] disposition, {step}: {out}")
    print(f"[{lane}] disposition in all: {sum(o['seconds'] for o in disp.values()):.1f} s")
    if lane == "sqlite":
        db_size = (root / "db.sqlite3").stat().st_size
    else:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.connect() as conn:
            db_size = int(
                conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
            )
        engine.dispose()
    return {
        "cases": cases,
        "build_s": round(built, 1),
        "dry_run": dry,
        "baseline_one_at_a_time": base,
        "baseline_scaled_s": round(scaled, 1),
        "disposition": disp,
        "db_bytes_after": db_size,
    }


def side_by_side(lite: dict, pg: dict) -> None:
    print(
        f"\n{'phase':<22}{'sqlite s':>10}{'pg s':>10}{'pg/sqlite':>11}{'sqlite MB':>11}{'pg MB':>9}"
    )
    rows = [("build (not a phase)", {"seconds": lite["build_s"]}, {"seconds": pg["build_s"]})]
    rows.append(("dry run", lite["dry_run"], pg["dry_run"]))
    rows.append(("baseline sample", lite["baseline_one_at_a_time"], pg["baseline_one_at_a_time"]))
    rows += [
        (f"disposition, {k}", lite["disposition"][k], pg["disposition"][k])
        for k in lite["disposition"]
    ]
    for label, a, b in rows:
        ratio = b["seconds"] / a["seconds"] if a["seconds"] else float("nan")
        mem_a, mem_b = a.get("peak_rss_mb", ""), b.get("peak_rss_mb", "")
        print(
            f"{label:<22}{a['seconds']:>10}{b['seconds']:>10}{ratio:>10.2f}x{mem_a:>11}{mem_b:>9}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=1000)
    ap.add_argument(
        "--postgresql",
        metavar="auto|URL",
        help="also run every phase on PostgreSQL: 'auto' starts a throwaway server "
        "(scripts/pg-server.sh); a URL names a server where the benchmark may create databases",
    )
    ap.add_argument("--pg-port", type=int, default=0, help="the throwaway server's port")
    ap.add_argument("--phase")
    ap.add_argument("--root")
    ap.add_argument("--database-url")
    args = ap.parse_args()
    if args.phase:
        phase(args.phase, Path(args.root), args.sample, args.database_url)
        return
    print(load_note())
    root = Path(tempfile.mkdtemp(prefix="docsvc-bench-retention-"))
    if not args.postgresql:
        save("retention", {**run_lane(root, args.cases, args.sample, None), "load": load_note()})
        return
    pg = Postgres(args.postgresql, args.pg_port)
    try:
        url = pg.database("docsvc_bench_retention")
        lite = run_lane(root / "sqlite", args.cases, args.sample, None)
        on_pg = run_lane(root / "postgresql", args.cases, args.sample, url)
        side_by_side(lite, on_pg)
        print(load_note())
        save(
            "retention-postgresql",
            {
                "sqlite": lite,
                "postgresql": on_pg,
                "postgresql_version": pg.version(),
                "load": load_note(),
            },
        )
    finally:
        pg.stop()


if __name__ == "__main__":
    main()
