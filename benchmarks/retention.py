"""Retention over 100,000 closed cases: the dry run (every case judged against its schedule)
and the disposition of all of them, each phase in its own process so its peak memory is its
own (the disposition's three steps too: queueing, approving in batches, destroying).
Baseline, in the same run: judging cases one at a time (the facts read per case, as a loop
over `evaluate(only={id})` does), timed on a sample and scaled to the whole set.

    .venv/bin/python benchmarks/retention.py [--cases 100000]

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

from benchmarks.common import fresh_app, peak_rss_mb, save

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


def build(root: Path, n: int) -> None:
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

    app, settings, _ = fresh_app(root)
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
    database.dispose()


def _child(phase: str, root: Path, sample: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", phase, "--root", str(root), "--sample", str(sample)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def phase(name: str, root: Path, sample: int) -> None:
    from docsvc import wiring
    from docsvc.audit.keys import KeySource
    from docsvc.config import Settings
    from docsvc.db import Database
    from docsvc.retention.disposition import approve_awaiting, execute, propose
    from docsvc.retention.evaluate import evaluate
    from docsvc.store import FileStore

    settings = Settings(
        data_dir=root, database_url=f"sqlite:///{root / 'db.sqlite3'}", secret_key="b" * 32
    )
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=100_000)
    ap.add_argument("--sample", type=int, default=1000)
    ap.add_argument("--phase")
    ap.add_argument("--root")
    args = ap.parse_args()
    if args.phase:
        phase(args.phase, Path(args.root), args.sample)
        return
    root = Path(tempfile.mkdtemp(prefix="docsvc-bench-retention-"))
    t = time.perf_counter()
    build(root, args.cases)
    print(f"built {args.cases} closed cases in {time.perf_counter() - t:.1f} s ({root})")
    dry = _child("dryrun", root, args.sample)
    print(f"dry run: {dry['seconds']} s, peak {dry['peak_rss_mb']} MB, {dry['counts']}")
    base = _child("one_at_a_time", root, args.sample)
    scaled = base["seconds"] * args.cases / args.sample
    print(
        f"baseline, one case at a time: {base['seconds']} s for {args.sample} "
        f"-> {scaled:.0f} s for {args.cases} ({scaled / dry['seconds']:.0f}x the dry run)"
    )
    disp = {step: _child(step, root, args.sample) for step in ("propose", "approve", "execute")}
    for step, out in disp.items():
        print(f"disposition, {step}: {out}")
    print(f"disposition in all: {sum(o['seconds'] for o in disp.values()):.1f} s")
    db_size = (root / "db.sqlite3").stat().st_size
    save(
        "retention",
        {
            "cases": args.cases,
            "dry_run": dry,
            "baseline_one_at_a_time": base,
            "baseline_scaled_s": round(scaled, 1),
            "disposition": disp,
            "db_bytes_after": db_size,
        },
    )


if __name__ == "__main__":
    main()
