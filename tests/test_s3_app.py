"""The service on an S3-compatible bucket (the lane's S3 protocol server): uploads, renditions,
notices rendered with their photographs, downloads, readiness and `verify`, with nothing kept
in the data directory's own store. Skips where no S3 server runs (the SQLite lane)."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from docsvc.config import Settings
from docsvc.store import S3Store, open_store
from docsvc.verify import verify
from tests import helpers
from tests.documents_helpers import build_case, issue, qpdf_check


@pytest.fixture
def settings(tmp_path: Path, make_settings, s3_url: str) -> Settings:
    return dataclasses.replace(make_settings(tmp_path), store_url=s3_url)


def _bucket_keys(store: S3Store) -> set[str]:
    return set(store.all_hashes())


def test_a_case_file_lives_in_the_bucket(client, officer, settings, database) -> None:
    store = open_store(settings)
    assert isinstance(store, S3Store)
    built = build_case(client, officer.headers, "los-gatos-ca")
    photo = helpers.jpeg((1600, 1200), color="green")
    r = helpers.upload(client, officer.headers, built.case, photo, "yard.jpg", caption="Yard")
    assert r.status_code == 201, r.json
    att = r.json
    assert att["sha256"] in _bucket_keys(store)
    got = client.get(f"/api/attachments/{att['id']}/original", headers=officer.headers)
    assert got.status_code == 200 and got.data == photo
    thumb = client.get(f"/api/attachments/{att['id']}/thumb", headers=officer.headers)
    assert thumb.status_code == 200 and thumb.data[:2] == b"\xff\xd8"

    # A notice with its photograph: the renderer reads the photo through the node's cache.
    doc = issue(client, officer.headers, built, "notice_of_violation")
    pdf = client.get(doc["pdf_url"], headers=officer.headers)
    assert pdf.status_code == 200 and len(PdfReader(io.BytesIO(pdf.data)).pages) >= 1
    assert qpdf_check(pdf.data, settings.data_dir).returncode == 0
    from sqlalchemy import select

    from docsvc.models import Blob

    with database.read_session() as s:
        recorded = set(s.scalars(select(Blob.sha256)))
    assert recorded and recorded <= _bucket_keys(store)  # every file a row names, in the bucket

    # Nothing of the case file in the data directory's own store.
    local_objects = settings.data_dir / "store" / "objects"
    assert not local_objects.exists() or not any(local_objects.rglob("*/*/*"))

    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["file_store"] == "ok"
    with database.read_session() as s:
        report = verify(s, store)
    assert report.ok, report.problems
    assert any("s3://" in n for n in report.notes)
    assert report.files_checked >= 4  # photo, its renditions, the notice's PDF and DOCX


def test_a_changed_object_is_refused_and_reported(client, officer, settings, database) -> None:
    import boto3

    store = open_store(settings)
    assert isinstance(store, S3Store)
    built = build_case(client, officer.headers, "tom-bean-tx")
    r = helpers.upload(client, officer.headers, built.case, helpers.pdf("A letter"), "l.pdf",
                       kind="correspondence")  # fmt: skip
    assert r.status_code == 201, r.json
    sha = r.json["sha256"]
    boto3.client("s3").put_object(Bucket=store.bucket, Key=store.key(sha), Body=b"%PDF-1.7 forged")
    got = client.get(f"/api/attachments/{r.json['id']}/original", headers=officer.headers)
    assert got.status_code == 500 and got.json["code"] == "integrity_error"
    with database.read_session() as s:
        report = verify(s, store)
    assert any(sha in p and ("wrong size" in p or "changed" in p) for p in report.problems)


def test_a_store_that_does_not_answer_is_said_in_words(
    client, officer, settings, monkeypatch: pytest.MonkeyPatch, count_rows
) -> None:
    import socket

    built = build_case(client, officer.headers, "tom-bean-tx")
    before = count_rows("attachments")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    store = client.application.extensions["docsvc.store"]
    import boto3
    from botocore.config import Config

    dead = boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{closed}",
        config=Config(retries={"total_max_attempts": 1}, connect_timeout=1),
    )
    monkeypatch.setattr(store, "_client", dead)  # requests' client, and readiness's
    monkeypatch.setattr(store, "_probe_client", dead)
    r = helpers.upload(client, officer.headers, built.case, helpers.pdf("x"), "x.pdf",
                       kind="correspondence")  # fmt: skip
    assert r.status_code == 503, r.json
    assert r.json["code"] == "storage_unavailable"
    assert "nothing was saved" in r.json["error"]
    assert count_rows("attachments") == before
    assert client.get("/readyz").status_code == 503


def test_disposition_erases_every_version_and_says_so(
    client, officer, records, attorney, clock, settings, database, work, tmp_path
) -> None:
    import boto3

    from docsvc.models import DispositionRun
    from tests.documents_helpers import pdf_text
    from tests.retention_helpers import adopt, closed_case

    adopt(settings.data_dir)
    store = open_store(settings)
    assert isinstance(store, S3Store)
    doomed = closed_case(client, officer, clock, "2021-03-10T10:00:00-08:00")
    clock("2021-03-10T11:00:00-08:00")
    memo = helpers.pdf_with(helpers.text_ops("Inspector memo: the shed again."))
    r = helpers.upload(client, officer.headers, doomed, memo, "memo.pdf", kind="correspondence")
    assert r.status_code == 201, r.json
    sha = r.json["sha256"]
    raw = boto3.client("s3")
    # The bucket keeps versions: a second copy under the same name (a replication, a restore).
    raw.put_object(Bucket=store.bucket, Key=store.key(sha), Body=memo)
    clock("2026-11-22T09:00:00-08:00")
    assert client.post("/api/retention/propose", headers=records.headers,
                       json={"as_of": "2026-11-22"}).json["added"] == 1  # fmt: skip
    item = client.get("/api/retention/queue", headers=records.headers).json[0]
    for who in (records, attorney):
        client.post("/api/retention/approve", headers=who.headers, json={"ids": [item["id"]]})
    r = client.post("/api/retention/execute", headers=records.headers, json={"as_of": "2026-11-22"})
    assert r.status_code == 202
    work()
    job = client.get(f"/api/retention/jobs/{r.json['id']}", headers=records.headers).json
    assert job["status"] == "done" and job["run"]["destroyed"] == 1
    listing = raw.list_object_versions(Bucket=store.bucket, Prefix=store.key(sha))
    assert listing.get("Versions", []) == [] and listing.get("DeleteMarkers", []) == []
    cert = client.get(job["run"]["certificate_url"], headers=records.headers)
    text = " ".join(pdf_text(cert.data, tmp_path).split())
    assert "with every version and delete marker the bucket kept of it" in text
    with database.read_session() as s:
        run = s.get(DispositionRun, job["run"]["id"])
        assert run is not None and store.exists(run.certificate_sha256)
        report = verify(s, store)
    assert report.ok, report.problems
