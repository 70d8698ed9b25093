"""Soak test of the service as deployed: `docsvc init`, users made with `docsvc user create`,
`docsvc serve` (gunicorn HTTP workers and the background worker) in a subprocess, driven over
HTTP by concurrent clients making the mix officers and clerks make, long enough for every
HTTP worker to be recycled (gunicorn's max_requests) more than once.

Printed beside the requirement (no 5xx, no gap over 5 s between two answers) and beside a
single-client run of the same mix at the start (how latency degrades under load). Afterwards,
with the server stopped: `docsvc verify`, then a fresh start that reads back every write the
load acknowledged and checks that case numbers are gapless per prefix and year.

    .venv/bin/python benchmarks/load.py [--pg] [--clients N] [--minutes 10]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import io
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile, save  # noqa: E402

GAP_LIMIT = 5.0  # seconds without any answer, the requirement
# The first violation type of each is the one the notice cites (as in the tests' cases).
VIOLATIONS = {
    "tom-bean-tx": ("nuisance-no-structure", "building-work-without-permit"),
    "los-gatos-ca": ("junk-debris", "construction-without-permit"),
    "jefferson-county-wa": ("solid-waste-accumulation", "development-without-permit"),
    "lees-summit-mo": ("exterior-property-maintenance", "work-without-permit"),
}
# fmt: off
SURNAMES = ("Quimby", "Okafor", "Lindqvist", "Marchetti", "Haverford", "Nakamura", "Delacroix",
            "Brennan", "Szabo", "Ferreira", "Abernathy", "Kowalczyk", "Oyelaran", "Villanueva",
            "Thorsen", "Castellano", "Whitcombe", "Achterberg")
GIVEN = ("Ruth", "Tomas", "Aiko", "Dmitri", "Grace", "Luis", "Priya", "Owen", "Helga", "Marcus")
STREETS = ("Elm Street", "Saratoga Avenue", "Blossom Hill Road", "Cedar Lane", "Old Mill Road",
           "Harbor View Drive", "Quarry Road", "Juniper Court", "Main Street", "Prairie Lane")
WORDS = ("tires", "debris", "weeds", "garage", "couch", "framing", "permit", "Harb*", "Quim*")
READ_SHARE = 0.45  # of a client's requests; the rest walk a case from intake to service
READS = (("search", 40), ("case_read", 35), ("due_list", 10), ("document_pdf", 15))
CLASSES = ("intake", "party", "violation", "photo", "draft", "issue", "service_certified",
           "service_personal", "return_receipt", "search", "case_read", "due_list", "document_pdf")
# fmt: on


def now_iso(minus_seconds: float = 0.0) -> str:
    return datetime.fromtimestamp(time.time() - minus_seconds, UTC).isoformat()


def article_number(rng: random.Random) -> str:
    """A 22-digit IMpb certified-mail number with a valid USPS check digit."""
    from docsvc.documents.usps import check_digit

    body = "9407111" + "".join(rng.choice("0123456789") for _ in range(14))
    return body + str(check_digit(body))


def photo_pool(count: int) -> list[bytes]:
    """Small phone-like JPEGs with camera EXIF: noise compresses like a photo, each distinct."""
    from PIL import Image
    from PIL.ExifTags import Base

    out = []
    for i in range(count):
        img = Image.effect_noise((800, 600), 30 + i).convert("RGB")
        exif = Image.Exif()
        exif[Base.Make], exif[Base.Model] = "Apple", "iPhone 15"
        exif[Base.DateTime] = "2026:11:16 10:15:30"
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=80, exif=exif)
        out.append(buf.getvalue())
    return out


def receipt_pdf(text: str) -> bytes:
    """A one-page PDF with a text layer (a scanned PS Form 3811 after OCR, near enough)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET"
    objs = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objs, 1):
        offsets.append(out.tell())
        out.write(f"{n} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\n".encode())
    out.write(f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def multipart(values: dict[str, str], file: tuple[str, str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in values.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    fname, media, data = file
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{fname}"\r\n'
        f"Content-Type: {media}\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


# ---- the server, as deployed -------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def docsvc_command() -> list[str]:
    script = Path(sys.executable).parent / "docsvc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "docsvc.cli"]


def serve_options() -> str:
    return subprocess.run(
        [*docsvc_command(), "serve", "--help"], capture_output=True, text=True, check=True
    ).stdout


def ours(data_dir: Path) -> list[tuple[int, str]]:
    """Every process running with this run's data directory in its environment: `docsvc
    serve`, its HTTP workers and its background worker, whatever session they put themselves
    in (a process group would miss a worker started in a session of its own)."""
    marker = f"DOCSVC_DATA_DIR={data_dir}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker in (proc / "environ").read_bytes().split(b"\0"):
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
                found.append((int(proc.name), cmd))
        except OSError:
            continue
    return found


class Server:
    """`docsvc serve` in a session of its own, its output (gunicorn's error and access logs,
    the background worker's log) in one file."""

    def __init__(
        self,
        env: dict[str, str],
        log: Path,
        workers: int,
        threads: int,
        max_requests: int | None = None,
    ) -> None:
        self.env, self.log, self.workers, self.threads = env, log, workers, threads
        self.max_requests = max_requests
        self.data_dir = Path(env["DOCSVC_DATA_DIR"])
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, wait: float = 90.0) -> None:
        fh = open(self.log, "ab")  # noqa: SIM115 (the child holds it; closed in stop)
        self._fh = fh
        command = [*docsvc_command(), "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers), "--threads", str(self.threads)]
        if self.max_requests is not None:
            command += ["--max-requests", str(self.max_requests)]
        self.proc = subprocess.Popen(
            command, env=self.env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"docsvc serve exited ({self.proc.returncode}); see {self.log}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"docsvc serve did not answer /healthz within {wait} s; see {self.log}")

    def stop(self, wait: float = 150.0) -> tuple[float, list[str]]:
        """SIGTERM, as a service manager stops it: (seconds until `docsvc serve` exited, what
        of it was still running 5 s later, which is then killed)."""
        assert self.proc is not None
        t0 = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(wait)
        seconds = time.monotonic() - t0
        deadline = time.monotonic() + 5  # a worker watching for its parent's exit polls
        while ours(self.data_dir) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = ours(self.data_dir)
        for pid, _ in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if self.proc.poll() is None:
            self.proc.wait()
        self._fh.close()
        return seconds, [f"{pid} {cmd}" for pid, cmd in left]


class LogWatch:
    """Counts HTTP worker recycles in the server log as it grows."""

    def __init__(self, path: Path, workers: int) -> None:
        self.path, self.workers = path, workers
        self.offset, self.restarts, self.boots = 0, 0, 0

    def recycles(self) -> int:
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            chunk = fh.read()
        cut = chunk.rfind(b"\n") + 1
        self.offset += cut
        self.restarts += chunk[:cut].count(b"Autorestarting worker")
        self.boots += chunk[:cut].count(b"Booting worker")
        return max(self.restarts, self.boots - self.workers)


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    r = subprocess.run(
        [*docsvc_command(), *args], env=env, input=stdin, capture_output=True, text=True
    )
    if r.returncode != 0:
        raise SystemExit(f"docsvc {' '.join(args)} failed ({r.returncode}):\n{r.stderr}{r.stdout}")
    return r.stdout


class Postgres:
    """A throwaway server from scripts/pg-server.sh, with a database of our own."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="docsvc-load-pg."))
        self.port = free_port()

    def start(self) -> str:
        subprocess.run(
            [
                "bash",
                str(ROOT / "scripts" / "pg-server.sh"),
                "start",
                str(self.dir),
                str(self.port),
            ],
            check=True,
        )
        from sqlalchemy import create_engine, text

        base = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}"
        engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("CREATE DATABASE docsvc_load"))
        engine.dispose()
        return f"{base}/docsvc_load"

    def stop(self) -> None:
        subprocess.run(["bash", str(ROOT / "scripts" / "pg-server.sh"), "stop", str(self.dir)])


# ---- measurement ---------------------------------------------------------------------------


@dataclass
class Sample:
    cls: str
    phase: str
    start: float  # time.monotonic()
    end: float
    status: int  # 0: no answer (connection refused, reset, timed out)


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    bad: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    in_flight: dict[int, tuple[str, float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    keep: int = 5

    def note(self, kind: str, item: dict[str, Any]) -> None:
        with self.lock:
            if len(self.bad[kind]) < self.keep:
                self.bad[kind].append(item)


@dataclass
class Acked:
    """Every write the service acknowledged (2xx), to be read back after the run."""

    cases: dict[str, str] = field(default_factory=dict)  # number -> jurisdiction
    parties: list[tuple[str, int]] = field(default_factory=list)
    violations: list[tuple[str, int]] = field(default_factory=list)
    photos: list[tuple[str, int]] = field(default_factory=list)
    documents: list[tuple[str, int]] = field(default_factory=list)
    issued: list[tuple[str, int]] = field(default_factory=list)
    services: list[tuple[str, int, int]] = field(default_factory=list)
    receipts: list[tuple[str, int, int, int]] = field(default_factory=list)  # +attachment
    names: list[str] = field(default_factory=list)  # owner surnames, for searches

    def counts(self) -> dict[str, int]:
        return {f.name: len(getattr(self, f.name)) for f in fields(self) if f.name != "names"}


class Client:
    """One person at a keyboard: a connection of their own per request (as a browser behind a
    proxy would see it after a worker restart), bearer token per role."""

    def __init__(
        self,
        port: int,
        tokens: dict[str, str],
        rec: Recorder,
        acked: Acked,
        phase: str,
        rng: random.Random,
        photos: list[bytes],
        timeout: float,
    ) -> None:
        self.port, self.tokens, self.rec, self.acked = port, tokens, rec, acked
        self.phase, self.rng, self.photos, self.timeout = phase, rng, photos, timeout

    def call(
        self,
        cls: str,
        method: str,
        path: str,
        role: str = "officer",
        body: Any = None,
        form: tuple[dict[str, str], tuple[str, str, bytes]] | None = None,
    ) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {self.tokens[role]}", "Connection": "close"}
        data: bytes | None = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        elif form is not None:
            data, headers["Content-Type"] = multipart(*form)
        me = threading.get_ident()
        t0 = time.monotonic()
        self.rec.in_flight[me] = (cls, t0)
        status, raw, error = 0, b"", ""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                conn.request(method, path, body=data, headers=headers)
                resp = conn.getresponse()
                status, raw = resp.status, resp.read()
            finally:
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        t1 = time.monotonic()
        self.rec.in_flight.pop(me, None)
        self.rec.samples.append(Sample(cls, self.phase, t0, t1, status))
        where = {"class": cls, "method": method, "path": path, "at": time.time(), "status": status}
        if status == 0:
            self.rec.note("no_answer", {**where, "error": error})
            time.sleep(0.5)  # a server that is down refuses at once: do not spin on it
        elif status >= 500:
            self.rec.note("5xx", {**where, "body": raw[:600].decode("utf-8", "replace")})
        elif status >= 400:
            self.rec.note("4xx", {**where, "body": raw[:600].decode("utf-8", "replace")})
        if 200 <= status < 300 and raw[:1] in (b"{", b"["):
            return status, json.loads(raw)
        return status, None

    # -- reads: clerks, attorneys and officers looking things up --

    def read(self) -> None:
        kinds, weights = zip(*READS, strict=True)
        kind = self.rng.choices(kinds, weights)[0]
        role = self.rng.choice(("officer", "records", "attorney"))
        cases = list(self.acked.cases)
        if kind == "search" or not cases:
            choice = self.rng.random()
            if choice < 0.35 and self.acked.names:
                q = self.rng.choice(self.acked.names)
            elif choice < 0.6:
                q = self.rng.choice(STREETS).split()[0]
            elif choice < 0.8 and cases:
                q = self.rng.choice(cases)
            else:
                q = self.rng.choice(WORDS)
            from urllib.parse import quote

            self.call("search", "GET", f"/api/search?q={quote(q)}", role)
        elif kind == "case_read":
            self.call("case_read", "GET", f"/api/cases/{self.rng.choice(cases)}", role)
        elif kind == "due_list":
            self.call("due_list", "GET", "/api/due", role)
        elif self.acked.issued:
            _, doc = self.rng.choice(self.acked.issued)
            self.call("document_pdf", "GET", f"/api/documents/{doc}/pdf", role)

    # -- a case walked from intake to service, one request a step --

    def case_flow(self) -> Iterator[None]:
        rng, acked = self.rng, self.acked
        j = rng.choice(list(VIOLATIONS))
        surname = rng.choice(SURNAMES)
        address = f"{rng.randint(10, 9999)} {rng.choice(STREETS)}"
        status, case = self.call(
            "intake",
            "POST",
            "/api/cases",
            body={
                "jurisdiction": j,
                "property": {"address": address},
                "complaint": {
                    "received_at": now_iso(3600),
                    "channel": "web",
                    "description": f"Tires, debris and weeds over 3 ft behind {address}.",
                    "anonymous": False,
                    "complainant": {
                        "name": f"{rng.choice(GIVEN)} Neighbour",
                        "phone": f"(408) 555-{rng.randint(0, 9999):04d}",
                    },
                    "disclosure_preference": "nondisclosure",
                },
            },
        )
        if status != 201:
            return
        number = case["case_number"]
        acked.cases[number] = j
        yield
        status, owner = self.call(
            "party",
            "POST",
            f"/api/cases/{number}/parties",
            body={
                "role": "owner",
                "name": f"{rng.choice(GIVEN)} {surname}",
                "mailing_address": f"PO Box {rng.randint(1, 999)}, Springfield, ST 00000",
            },
        )
        if status != 201:
            return
        acked.parties.append((number, owner["id"]))
        acked.names.append(surname)
        yield
        if rng.random() < 0.5:
            status, tenant = self.call(
                "party",
                "POST",
                f"/api/cases/{number}/parties",
                body={
                    "role": "tenant",
                    "name": f"{rng.choice(GIVEN)} Tenant",
                    "mailing_address": address,
                },
            )
            if status == 201:
                acked.parties.append((number, tenant["id"]))
            yield
        cited = None
        for vt in VIOLATIONS[j][: rng.choice((1, 1, 2))]:
            status, v = self.call(
                "violation",
                "POST",
                f"/api/cases/{number}/violations",
                body={
                    "violation_type": vt,
                    "description": "Tires, debris and weeds over 3 ft; framing without permit.",
                    "observed_at": now_iso(1800),
                },
            )
            if status != 201:
                return
            acked.violations.append((number, v["id"]))
            cited = cited or v["id"]
            yield
        photo_ids = []
        for i in range(rng.randint(1, 3)):
            # A notice needs the officer's photographs: the first one is always theirs.
            by_complainant = i > 0 and rng.random() < 0.15
            status, att = self.call(
                "photo",
                "POST",
                f"/api/cases/{number}/attachments",
                form=(
                    {
                        "kind": "photo",
                        "caption": f"Rear yard, view {i + 1}",
                        "supplied_by_complainant": "true" if by_complainant else "false",
                    },
                    (f"IMG_{rng.randint(1000, 9999)}.jpg", "image/jpeg", rng.choice(self.photos)),
                ),
            )
            if status != 201:
                return
            acked.photos.append((number, att["id"]))
            if not by_complainant:  # their photos are never served on the respondent
                photo_ids.append(att["id"])
            yield
        status, doc = self.call(
            "draft",
            "POST",
            f"/api/cases/{number}/documents",
            body={
                "type": "notice_of_violation",
                "draft": True,
                "recipient_party_id": owner["id"],
                "violation_ids": [cited],
                "photo_ids": photo_ids,
                "fields": {"corrective_action": "Remove the tires & debris; mow under 12 in."},
            },
        )
        if status != 201:
            return
        acked.documents.append((number, doc["id"]))
        yield
        status, _ = self.call("issue", "POST", f"/api/documents/{doc['id']}/issue")
        if status != 200:
            return
        acked.issued.append((number, doc["id"]))
        yield
        if rng.random() < 0.6:
            status, svc = self.call(
                "service_certified",
                "POST",
                f"/api/documents/{doc['id']}/service",
                body={
                    "method": "certified_mail",
                    "mailed_at": now_iso(),
                    "article_number": article_number(rng),
                },
            )
            if status != 201:
                return
            acked.services.append((number, doc["id"], svc["id"]))
            yield
            status, after = self.call(
                "return_receipt",
                "POST",
                f"/api/documents/{doc['id']}/return-receipt",
                form=(
                    {"status": "delivered", "delivered_at": now_iso(), "signed_by": "R. Smith"},
                    ("3811.pdf", "application/pdf", receipt_pdf(f"PS Form 3811 {number}")),
                ),
            )
            if status == 201:
                got = next(s for s in after["services"] if s["id"] == svc["id"])["receipts"]
                acked.receipts.append((number, doc["id"], got[-1]["id"], got[-1]["attachment_id"]))
            yield
        else:
            status, svc = self.call(
                "service_personal",
                "POST",
                f"/api/documents/{doc['id']}/service",
                body={"method": "personal", "served_at": now_iso()},
            )
            if status == 201:
                acked.services.append((number, doc["id"], svc["id"]))
            yield

    def run(self, done: threading.Event) -> None:
        flow: Iterator[None] | None = None
        while not done.is_set():
            if self.acked.cases and self.rng.random() < READ_SHARE:
                self.read()
                continue
            if flow is None:
                flow = self.case_flow()
            if next(flow, StopIteration) is StopIteration:
                flow = None


def drive(
    port: int,
    tokens: dict[str, str],
    rec: Recorder,
    acked: Acked,
    phase: str,
    clients: int,
    seconds: float,
    photos: list[bytes],
    timeout: float,
    seed: int,
    more: Callable[[], bool] = lambda: False,
    max_seconds: float = 0.0,
) -> tuple[float, float]:
    """`clients` threads for `seconds`, then on while `more()` says so, up to `max_seconds`:
    (start, end) on time.monotonic()."""
    t0 = time.monotonic()
    done = threading.Event()
    threads = [
        threading.Thread(
            target=Client(
                port, tokens, rec, acked, phase, random.Random(seed + i), photos, timeout
            ).run,
            args=(done,),
            name=f"{phase}-{i}",
        )
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    report_every = 60.0
    next_report = t0 + report_every
    extended = False
    while any(t.is_alive() for t in threads):
        time.sleep(0.5)
        now = time.monotonic()
        if not done.is_set() and now - t0 >= seconds:
            if now - t0 < max_seconds and more():
                if not extended:
                    print(f"  {phase}: going on until the HTTP workers have recycled", flush=True)
                    extended = True
            else:
                done.set()
        if now >= next_report:
            mine = [s for s in rec.samples if s.phase == phase]
            bad = sum(1 for s in mine if s.status == 0 or s.status >= 500)
            print(
                f"  {phase}: {int(now - t0)} s, {len(mine)} answers, {bad} 5xx or unanswered",
                flush=True,
            )
            next_report += report_every
    return t0, time.monotonic()


# ---- afterwards ----------------------------------------------------------------------------


def stats(samples: list[Sample], seconds: float) -> dict[str, Any]:
    by: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        by[s.cls].append(s)
    out: dict[str, Any] = {}
    for cls in [c for c in CLASSES if c in by]:
        group = by[cls]
        ok = [1000 * (s.end - s.start) for s in group if 200 <= s.status < 300]
        out[cls] = {
            "n": len(group),
            "2xx": len(ok),
            "4xx": sum(1 for s in group if 400 <= s.status < 500),
            "5xx": sum(1 for s in group if s.status >= 500),
            "no_answer": sum(1 for s in group if s.status == 0),
            "p50_ms": percentile(ok, 0.5) if ok else None,
            "p95_ms": percentile(ok, 0.95) if ok else None,
            "p99_ms": percentile(ok, 0.99) if ok else None,
        }
    answered = [s for s in samples if s.status]
    return {
        "requests": len(samples),
        "answered": len(answered),
        "seconds": seconds,
        "rps": len(answered) / seconds if seconds else 0.0,
        "classes": out,
    }


def gaps(samples: list[Sample], top: int = 5) -> list[dict[str, Any]]:
    """The longest stretches with no answer to anyone, with what was waiting through each."""
    ends = sorted(s.end for s in samples if s.status)
    pairs = sorted(((b - a, a, b) for a, b in itertools.pairwise(ends)), reverse=True)[:top]
    out = []
    for length, a, b in pairs:
        waiting = Counter(s.cls for s in samples if s.start <= a and s.end >= b)
        out.append({"seconds": length, "from": a, "to": b, "waiting": dict(waiting)})
    return out


GUNICORN_TS = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) ([+-]\d{4})\]")
# The last line of a traceback: "sqlalchemy.exc.IntegrityError: (...) duplicate key ...".
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b")
WORKER_TS = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d+ ")


def log_time(line: str) -> float | None:
    m = GUNICORN_TS.match(line)
    if m:
        return datetime.strptime(f"{m[1]} {m[2]}", "%Y-%m-%d %H:%M:%S %z").timestamp()
    m = WORKER_TS.match(line)
    if m:  # the worker logs local time
        return datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S").timestamp()
    return None


def read_log(path: Path) -> dict[str, Any]:
    lines = path.read_text(errors="replace").splitlines()
    count = Counter()
    events = []
    patterns = {
        "booting_worker": "Booting worker",
        "autorestarting_worker": "Autorestarting worker",
        "worker_exiting": "Worker exiting",
        "worker_timeout": "WORKER TIMEOUT",
        "traceback": "Traceback (most recent call last)",
        "integrity_error": "IntegrityError",
        "background_worker_exited": "background worker exited",
        "job_failed": ") failed: ",
        "exception_on": "Exception on ",
    }
    exceptions: Counter[str] = Counter()
    for line in lines:
        if EXCEPTION_LINE.match(line):
            exceptions[line[:200]] += 1
        hit = [k for k, p in patterns.items() if p in line]
        for k in hit:
            count[k] += 1
        if hit and log_time(line) is not None:
            events.append((log_time(line), line))
    return {
        "counts": dict(count),
        "exceptions": dict(exceptions.most_common(10)),
        "events": events,
        "lines": lines,
    }


def lines_near(log: dict[str, Any], wall_from: float, wall_to: float) -> list[str]:
    out = []
    for line in log["lines"]:
        t = log_time(line)
        if t is not None and wall_from - 3 <= t <= wall_to + 3:
            out.append(line)
    return out


def read_back(port: int, token: str, acked: Acked, threads: int = 8) -> dict[str, Any]:
    """Every acknowledged write, looked for through the API of a freshly started server."""
    missing: dict[str, list[Any]] = defaultdict(list)
    seen: dict[str, dict[str, Any]] = {}
    lock = threading.Lock()
    numbers = list(acked.cases)

    def get(path: str) -> tuple[int, Any]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
            r = conn.getresponse()
            body = r.read()
            return r.status, json.loads(body) if r.status == 200 else body[:300]
        finally:
            conn.close()

    def work(chunk: list[str]) -> None:
        for number in chunk:
            s1, case = get(f"/api/cases/{number}")
            s2, docs = get(f"/api/cases/{number}/documents")
            with lock:
                if s1 != 200 or s2 != 200:
                    missing["cases"].append((number, s1, s2))
                else:
                    seen[number] = {"case": case, "docs": docs}

    chunks = [numbers[i::threads] for i in range(threads)]
    ts = [threading.Thread(target=work, args=(c,)) for c in chunks]
    for t in ts:
        t.start()
    for t in ts:
        t.join()

    def have(number: str, key: str, wanted: int) -> bool:
        return number in seen and any(x["id"] == wanted for x in seen[number]["case"][key])

    def doc(number: str, doc_id: int) -> dict[str, Any] | None:
        if number not in seen:
            return None
        return next((d for d in seen[number]["docs"] if d["id"] == doc_id), None)

    for number, pid in acked.parties:
        if not have(number, "parties", pid):
            missing["parties"].append((number, pid))
    for number, vid in acked.violations:
        if not have(number, "violations", vid):
            missing["violations"].append((number, vid))
    for number, aid in acked.photos:
        if not have(number, "attachments", aid):
            missing["photos"].append((number, aid))
    for number, did in acked.documents:
        if doc(number, did) is None:
            missing["documents"].append((number, did))
    for number, did in acked.issued:
        d = doc(number, did)
        if d is None or d["status"] == "draft" or not d["pdf_sha256"]:
            missing["issued"].append((number, did))
    for number, did, sid in acked.services:
        d = doc(number, did)
        if d is None or not any(s["id"] == sid for s in d["services"]):
            missing["services"].append((number, did, sid))
    for number, did, rid, aid in acked.receipts:
        d = doc(number, did)
        ok = d is not None and any(r["id"] == rid for s in d["services"] for r in s["receipts"])
        if not ok or not have(number, "attachments", aid):
            missing["receipts"].append((number, did, rid))

    # Case numbers gapless: every number ever issued, per prefix and year, is 1..max.
    listed: list[str] = []
    page = 1
    while True:
        status, body = get(f"/api/cases?per_page=200&page={page}")
        if status != 200:
            missing["case_list"].append((page, status))
            break
        listed += [c["case_number"] for c in body["results"]]
        if page * body["per_page"] >= body["total"]:
            break
        page += 1
    series: dict[str, list[int]] = defaultdict(list)
    for n in listed:
        prefix, _, seq = n.rpartition("-")
        series[prefix].append(int(seq))
    holes = {}
    for prefix, seqs in series.items():
        want = set(range(1, max(seqs) + 1))
        if sorted(seqs) != sorted(want):
            holes[prefix] = {
                "missing": sorted(want - set(seqs))[:20],
                "duplicates": [k for k, v in Counter(seqs).items() if v > 1][:20],
            }
    return {
        "missing": {k: v[:20] for k, v in missing.items()},
        "missing_counts": {k: len(v) for k, v in missing.items()},
        "cases_listed": len(listed),
        "series": {k: max(v) for k, v in series.items()},
        "gapless": not holes,
        "holes": holes,
    }


# ---- report --------------------------------------------------------------------------------


def ms(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f}"


def print_table(load: dict[str, Any], base: dict[str, Any], clients: int) -> None:
    print(
        f"\n{'class':<18}{'n':>7}{'5xx':>5}{'4xx':>5}{'none':>5}"
        f"{'p50':>8}{'p95':>8}{'p99':>8}  |{'1-client p50':>13}{'p95':>7}{'p99':>7}"
        f"{'p95 x':>7}"
    )
    for cls in CLASSES:
        row = load["classes"].get(cls)
        if row is None:
            continue
        b = base["classes"].get(cls, {})
        ratio = f"{row['p95_ms'] / b['p95_ms']:.1f}" if row["p95_ms"] and b.get("p95_ms") else "-"
        print(
            f"{cls:<18}{row['n']:>7}{row['5xx']:>5}{row['4xx']:>5}{row['no_answer']:>5}"
            f"{ms(row['p50_ms']):>8}{ms(row['p95_ms']):>8}{ms(row['p99_ms']):>8}  |"
            f"{ms(b.get('p50_ms')):>13}{ms(b.get('p95_ms')):>7}{ms(b.get('p99_ms')):>7}{ratio:>7}"
        )
    print(
        f"{'all (answers/s)':<18}{load['answered']:>7}  {load['rps']:.1f}/s with {clients} "
        f"clients  |  1 client: {base['rps']:.1f}/s    (latencies in ms, 2xx only)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pg", action="store_true", help="PostgreSQL (a throwaway server) not SQLite")
    ap.add_argument(
        "--clients", type=int, help="concurrent clients (16 on PostgreSQL, 8 on SQLite)"
    )
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--baseline-seconds", type=float, default=30.0)
    ap.add_argument("--workers", type=int, default=2, help="as `docsvc serve` (default 2)")
    ap.add_argument("--threads", type=int, default=4, help="as `docsvc serve` (default 4)")
    ap.add_argument(
        "--max-requests",
        type=int,
        help="passed to `docsvc serve --max-requests` (default: serve's own, as deployed)",
    )
    ap.add_argument(
        "--max-minutes",
        type=float,
        help="go on past --minutes until every HTTP worker has recycled twice, up to this "
        "(default: 2.5 x --minutes)",
    )
    ap.add_argument(
        "--without",
        default="",
        help="read classes to leave out of the mix, comma-separated (to tell which one makes "
        "a problem): search, case_read, due_list, document_pdf",
    )
    ap.add_argument("--timeout", type=float, default=60.0, help="client timeout, seconds")
    ap.add_argument("--keep", action="store_true", help="keep the data directory and logs")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    db = "postgresql" if args.pg else "sqlite"
    clients = args.clients or (16 if args.pg else 8)
    max_minutes = args.max_minutes or 2.5 * args.minutes
    global READS
    left_out = {x.strip() for x in args.without.split(",") if x.strip()}
    if left_out - {k for k, _ in READS} or left_out == {k for k, _ in READS}:
        raise SystemExit(f"--without takes some of: {', '.join(k for k, _ in READS)}")
    READS = tuple(r for r in READS if r[0] not in left_out)
    if args.max_requests is not None and "--max-requests" not in serve_options():
        raise SystemExit("this `docsvc serve` has no --max-requests; run without it, longer")

    root = Path(tempfile.mkdtemp(prefix=f"docsvc-load-{db}."))
    data = root / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSVC_")}
    env |= {"DOCSVC_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    pg = Postgres() if args.pg else None
    server: Server | None = None
    problems: list[str] = []
    try:
        if pg is not None:
            env["DOCSVC_DATABASE_URL"] = pg.start()
        cli(env, "init")
        tokens = {}
        for name, role in (
            ("officer", "officer"),
            ("records", "records"),
            ("attorney", "attorney"),
        ):
            out = cli(env, "user", "create", f"load-{name}", "--role", role, "--badge", "1047")
            tokens[name] = out.strip().splitlines()[-1]
        photos = photo_pool(24)
        log = root / "server.log"
        server = Server(env, log, args.workers, args.threads, args.max_requests)
        server.start()
        watch = LogWatch(log, args.workers)
        target = 2 * args.workers  # each worker recycled more than once, on average
        last_look = [0.0]

        def more() -> bool:
            if time.monotonic() - last_look[0] < 5:
                return True
            last_look[0] = time.monotonic()
            return watch.recycles() < target

        print(
            f"docsvc serve on :{server.port} ({db}, {args.workers} workers x {args.threads} "
            f"threads), data in {data}, log {log}",
            flush=True,
        )
        rec, acked = Recorder(), Acked()
        wall0, mono0 = time.time(), time.monotonic()

        def wall(m: float) -> float:
            return wall0 + (m - mono0)

        print(f"baseline: 1 client, {args.baseline_seconds:.0f} s", flush=True)
        b0, b1 = drive(
            server.port, tokens, rec, acked, "baseline", 1, args.baseline_seconds, photos,
            args.timeout, args.seed,
        )  # fmt: skip
        print(f"load: {clients} clients, {args.minutes:g} min", flush=True)
        l0, l1 = drive(
            server.port, tokens, rec, acked, "load", clients, args.minutes * 60, photos,
            args.timeout, args.seed + 1000, more, max_minutes * 60,
        )  # fmt: skip
        print(f"load ran {(l1 - l0) / 60:.1f} min", flush=True)
        stop_seconds, left = server.stop()
        server = None
        print(f"server stopped in {stop_seconds:.1f} s; left running: {left or 'nothing'}")

        base_samples = [s for s in rec.samples if s.phase == "baseline"]
        load_samples = [s for s in rec.samples if s.phase == "load"]
        base, load = stats(base_samples, b1 - b0), stats(load_samples, l1 - l0)
        longest = gaps(load_samples)
        logged = read_log(log)
        for g in longest:
            g["wall_from"] = datetime.fromtimestamp(wall(g["from"]), UTC).isoformat()
            g["at_seconds"] = g["from"] - l0
        worst = longest[0] if longest else {"seconds": 0.0}

        verify = subprocess.run(
            [*docsvc_command(), "verify"], env=env, capture_output=True, text=True
        )
        check_server = Server(env, root / "server-check.log", args.workers, args.threads)
        # The load's server logged its last lines as it stopped: count them all.
        recycles = watch.recycles()
        check_server.start()
        try:
            back = read_back(check_server.port, tokens["officer"], acked)
        finally:
            check_server.stop()

        fives = sum(r["5xx"] for r in load["classes"].values()) + sum(
            r["5xx"] for r in base["classes"].values()
        )
        unanswered = sum(r["no_answer"] for r in load["classes"].values())
        boots = logged["counts"].get("booting_worker", 0)

        print_table(load, base, clients)
        verdict = {
            "5xx responses": (fives, "0", fives == 0),
            "requests with no answer": (unanswered, "0", unanswered == 0),
            "longest gap between answers": (
                f"{worst['seconds']:.2f} s",
                f"< {GAP_LIMIT:g} s",
                worst["seconds"] < GAP_LIMIT,
            ),
            "HTTP worker recycles": (
                f"{recycles} ({boots} boots)",
                f">= {target} (each worker more than once)",
                recycles >= target,
            ),
            "acknowledged writes missing": (
                sum(back["missing_counts"].values()),
                "0",
                not back["missing_counts"],
            ),
            "case numbers gapless": (
                " ".join(f"{k}:1..{v}" for k, v in sorted(back["series"].items())),
                "no hole",
                back["gapless"],
            ),
            "docsvc verify exit code": (verify.returncode, "0", verify.returncode == 0),
            "server stop (SIGTERM)": (
                f"{stop_seconds:.1f} s, {len(left)} process(es) left",
                "exits, leaves nothing",
                not left,
            ),
        }
        print(f"\n{'':<30}{'measured':<50}{'requirement':<24}")
        for name, (got, want, ok) in verdict.items():
            print(f"{name:<30}{got!s:<50}{want:<24}{'ok' if ok else 'FAIL'}")
            if not ok:
                problems.append(name)
        print(f"acknowledged writes: {acked.counts()}")
        if not verdict["HTTP worker recycles"][2]:
            per_worker = load["answered"] / max(args.workers, 1)
            ran = (l1 - l0) / 60
            every = args.max_requests or 2000
            print(
                f"  too few recycles: {per_worker:.0f} answers a worker in {ran:.1f} min; two "
                f"recycles at about {every} requests need about "
                f"{ran * 2.2 * every / max(per_worker, 1):.0f} min (--minutes), or a lower "
                "--max-requests"
            )
        for g in longest[:3]:
            print(
                f"gap {g['seconds']:.2f} s at +{g['at_seconds']:.0f} s ({g['wall_from']}), "
                f"waiting through it: {g['waiting'] or 'nobody'}"
            )
        if worst["seconds"] >= GAP_LIMIT:
            near = lines_near(logged, wall(worst["from"]), wall(worst["to"]))
            print("  server log around it:")
            for line in near[:25]:
                print(f"    {line[:200]}")
        for kind in ("5xx", "no_answer", "4xx"):
            for item in rec.bad.get(kind, []):
                body = item.get("body") or item.get("error")
                print(f"{kind} {item['class']} {item['method']} {item['path']}: {body[:300]}")
        if logged["counts"]:
            print(f"server log: {logged['counts']}")
        for line, n in logged["exceptions"].items():
            print(f"  {n} x {line}")
        if verify.returncode:
            print("docsvc verify:\n  " + "\n  ".join(verify.stdout.strip().splitlines()[-15:]))
        if back["missing_counts"]:
            print(f"missing after restart: {back['missing']}")
        if not back["gapless"]:
            print(f"case number holes: {back['holes']}")

        path = save(
            f"load-{db}",
            {
                "db": db,
                "clients": clients,
                "minutes": args.minutes,
                "load_seconds": l1 - l0,
                "max_requests": args.max_requests or "serve's default",
                "without": sorted(left_out),
                "workers": args.workers,
                "threads": args.threads,
                "baseline": base,
                "load": load,
                "requirement": {"5xx": 0, "max_gap_seconds": GAP_LIMIT},
                "verdict": {k: {"measured": v[0], "ok": v[2]} for k, v in verdict.items()},
                "gaps": longest,
                "bad_answers": rec.bad,
                "server_log_counts": logged["counts"],
                "server_log_exceptions": logged["exceptions"],
                "recycle_events": [e[1] for e in logged["events"]][:200],
                "acknowledged": acked.counts(),
                "read_back": back,
                "verify": {"exit": verify.returncode, "tail": verify.stdout[-3000:]},
                "stop_seconds": stop_seconds,
                "left_running_after_stop": left,
                "data_dir": str(root) if (args.keep or problems) else None,
            },
        )
        print(f"\nwritten {path}")
    finally:
        if server is not None:
            server.stop()
        if pg is not None:
            pg.stop()
        if args.keep or problems:
            print(f"kept {root} (server.log, data)")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
