"""Upload throughput: the S3 store beside the local store, in one run, on the same bytes.

(a) Store level: `put_stream` of --photos distinct 5 MB files (random bytes) into `FileStore`
    and into the S3 store (`open_store_url("s3://bucket/prefix", data_dir)`): MB/s over all of
    them and p50/p95 per file; then --big-runs files of --big-mb MB each (multipart on S3).
(b) The API: a real `docsvc serve` (2 workers x 4 threads, as shipped) with DOCSVC_STORE_URL
    unset (the local store) and then set to the bucket: --api-photos distinct ~5 MB JPEGs
    (noise, 2400 x 1800, quality 95, so Pillow's validation and the photo's processing run as for
    a phone's photo) posted one after another to POST /api/cases/{n}/attachments (kind=photo):
    p50/p95 per request and MB/s.

The S3 server is moto's `moto_server` on loopback (scripts/s3-server.sh when the checkout has it),
an in-memory Python server on the same machine as the client: the S3 numbers measure the
protocol path (boto3, HTTP, hashing, multipart), not a real S3 service's throughput or latency.

    .venv/bin/python benchmarks/upload.py [--photos 50] [--big-mb 100] [--big-runs 3]
                                          [--api-photos 30] [--s3-port PORT] [--no-api]
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import MotoServer, load_note, save, summary

MB = 1024 * 1024
BUCKET = "docsvc-bench-upload"


def rate(sizes: int, seconds: float) -> float:
    return sizes / MB / seconds if seconds else float("nan")


def put_many(store: Any, blobs: list[bytes]) -> dict[str, Any]:
    times = []
    for data in blobs:
        t = time.perf_counter()
        stored = store.put_stream(io.BytesIO(data))
        times.append((time.perf_counter() - t) * 1000)
        assert stored.size == len(data)
    total = sum(len(b) for b in blobs)
    return {**summary(times), "mb_per_s": round(rate(total, sum(times) / 1000), 1)}


def put_big(store: Any, path: Path, runs: int, size_mb: int) -> dict[str, Any]:
    """A file of size_mb MB read from disk, as a large upload spooled by the web layer would be;
    each run's file differs (its last 8 bytes), so none is already stored."""
    times = []
    for i in range(runs):
        with open(path, "r+b") as fh:
            fh.seek(-8, os.SEEK_END)
            fh.write(i.to_bytes(8, "big"))
        t = time.perf_counter()
        with open(path, "rb") as fh:
            stored = store.put_stream(fh)
        times.append(time.perf_counter() - t)
        assert stored.size == size_mb * MB
    return {
        "runs": runs,
        "seconds": [round(x, 2) for x in times],
        "mb_per_s_best": round(size_mb / min(times), 1),
        "mb_per_s_median": round(size_mb / sorted(times)[len(times) // 2], 1),
    }


def store_level(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    from docsvc.store import open_store_url

    blobs = [os.urandom(5 * MB) for _ in range(args.photos)]
    big = root / "big.bin"
    with open(big, "wb") as fh:
        for _ in range(args.big_mb):
            fh.write(os.urandom(MB))
    stores = {
        "local": open_store_url("", root / "local"),
        "s3": open_store_url(f"s3://{BUCKET}/store", root / "s3node"),
    }
    out: dict[str, Any] = {}
    for name, store in stores.items():
        store.put_bytes(b"warm-up " + name.encode())  # connection pool, directories
        out[name] = {"photos_5mb": put_many(store, blobs)}
        out[name]["big"] = put_big(store, big, args.big_runs, args.big_mb)
        print(f"  {name}: {store.describe()}")
    big.unlink()
    return out


def jpeg(i: int) -> bytes:
    """A distinct JPEG of about 5 MB: random colour noise, which JPEG cannot shrink much."""
    from PIL import Image

    w, h = 2400, 1800
    img = Image.frombytes("RGB", (w, h), os.urandom(w * h * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    return buf.getvalue()


def api_lane(
    label: str, root: Path, photos: list[bytes], warm: list[bytes], extra_env: dict[str, str]
) -> dict[str, Any]:
    from benchmarks.load import Server, cli, multipart

    data = root / f"api-{label}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSVC_")}
    env |= {"DOCSVC_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1", **extra_env}
    cli(env, "init")
    token = cli(env, "user", "create", "bench-officer", "--role", "officer", "--badge", "1047")
    token = token.strip().splitlines()[-1]
    server = Server(env, root / f"server-{label}.log", workers=2, threads=4)
    server.start()
    try:
        headers = {"Authorization": f"Bearer {token}"}

        def call(method: str, path: str, body: bytes, ctype: str) -> tuple[int, Any]:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
            conn.request(method, path, body=body, headers={**headers, "Content-Type": ctype})
            r = conn.getresponse()
            raw = r.read()
            conn.close()
            return r.status, json.loads(raw) if raw else None

        status, case = call(
            "POST",
            "/api/cases",
            json.dumps(
                {
                    "jurisdiction": "los-gatos-ca",
                    "property": {"address": "1418 Elm Street"},
                    "complaint": {
                        "received_at": "2026-11-02T09:30:00-08:00",
                        "channel": "web",
                        "complaint_type": "property-maintenance",
                        "description": "Tires, debris and weeds over 3 ft behind the garage.",
                        "anonymous": False,
                        "complainant": {"name": "A Neighbour", "phone": "903-555-0100"},
                        "disclosure_preference": "nondisclosure",
                    },
                }
            ).encode(),
            "application/json",
        )
        if status != 201:
            raise SystemExit(f"[{label}] could not open a case: {status} {case}")
        number = case["case_number"]
        # Untimed: one photo for each HTTP worker's first request (imports, Pillow, the
        # store's client), which the photos timed below would otherwise carry.
        for i, photo in enumerate(warm):
            body, ctype = multipart({"kind": "photo"}, (f"WARM_{i}.jpg", "image/jpeg", photo))
            status, answer = call("POST", f"/api/cases/{number}/attachments", body, ctype)
            if status != 201:
                raise SystemExit(f"[{label}] warm-up photo {i}: {status} {answer}")
        times = []
        for i, photo in enumerate(photos):
            body, ctype = multipart(
                {"kind": "photo", "caption": f"Rear yard {i}"},
                (f"IMG_{i:04d}.jpg", "image/jpeg", photo),
            )
            t = time.perf_counter()
            status, answer = call("POST", f"/api/cases/{number}/attachments", body, ctype)
            times.append((time.perf_counter() - t) * 1000)
            if status != 201:
                raise SystemExit(f"[{label}] photo {i}: {status} {answer}")
    finally:
        server.stop()
    total = sum(len(p) for p in photos)
    return {
        **summary(times),
        "mb_per_s": round(rate(total, sum(times) / 1000), 1),
        "photo_mb_mean": round(total / len(photos) / MB, 2),
    }


def show(title: str, rows: list[tuple[str, float, float]], unit: str) -> None:
    print(f"\n{title:<34}{'local':>10}{'s3 (moto)':>12}{'s3/local':>10}")
    for label, a, b in rows:
        print(f"{label + ' ' + unit:<34}{a:>10.1f}{b:>12.1f}{b / a:>9.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--photos", type=int, default=50, help="5 MB files put at store level")
    ap.add_argument("--big-mb", type=int, default=100, help="size of the large file")
    ap.add_argument("--big-runs", type=int, default=3)
    ap.add_argument("--api-photos", type=int, default=30, help="JPEGs posted through the API")
    ap.add_argument("--s3-port", type=int, default=0, help="moto_server's port (default: free)")
    ap.add_argument("--no-api", action="store_true", help="store level only")
    args = ap.parse_args()

    root = Path(tempfile.mkdtemp(prefix="docsvc-bench-upload-"))
    moto = MotoServer(args.s3_port)
    try:
        moto.apply_env()  # boto3 in this process, and the servers started below
        moto.make_bucket(BUCKET)
        result: dict[str, Any] = {"s3_server": f"moto_server at {moto.endpoint}"}
        print(f"S3: moto_server on {moto.endpoint} (in-memory, same machine); {load_note()}")
        result["load_before"] = load_note()

        print("(a) store level")
        st = store_level(args, root)
        result["store"] = st
        p, b = st["local"]["photos_5mb"], st["s3"]["photos_5mb"]
        show(
            f"put_stream, {args.photos} x 5 MB",
            [("p50", p["p50"], b["p50"]), ("p95", p["p95"], b["p95"])],
            "ms",
        )
        print(f"{'throughput MB/s':<34}{p['mb_per_s']:>10.1f}{b['mb_per_s']:>12.1f}")
        bl, bs = st["local"]["big"], st["s3"]["big"]
        print(
            f"{f'{args.big_mb} MB file, median MB/s':<34}{bl['mb_per_s_median']:>10.1f}"
            f"{bs['mb_per_s_median']:>12.1f}   (s3 multipart; runs {bs['seconds']} s)"
        )

        if not args.no_api:
            print(f"\n(b) API: {args.api_photos} JPEGs through POST /api/cases/{{n}}/attachments")
            t = time.perf_counter()
            photos = [jpeg(i) for i in range(args.api_photos)]
            print(
                f"  {len(photos)} JPEGs, {sum(map(len, photos)) / len(photos) / MB:.2f} MB each "
                f"on average ({time.perf_counter() - t:.1f} s to make)"
            )
            warm = [jpeg(-1 - i) for i in range(4)]
            api = {
                "local": api_lane("local", root, photos, warm[:2], {}),
                "s3": api_lane(
                    "s3", root, photos, warm[2:], {"DOCSVC_STORE_URL": f"s3://{BUCKET}/api"}
                ),
            }
            # The S3 lane's photos are in the bucket (not in the server's data directory).
            import boto3

            listing = boto3.client("s3").get_paginator("list_objects_v2")
            keys = sum(
                page.get("KeyCount", 0) for page in listing.paginate(Bucket=BUCKET, Prefix="api/")
            )
            if keys < len(photos) + 2:
                raise SystemExit(
                    f"the S3 lane left {keys} objects in the bucket, not {len(photos)}+"
                )
            api["s3"]["objects_in_bucket"] = keys
            result["api"] = api
            a, s = api["local"], api["s3"]
            show(
                "POST photo, per request",
                [("p50", a["p50"], s["p50"]), ("p95", a["p95"], s["p95"])],
                "ms",
            )
            print(f"{'throughput MB/s':<34}{a['mb_per_s']:>10.1f}{s['mb_per_s']:>12.1f}")
        result["load_after"] = load_note()
        print(f"\n{load_note()}")
        path = save("upload", result)
        print(f"results: {path}")
    finally:
        moto.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
