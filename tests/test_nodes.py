"""Two nodes sharing one PostgreSQL database and one bucket, one of them killed (SIGKILL, as a
machine that loses power): an upload it was receiving leaves nothing half-written, what it had
acknowledged stays readable from the other node, and a job its worker was running is finished
by the other node's worker once the lease runs out.

Each node is a `docsvc serve` (gunicorn and its background worker) with a data directory of its
own (tests/e2e/conftest.py: make_nodes), addressed directly, without the scenarios' balancer.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import Engine

from docsvc.models import Attachment, Blob, Case, Job
from tests import helpers
from tests.conftest import complaint_case
from tests.e2e.client import Api, _multipart, wait_for
from tests.e2e.conftest import PG_URL, S3_ENDPOINT, Node, _run, create_users, make_nodes

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (PG_URL and S3_ENDPOINT),
        reason="nodes share a PostgreSQL database and a bucket: needs DOCSVC_TEST_DATABASE_URL "
        "and DOCSVC_TEST_S3_ENDPOINT (CI's PostgreSQL lane)",
    ),
]
LEASE_SECONDS = 15
BUNDLE_JOB = "bundle_build"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[list[Node], dict]]:
    root = tmp_path_factory.mktemp("nodes")
    nodes = make_nodes(
        root, 2, name="nodes", extra={"DOCSVC_JOB_LEASE_SECONDS": str(LEASE_SECONDS)}
    )
    users = create_users(nodes[0].env)
    try:
        for node in nodes:
            node.start()
        yield nodes, users
    finally:
        for node in nodes:
            node.stop()


@pytest.fixture(scope="module")
def db(cluster: tuple[list[Node], dict]) -> Iterator[Engine]:
    engine = create_engine(cluster[0][0].env["DOCSVC_DATABASE_URL"])
    yield engine
    engine.dispose()


def _worker_pid(node: Node) -> int:
    """The background worker `docsvc serve` started: `docsvc worker --parent <serve's pid>`."""
    assert node.proc is not None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        parent = args.index(b"--parent") if b"--parent" in args else -1
        if b"worker" in args and parent > 0 and args[parent + 1] == str(node.proc.pid).encode():
            return int(entry.name)
    raise AssertionError(f"no background worker of {node.name} (pid {node.proc.pid})")


def _kill(node: Node) -> None:
    """SIGKILL the node: gunicorn's master and HTTP workers (one process group), and its
    background worker (a session of its own), the worker first so nothing restarts it."""
    assert node.proc is not None
    worker = _worker_pid(node)
    os.kill(worker, signal.SIGKILL)
    os.killpg(node.proc.pid, signal.SIGKILL)
    node.proc.wait(30)
    wait_for("the killed worker to go", lambda: not Path(f"/proc/{worker}").exists(), 30, 0.2)


def _case(api: Api, address: str) -> str:
    body = complaint_case(jurisdiction="los-gatos-ca", address=address)
    return api.ok("POST", "/api/cases", body, expect=201)["case_number"]


def _big_pdf(megabytes: int) -> bytes:
    """A scanned-looking letter of about `megabytes` MB: a photo of noise (it does not
    compress) under a line of text."""
    from PIL import Image

    side = int((megabytes * 1024 * 1024) ** 0.5)  # noise at quality 95: about a byte a pixel
    out = io.BytesIO()
    Image.effect_noise((side, side), 90).convert("RGB").save(out, "JPEG", quality=95)
    return helpers.pdf_with_photo(out.getvalue(), "Letter from the owner, with the survey.")


def _attachments(db: Engine, case: str) -> list[tuple[int, str]]:
    with db.connect() as conn:
        rows = conn.execute(
            select(Attachment.id, Attachment.sha256)
            .join(Case, Case.id == Attachment.case_id)
            .where(Case.case_number == case)
            .order_by(Attachment.id)
        )
        return [(r[0], r[1]) for r in rows]


def test_a_node_killed_mid_upload_leaves_nothing_half_written(
    cluster: tuple[list[Node], dict], db: Engine
) -> None:
    (a, b), users = cluster
    officer = users["officer"].token
    on_a, on_b = Api(a.base, officer), Api(b.base, officer)
    case = _case(on_a, "12 Kill Street")
    acknowledged: dict[int, bytes] = {}
    for i in range(3):
        data = helpers.pdf(f"Acknowledged letter {i}", pages=2)
        r = on_a.ok(
            "POST", f"/api/cases/{case}/attachments", expect=201,
            form={"kind": "correspondence"}, files={"file": (f"l{i}.pdf", data, "application/pdf")},
        )  # fmt: skip
        acknowledged[r["id"]] = data
    before = _attachments(db, case)
    assert [i for i, _ in before] == sorted(acknowledged)

    big = _big_pdf(20)
    assert len(big) > 18 * 1024 * 1024
    body, ctype = _multipart(
        {"kind": "correspondence"}, {"file": ("survey.pdf", big, "application/pdf")}
    )
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
    conn.putrequest("POST", f"/api/cases/{case}/attachments")
    conn.putheader("Authorization", f"Bearer {officer}")
    conn.putheader("Content-Type", ctype)
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders()
    conn.send(body[: len(body) // 2])
    time.sleep(1)  # the node is reading the upload (and sending it on to the bucket)
    _kill(a)
    try:
        conn.send(body[len(body) // 2 :])
        reply = conn.getresponse()
        raise AssertionError(f"the killed node answered {reply.status}")
    except (OSError, http.client.HTTPException):
        pass  # the connection died with the node
    finally:
        conn.close()

    assert _attachments(db, case) == before  # no row for the upload that never finished
    with db.connect() as c:
        assert (
            c.scalar(select(Blob.sha256).where(Blob.sha256 == hashlib.sha256(big).hexdigest()))
            is None
        )
    for att_id, data in acknowledged.items():  # what A acknowledged, B serves
        got = on_b.get(f"/api/attachments/{att_id}/original")
        assert got.status == 200 and got.body == data, got
    retried = on_b.ok(
        "POST", f"/api/cases/{case}/attachments", expect=201,
        form={"kind": "correspondence"}, files={"file": ("survey.pdf", big, "application/pdf")},
    )  # fmt: skip
    assert on_b.get(f"/api/attachments/{retried['id']}/original").body == big
    assert on_b.server_errors == [] and on_a.server_errors == []
    a.start()  # back for the next test


def _photos(api: Api, case: str, n: int) -> None:
    from PIL import Image

    noise = Image.effect_noise((1600, 1200), 40).convert("RGB")
    for i in range(n):
        img = noise.copy()
        img.paste((i * 37 % 256, i * 91 % 256, 200), (i * 20, 0, i * 20 + 200, 120))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=90)
        api.ok(
            "POST", f"/api/cases/{case}/attachments", expect=201,
            form={"kind": "photo", "caption": f"Yard, photo {i + 1}"},
            files={"file": (f"p{i}.jpg", out.getvalue(), "image/jpeg")},
        )  # fmt: skip


def _job(db: Engine, ref_id: int) -> tuple[str, int]:
    with db.connect() as conn:
        row = conn.execute(
            select(Job.status, Job.attempts)
            .where(Job.kind == BUNDLE_JOB, Job.ref_id == ref_id)
            .order_by(Job.id.desc())
        ).first()
        assert row is not None
        return row[0], row[1]


def test_a_job_whose_worker_dies_is_finished_by_the_other_node(
    cluster: tuple[list[Node], dict], db: Engine
) -> None:
    (a, b), users = cluster
    officer = Api(a.base, users["officer"].token)
    case = _case(officer, "14 Kill Street")
    _photos(officer, case, 90)  # a build of some seconds: killed while it runs
    # Every job the uploads queued is done, so the bundle's is the only one left to claim.
    wait_for("the uploads' jobs", lambda: _waiting(db) == 0, 300)
    b.stop()  # only A's worker is left to claim the bundle's job
    attorney = Api(a.base, users["attorney"].token)
    bundle = attorney.ok("POST", f"/api/cases/{case}/bundles", {}, expect=202)["id"]
    wait_for(
        "A's worker to start the bundle",
        lambda: attorney.ok("GET", f"/api/bundles/{bundle}")["status"] == "building",
        120,
        0.1,
    )
    _kill(a)
    status, attempts = _job(db, bundle)
    assert (status, attempts) == ("running", 1)  # killed mid-job, its lease held

    b.start()
    on_b = Api(b.base, users["attorney"].token)
    done = wait_for(
        "B's worker to finish the bundle once A's lease ran out",
        lambda: (got := on_b.ok("GET", f"/api/bundles/{bundle}"))["status"] == "done" and got,
        LEASE_SECONDS + 300,
    )
    assert _job(db, bundle) == ("done", 2)  # claimed again, once
    assert done["volumes"], done
    for volume in done["volumes"]:
        pdf = on_b.get(volume["pdf_url"])
        assert pdf.status == 200 and pdf.body.startswith(b"%PDF"), pdf
    assert on_b.server_errors == [] and officer.server_errors == []

    # Whatever the kills left, the records hold: every row's file is in the bucket.
    _run(["verify"], b.env)  # exits 1 naming any problem
    a.start()


def _waiting(db: Engine) -> int:
    with db.connect() as conn:
        return (
            conn.scalar(
                select(func.count()).select_from(Job).where(Job.status.in_(("queued", "running")))
            )
            or 0
        )
