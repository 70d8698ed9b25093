"""`docsvc verify`'s fixity check on a bucket: the files re-read several at a time (the S3
store's `parallel_reads`, 8) beside one at a time (the baseline: how it read before, and how it
reads the local disk), in one run, on the same files in the same bucket.

The bucket is on moto's `moto_server` on loopback: an in-memory Python server on the same
machine, so the ratio measures how much of each read is a round trip waited for, not what AWS
would give.

    .venv/bin/python benchmarks/verify.py [--files 2000] [--kb 8]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import MotoServer, fresh_app, load_note, save

BUCKET = "docsvc-bench-verify"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--kb", type=int, default=8)
    args = ap.parse_args()
    moto = MotoServer()
    try:
        moto.apply_env()
        moto.make_bucket(BUCKET)
        from docsvc.attachments.service import register_blob
        from docsvc.store import S3Store, open_store_url
        from docsvc.verify import verify

        root = Path(tempfile.mkdtemp(prefix="docsvc-bench-verify-"))
        app, _settings, _headers = fresh_app(root)
        database = app.extensions["docsvc.db"]
        store = open_store_url(f"s3://{BUCKET}/city", root / "node")
        assert isinstance(store, S3Store)
        t = time.perf_counter()
        with database.session() as s:
            for _ in range(args.files):
                got = store.put_bytes(os.urandom(args.kb * 1024))
                register_blob(s, got.sha256, got.size, "application/octet-stream")
            s.commit()
        loaded = time.perf_counter() - t
        print(f"{args.files} files of {args.kb} KB in the bucket ({loaded:.1f} s); {load_note()}")
        results = {}
        for label, reads in (("one at a time (baseline)", 1), ("parallel", store.parallel_reads)):
            store.parallel_reads = reads
            with database.read_session() as s:
                t = time.perf_counter()
                report = verify(s, store)
                took = time.perf_counter() - t
            assert report.ok and report.files_checked == args.files, report.problems
            results[label] = {"reads_at_once": reads, "seconds": round(took, 2),
                              "files_per_s": round(args.files / took, 1)}  # fmt: skip
            print(f"{label:26} {reads} at once: {took:6.2f} s, {args.files / took:7.1f} files/s")
        base, par = results["one at a time (baseline)"], results["parallel"]
        print(f"speed-up {base['seconds'] / par['seconds']:.2f}x; {load_note()}")
        save("verify", {"files": args.files, "kb": args.kb, **results})
        database.dispose()
    finally:
        moto.stop()


if __name__ == "__main__":
    main()
