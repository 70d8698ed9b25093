"""The text of files in the index: extracted off the request path by the worker (OCR for scans
and photos of paper), retried after a crash, checked and rebuilt by the CLI."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select, text

from docsvc.jobs import queue
from docsvc.models import Job, SearchEntry
from docsvc.search import text_job
from tests import helpers
from tests.documents_helpers import build_case, issue, mailed_notice


def search(client, h, q: str, **params):
    r = client.get("/api/search", headers=h, query_string={"q": q, **params})
    assert r.status_code == 200, r.json
    return r.json["results"]


def upload(client, h, case: str, name: str, data: bytes, **form) -> int:
    r = helpers.upload(client, h, case, data, name, **{"kind": "correspondence", **form})
    assert r.status_code == 201, r.json
    return r.json["id"]


@pytest.mark.slow
def test_an_image_only_return_receipt_is_found_by_its_signer(client, officer, clock, work) -> None:
    advance = clock("2030-11-20T09:00:00-08:00")
    h = officer.headers
    built, doc = mailed_notice(client, h, advance)
    advance(timedelta(days=7))
    card = helpers.text_image(
        ["DOMESTIC RETURN RECEIPT", "Received by: Bartholomew Fairweather", "Date: 11/26/2030"],
        fmt="JPEG",
    )
    r = client.post(
        f"/api/documents/{doc['id']}/return-receipt",
        headers=h,
        content_type="multipart/form-data",
        data={
            "status": "delivered",
            "delivered_at": "2030-11-26T14:05:00-08:00",
            "file": (io.BytesIO(card), "3811.jpg"),
        },
    )
    assert r.status_code == 201, r.json
    assert search(client, h, "Fairweather") == []  # no signer typed in; the text is not read yet
    assert work() >= 1
    hits = search(client, h, "Bartholomew Fairweather")
    assert [(x["case_number"], x["kind"], x["source"]) for x in hits] == [
        (built.case, "attachment", "ocr")
    ]
    assert "<mark>Fairweather</mark>" in hits[0]["snippet"]
    # The card is titled by its notice, as the case page names it.
    assert hits[0]["title"] == f"Return receipt for Notice of Violation NOV-{doc['id']}"


def test_a_notice_is_found_by_its_body_text_stemmed_and_without_accents(
    client, officer, work
) -> None:
    h = officer.headers
    built = build_case(client, h, "los-gatos-ca", owner_name="Đặng Thị Hương Holdings")
    doc = issue(client, h, built, "notice_of_violation")
    phrase = '"record a lien against the property"'  # the notice's wording, in no record field
    assert search(client, h, phrase) == []
    assert work() == 1
    # "Đặng" is typed with its Đ: a letter of its own, not D with a mark, which SQLite's
    # tokenizer keeps apart (PostgreSQL's unaccent folds it to D).
    for q in (phrase, "recovering costs", "Đang thi huong"):
        hits = search(client, h, q, doc_type="notice_of_violation")
        found = {(x["kind"], x["document_id"], x["source"]) for x in hits}
        assert ("document", doc["id"], "text") in found, q
    assert search(client, h, '"property the against lien"') == []


@pytest.mark.slow
def test_scans_docx_and_email_are_read(client, officer, work) -> None:
    h = officer.headers
    case = build_case(client, h, "tom-bean-tx").case
    scan = helpers.text_image(["Letter from the owner", "The carport was demolished"], fmt="PDF")
    upload(client, h, case, "scan.pdf", scan)
    upload(client, h, case, "letter.docx", helpers.docx("Reply about the chicken coop"))
    upload(client, h, case, "mail.eml", helpers.eml())
    # A faxed reply as a two-page TIFF: the second page is read too.
    pages = [
        Image.open(io.BytesIO(helpers.text_image([line])))
        for line in ("Fax cover sheet", "Pergola permit application attached")
    ]
    fax = io.BytesIO()
    pages[0].save(fax, "TIFF", save_all=True, append_images=pages[1:])
    upload(client, h, case, "fax.tif", fax.getvalue())
    # A message in a charset Python does not know is still read, not failed.
    odd = helpers.eml().replace(b"charset=utf-8", b"charset=x-unknown-8bit")
    upload(client, h, case, "odd.eml", odd.replace(b"fixed by Friday", b"painted by Monday"))
    assert work() == 5
    assert [x["source"] for x in search(client, h, "carport demolished")] == ["ocr"]
    assert [x["source"] for x in search(client, h, "chicken coop")] == ["text"]
    assert [x["source"] for x in search(client, h, '"fixed by Friday"')] == ["text"]
    assert [x["source"] for x in search(client, h, "pergola permit")] == ["ocr"]
    assert [x["source"] for x in search(client, h, '"painted by Monday"')] == ["text"]


def test_text_from_the_complainant_is_audited_when_shown(
    client, officer, records, work, database
) -> None:
    from docsvc.models import AuditEvent

    h = officer.headers
    case = build_case(client, h, "tom-bean-tx").case
    upload(
        client,
        h,
        case,
        "note.docx",
        helpers.docx("Written by the neighbour at 1420 Elm, who saw the dumping"),
        supplied_by_complainant="true",
    )
    work()

    def views() -> int:
        with database.session() as s:
            return len(
                s.scalars(select(AuditEvent).where(AuditEvent.action == "complainant.view")).all()
            )

    before = views()
    assert [x["source"] for x in search(client, records.headers, "dumping neighbour")] == ["text"]
    assert views() == before + 1


def test_a_worker_crash_mid_extraction_is_retried(client, officer, database, work, clock) -> None:
    advance = clock("2030-11-20T09:00:00-08:00")
    h = officer.headers
    case = build_case(client, h, "tom-bean-tx").case
    upload(client, h, case, "reply.docx", helpers.docx("The shed roof is repaired"))
    with database.session() as s:  # a worker claims the job, then dies before finishing
        crashed = queue.claim(s)
        assert crashed is not None and crashed.status == "running"
    assert work() == 0  # its lease still holds: nobody else takes the job
    assert search(client, h, "shed roof repaired") == []
    advance(queue.LEASE + timedelta(seconds=1))
    assert work() == 1
    assert [x["source"] for x in search(client, h, "shed roof repaired")] == ["text"]
    with database.session() as s:
        job = s.get(Job, crashed.id)
        assert (job.status, job.attempts) == ("done", 2)


def test_a_failing_extraction_is_retried_then_given_up_and_reported(
    client, officer, database, work, clock, monkeypatch, run_cli
) -> None:
    advance = clock("2030-11-20T09:00:00-08:00")
    h = officer.headers
    case = build_case(client, h, "tom-bean-tx").case
    upload(client, h, case, "reply.docx", helpers.docx("Gutters replaced on the north side"))
    real = text_job.extract

    def broken(data: bytes, media_type: str):
        raise RuntimeError("disk hiccup")

    monkeypatch.setattr(text_job, "extract", broken)
    assert work() == 1
    with database.session() as s:
        job = s.scalars(select(Job).where(Job.kind == "extract_text:attachment")).one()
        assert (job.status, job.attempts, job.last_error) == (
            "queued",
            1,
            "RuntimeError: disk hiccup",
        )
    assert work() == 0  # it waits before the next attempt
    monkeypatch.setattr(text_job, "extract", real)
    advance(queue.RETRY_AFTER)
    assert work() == 1
    assert [x["source"] for x in search(client, h, "gutters replaced")] == ["text"]

    # One that never succeeds stops after MAX_ATTEMPTS, and verify names it.
    upload(client, h, case, "other.docx", helpers.docx("Something unreadable"))
    monkeypatch.setattr(text_job, "extract", broken)
    for _ in range(queue.MAX_ATTEMPTS):
        assert work() == 1
        advance(timedelta(hours=1))
    assert work() == 0
    with database.session() as s:
        statuses = sorted(s.scalars(select(Job.status)).all())
        assert statuses == ["done", "failed"]
    result = run_cli("verify")
    assert result.exit_code == 1
    assert "has no text (extraction failed: RuntimeError: disk hiccup)" in result.output


@pytest.mark.slow
def test_a_record_written_while_the_worker_is_down_is_found_once_it_runs(
    client, officer, settings
) -> None:
    h = officer.headers
    case = build_case(client, h, "tom-bean-tx").case
    upload(client, h, case, "reply.docx", helpers.docx("Retaining wall rebuilt in stone"))
    assert search(client, h, "retaining wall") == []
    env = {
        **os.environ,
        "DOCSVC_DATA_DIR": str(settings.data_dir),
        "DOCSVC_DATABASE_URL": settings.database_url,
        "DOCSVC_SECRET_KEY": settings.secret_key,
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "docsvc.cli", "worker", "--poll", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not search(client, h, "retaining wall") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [x["source"] for x in search(client, h, "retaining wall")] == ["text"]
    finally:
        worker.terminate()
        _, err = worker.communicate(timeout=30)
    assert worker.returncode == 0, err.decode()
    assert b"retaining" not in err.lower()  # the worker's log never carries record text


def test_verify_finds_index_drift_and_rebuild_repairs_it(
    client, officer, database, run_cli, work
) -> None:
    h = officer.headers
    built = build_case(client, h, "los-gatos-ca")
    upload(client, h, built.case, "reply.docx", helpers.docx("Hedge trimmed back from the walk"))
    work()
    assert run_cli("verify").exit_code == 0
    with database.session() as s:
        party = s.scalars(
            select(SearchEntry).where(SearchEntry.kind == "party", SearchEntry.part == "meta")
        ).first()
        s.delete(party)
        s.execute(text("UPDATE search_entries SET body = 'tampered' WHERE kind = 'violation'"))
        s.execute(text("DELETE FROM search_entries WHERE part = 'text'"))
        s.commit()
    result = run_cli("verify")
    assert result.exit_code == 1
    assert f"party {built.owner} (case id" in result.output and "is missing from the index" in (
        result.output
    )
    assert "is stale (its record has changed)" in result.output
    assert "has no text (none is queued; run `docsvc index rebuild`)" in result.output
    assert "party" not in {x["kind"] for x in search(client, h, "Smith Sons")}

    result = run_cli("index", "rebuild")
    assert result.exit_code == 0, result.output
    assert "1 file(s) queued for text extraction" in result.output
    assert work() == 1
    assert run_cli("verify").exit_code == 0
    assert "party" in {x["kind"] for x in search(client, h, "Smith Sons")}
    assert [x["source"] for x in search(client, h, "hedge trimmed")] == ["text"]
