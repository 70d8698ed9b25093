"""Shared set-up for the benchmarks: a throwaway data directory with the service initialised."""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from docsvc.app import create_app
from docsvc.auth.credentials import create_user, issue_token
from docsvc.bootstrap import initialize
from docsvc.config import Settings

OUT = Path(__file__).resolve().parent / "out"


def fresh_app(root: Path | None = None, database_url: str | None = None):
    """database_url: an empty database to initialise (default: SQLite in the data directory)."""
    root = root or Path(tempfile.mkdtemp(prefix="docsvc-bench-"))
    settings = Settings(
        data_dir=root,
        database_url=database_url or f"sqlite:///{root / 'db.sqlite3'}",
        secret_key="b" * 32,
        max_upload_bytes=200 * 1024 * 1024,
    )
    initialize(settings)
    app = create_app(settings)
    with app.extensions["docsvc.db"].session() as s:
        user = create_user(s, "bench", "officer", display_name="Bench Officer", badge="1047")
        token = issue_token(s, user)
        s.commit()
    return app, settings, {"Authorization": f"Bearer {token}"}


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss
    across exec, so a child started from a larger parent would report the parent's peak."""
    with open("/proc/self/status") as fh:
        line = next(x for x in fh if x.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": statistics.median(values),
        "p95": percentile(values, 0.95),
        "min": min(values),
        "max": max(values),
    }


def save(name: str, result: dict[str, Any]) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str))
    return path


def seed_case(
    client, headers, jurisdiction: str, offset: str, violation_type: str
) -> tuple[str, int, int]:
    """A case opened from a complaint, with an owner and one violation: (number, owner id,
    violation id)."""
    body = {
        "jurisdiction": jurisdiction,
        "property": {"address": "1418 Elm Street"},
        "complaint": {
            "received_at": f"2026-11-02T09:30:00{offset}",
            "channel": "web",
            "description": "Tires, debris and weeds over 3 ft behind the garage.",
            "anonymous": False,
            "complainant": {"name": "A Neighbour", "phone": "903-555-0100"},
            "disclosure_preference": "nondisclosure",
        },
    }
    r = client.post("/api/cases", json=body, headers=headers)
    assert r.status_code == 201, r.json
    case = r.json["case_number"]
    owner = client.post(
        f"/api/cases/{case}/parties",
        headers=headers,
        json={"role": "owner", "name": "Smith & Sons <LLC>", "mailing_address": "PO Box 9"},
    ).json["id"]
    vid = client.post(
        f"/api/cases/{case}/violations",
        headers=headers,
        json={
            "violation_type": violation_type,
            "description": "Tires, debris and weeds over 3 ft",
            "observed_at": f"2026-11-03T10:00:00{offset}",
        },
    ).json["id"]
    return case, owner, vid


ROOT = Path(__file__).resolve().parent.parent


def after_bulk_load(database: Any, tables: tuple[str, ...], analyze: str = "") -> None:
    """On PostgreSQL, after rows were inserted with their ids given: move each table's id
    sequence past them (they never moved), and take fresh statistics as autovacuum would after
    a load this size (`analyze`: one table, or all). Nothing to do on SQLite."""
    if database.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    with database.session() as s:
        for table in tables:
            s.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
            )
        s.commit()
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text(f"VACUUM ANALYZE {analyze}".strip()))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Postgres:
    """PostgreSQL for a benchmark: a throwaway server from scripts/pg-server.sh (`url="auto"`,
    stopped by stop()) or a server given by URL; each database() is a fresh, empty database on it.
    The throwaway server runs with fsync=off (as the test lane's does): commit latencies are
    the server's work without the disk flush."""

    def __init__(self, url: str, port: int = 0) -> None:
        self.dir: Path | None = None
        if url == "auto":
            self.dir = Path(tempfile.mkdtemp(prefix="docsvc-bench-pg."))
            port = port or free_port()
            script = ROOT / "scripts" / "pg-server.sh"
            subprocess.run(["bash", str(script), "start", str(self.dir), str(port)], check=True)
            url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        self.url = url

    def database(self, name: str) -> str:
        """A fresh database called name (dropped first if it exists): its URL."""
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        engine = create_engine(self.url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def version(self) -> str:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.url)
        with engine.connect() as conn:
            v = str(conn.execute(text("SHOW server_version")).scalar())
        engine.dispose()
        return v

    def stop(self) -> None:
        if self.dir is not None:
            script = ROOT / "scripts" / "pg-server.sh"
            subprocess.run(["bash", str(script), "stop", str(self.dir)], check=False)
            self.dir = None


S3_ENV = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class MotoServer:
    """An S3 protocol server on loopback: moto_server, started with scripts/s3-server.sh when
    the checkout has it, else directly from the venv. moto keeps every object in the memory of
    one Python process on this machine: what it measures is the S3 protocol path (boto3,
    HTTP, multipart), not an S3 service's throughput."""

    def __init__(self, port: int = 0) -> None:
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="docsvc-bench-s3."))
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        script = ROOT / "scripts" / "s3-server.sh"
        if script.exists():
            subprocess.run(
                ["bash", str(script), "start", str(self.dir), str(self.port)], check=True
            )
            self.script: Path | None = script
        else:
            self.script = None
            moto = Path(sys.executable).parent / "moto_server"
            log = open(self.dir / "moto.log", "wb")  # noqa: SIM115 - closed with the process
            self.proc = subprocess.Popen(
                [str(moto), "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.endpoint, timeout=2).close()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"moto_server did not answer on {self.endpoint}") from None
                time.sleep(0.2)

    def env(self) -> dict[str, str]:
        """The AWS variables that point boto3 (and the service) at this server."""
        return {**S3_ENV, "AWS_ENDPOINT_URL": self.endpoint}

    def apply_env(self) -> None:
        os.environ.update(self.env())

    def make_bucket(self, name: str) -> None:
        import boto3

        boto3.client("s3", **_client_args(self.env())).create_bucket(Bucket=name)

    def stop(self) -> None:
        if self.script is not None:
            subprocess.run(["bash", str(self.script), "stop", str(self.dir)], check=False)
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)


def _client_args(env: dict[str, str]) -> dict[str, str]:
    return {
        "endpoint_url": env["AWS_ENDPOINT_URL"],
        "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": env["AWS_SECRET_ACCESS_KEY"],
        "region_name": env["AWS_DEFAULT_REGION"],
    }


def load_note() -> str:
    """The machine's load while the benchmark ran (it is shared)."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"
