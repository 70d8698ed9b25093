"""`docsvc migrate` from the embedded default to PostgreSQL and S3, interrupted and resumed.

The city: the demo data (`docsvc demo --no-serve`) plus generated cases, each with a property
and two photos (small distinct files, 2-20 KB), inserted directly and indexed by
`docsvc index rebuild`'s code. It moves to a throwaway PostgreSQL server
(scripts/pg-server.sh) and a bucket on a standalone S3 protocol server (moto_server), both on
loopback; the first run stops hard (DOCSVC_RELOCATE_STOP_AFTER: os._exit after that many
committed batches, about 40% of them, as a power cut would), the second continues and proves
the copy. Reported: the time of both runs together, rows/s, files/s, MB/s, each run's peak
RSS (VmHWM, read from /proc while it runs), and whether the proof held.

    .venv/bin/python benchmarks/migrate.py [--cases 10000] [--files-per-case 2]
        [--pg-port 56132] [--s3-port 56141] [--keep]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import Postgres, save

ROOT = Path(__file__).resolve().parents[1]
DOCSVC = str(Path(sys.executable).parent / "docsvc")
MOTO = str(Path(sys.executable).parent / "moto_server")
BATCH = 1000


def _env(data: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DOCSVC_DATABASE_URL", "DOCSVC_STORE_URL", "DOCSVC_AUDIT_KEY")
    }
    env.update(DOCSVC_DATA_DIR=str(data), **extra)
    return env


def build(data: Path, cases: int, per_case: int) -> dict[str, int]:
    """The demo, then `cases` cases with `per_case` photos each, in the SQLite default."""
    done = subprocess.run([DOCSVC, "demo", "--no-serve"], env=_env(data), capture_output=True)
    assert done.returncode == 0, done.stderr
    from docsvc import wiring
    from docsvc.audit.keys import KeySource
    from docsvc.config import load_settings
    from docsvc.db import Database
    from docsvc.models import Attachment, Blob, Case, Property, User
    from docsvc.search.rebuild import rebuild
    from docsvc.store import FileStore

    wiring.install()
    settings = load_settings(data_dir=data)
    database = Database(settings.database_url, KeySource.of(settings))
    store = FileStore(settings.store_dir)
    rng = random.Random(22)
    at = datetime(2026, 3, 10, 17, tzinfo=UTC)
    files = size = 0
    with database.session() as s:
        uid = s.scalar(select(User.id).where(User.role == "officer"))
        first = (s.scalar(select(func.max(Case.id))) or 0) + 1
        pfirst = (s.scalar(select(func.max(Property.id))) or 0) + 1
        for start in range(0, cases, 1000):
            ids = range(start, min(cases, start + 1000))
            s.execute(
                insert(Property),
                [
                    {
                        "id": pfirst + i,
                        "jurisdiction_code": "los-gatos-ca",
                        "address": f"{100 + i} Elm Street, Los Gatos, CA",
                        "address_key": f"{100 + i} elm st los gatos ca",
                        "latitude": 37.2 + i * 1e-6,
                        "longitude": -121.9 - i * 1e-6,
                        "created_at": at,
                    }
                    for i in ids
                ],
            )
            s.execute(
                insert(Case),
                [
                    {
                        "id": first + i,
                        "case_number": f"LG-2025-{i + 1:06d}",
                        "jurisdiction_code": "los-gatos-ca",
                        "property_id": pfirst + i,
                        "origin": "complaint",
                        "status": "open",
                        "opened_at": at,
                        "opened_by_id": uid,
                        "aggravating": [],
                        "follow_up_after_closure": False,
                        "updated_at": at,
                    }
                    for i in ids
                ],
            )
            blobs, atts = [], []
            for i in ids:
                for k in range(per_case):
                    body = rng.randbytes(rng.randint(2048, 20480))
                    stored = store.put_bytes(body)
                    files, size = files + 1, size + stored.size
                    blobs.append(
                        {
                            "sha256": stored.sha256,
                            "size": stored.size,
                            "media_type": "image/jpeg",
                            "created_at": at,
                        }
                    )
                    atts.append(
                        {
                            "case_id": first + i,
                            "kind": "photo",
                            "media_type": "image/jpeg",
                            "sha256": stored.sha256,
                            "size": stored.size,
                            "original_filename": f"IMG_{i:05d}_{k}.jpg",
                            "caption": f"Front yard, visit {k + 1}",
                            "supplied_by_complainant": False,
                            "uploaded_by_id": uid,
                            "uploaded_at": at,
                        }
                    )
            s.execute(insert(Blob), blobs)
            s.execute(insert(Attachment), atts)
        rebuild(s)  # the index as the service writes it: `docsvc verify` must be clean
        s.commit()
    database.dispose()
    return {"files": files, "bytes": size}


class Peak:
    """A process's peak RSS (VmHWM), read from /proc while it runs."""

    def __init__(self, pid: int) -> None:
        self.pid, self.kb = pid, 0
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        path = Path(f"/proc/{self.pid}/status")
        while True:
            try:
                text = path.read_text()
            except OSError:
                return
            m = re.search(r"VmHWM:\s+(\d+)", text)
            if not m:  # a zombie: it has ended
                return
            self.kb = max(self.kb, int(m.group(1)))
            time.sleep(0.05)

    def mb(self) -> float:
        self._thread.join(timeout=2)
        return self.kb / 1024


def run(data: Path, args: list[str], **env: str) -> tuple[int, str, float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [DOCSVC, "migrate", *args],
        env=_env(data, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = Peak(proc.pid)
    out, err = proc.communicate()
    return proc.returncode, out + err, time.perf_counter() - started, peak.mb()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--files-per-case", type=int, default=2)
    ap.add_argument("--pg-port", type=int, default=56132)
    ap.add_argument("--s3-port", type=int, default=56141)
    ap.add_argument("--stop-at", type=float, default=0.4, help="share of batches before the stop")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()

    # Not docsvc-bench-*: other benchmarks on a shared machine clean those up.
    root = Path(tempfile.mkdtemp(prefix="docsvc-migrate-bench-"))
    data = root / "data"
    s3_dir = root / "s3"
    moto = pg = None
    try:
        t0 = time.perf_counter()
        made = build(data, a.cases, a.files_per_case)
        print(f"built: {a.cases} cases, {made['files']} files, {made['bytes'] / 1e6:.1f} MB "
              f"in {time.perf_counter() - t0:.0f} s")  # fmt: skip

        pg_dir = Path(tempfile.gettempdir()) / f"docsvc-migrate-bench-pg-{os.getpid()}"
        subprocess.run(["bash", str(ROOT / "scripts/pg-server.sh"), "start", str(pg_dir),
                        str(a.pg_port)], check=True)  # fmt: skip
        pg = Postgres(f"postgresql+psycopg://postgres@127.0.0.1:{a.pg_port}/postgres")
        pg.dir = pg_dir  # stopped (and removed) by pg.stop()
        s3_dir.mkdir()
        moto = subprocess.Popen(
            [MOTO, "-H", "127.0.0.1", "-p", str(a.s3_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=s3_dir,
        )
        os.environ.update(
            AWS_ENDPOINT_URL=f"http://127.0.0.1:{a.s3_port}",
            AWS_ACCESS_KEY_ID="bench",
            AWS_SECRET_ACCESS_KEY="bench",
            AWS_DEFAULT_REGION="us-east-1",
        )
        import boto3

        for _ in range(50):
            try:
                boto3.client("s3").create_bucket(Bucket="docsvc-bench")
                break
            except Exception:
                time.sleep(0.2)
        target = pg.database("docsvc_migrate")
        store = "s3://docsvc-bench/city"
        args = ["--to", target, "--store", store, "--yes", "--batch-size", str(BATCH)]

        rc, dry, dry_s, _ = run(data, ["--to", target, "--store", store, "--dry-run"])
        assert rc == 0, dry
        rows = int(re.search(r"(\d+) rows in \d+ tables", dry).group(1))  # type: ignore[union-attr]
        counts = [int(n) for n in re.findall(r"^\s+\w+\s+(\d+) rows$", dry, re.M)]
        estimate = re.search(r"about ([^(]+) \(", dry).group(1)  # type: ignore[union-attr]
        batches = sum(math.ceil(n / BATCH) for n in counts) + math.ceil(made["files"] / 100)
        stop = max(1, round(batches * a.stop_at))
        print(f"dry run ({dry_s:.1f} s): {rows} rows, estimate {estimate}; stopping after "
              f"{stop} of {batches} batches")  # fmt: skip

        rc1, out1, s1, rss1 = run(data, args, DOCSVC_RELOCATE_STOP_AFTER=str(stop))
        assert rc1 == 75, out1
        print(f"first run stopped hard after {s1:.1f} s (peak RSS {rss1:.0f} MB)")
        rc2, out2, s2, rss2 = run(data, args)
        print(out2)
        proof = rc2 == 0 and "the proof holds" in out2
        total = s1 + s2
        m = re.search(r"copied.* in ([\d.]+) (s|min); proved in ([\d.]+) (s|min)", out2)
        assert m, out2
        copy2 = float(m.group(1)) * (60 if m.group(2) == "min" else 1)
        proved = float(m.group(3)) * (60 if m.group(4) == "min" else 1)
        copying = s1 + copy2  # both runs' copying, without the proof (and process start-up)
        result = {
            "cases": a.cases,
            "rows": rows,
            "files": made["files"],
            "mb": round(made["bytes"] / 1e6, 1),
            "estimate": estimate.strip(),
            "stopped_after_batches": stop,
            "of_batches": batches,
            "first_run_s": round(s1, 1),
            "second_run_s": round(s2, 1),
            "total_s": round(total, 1),
            "copy_s": round(copying, 1),
            "proof_s": round(proved, 1),
            "rows_per_s_end_to_end": round(rows / total),
            "files_per_s_end_to_end": round(made["files"] / total),
            "mb_per_s_end_to_end": round(made["bytes"] / 1e6 / total, 2),
            "rows_per_s_copying": round(rows / copying),
            "files_per_s_copying": round(made["files"] / copying),
            "mb_per_s_copying": round(made["bytes"] / 1e6 / copying, 2),
            "peak_rss_mb": [round(rss1), round(rss2)],
            "proof_held": proof,
        }
        print(result)
        save("migrate", result)
        if not proof:
            sys.exit(1)
    finally:
        if moto is not None:
            moto.terminate()
            moto.wait()
        if pg is not None:
            pg.stop()
        if not a.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
