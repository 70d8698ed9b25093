"""The index write is idempotent whoever wrote an entry first: a record changed after the
worker has read its file's text, or changed by a request while the worker writes that text,
keeps one meta and one text entry and never answers 500."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from docsvc.models import SearchEntry
from docsvc.worker import run_one
from tests import helpers
from tests.documents_helpers import article_number, build_case, issue


def _entries(database, kind: str, ref_id: int) -> list[tuple[str, str]]:
    with database.session() as s:
        rows = s.execute(
            select(SearchEntry.part, SearchEntry.title).where(
                SearchEntry.kind == kind, SearchEntry.ref_id == ref_id
            )
        ).all()
    return sorted((p, t) for p, t in rows)


def test_service_and_receipt_after_the_worker_read_the_notice(
    client, officer, clock, work, database
) -> None:
    advance = clock("2030-11-20T09:00:00-08:00")
    h = officer.headers
    built = build_case(client, h, "los-gatos-ca")
    doc = issue(client, h, built, "notice_of_violation")
    assert work() >= 1  # the worker has read the issued notice's text
    assert [p for p, _ in _entries(database, "document", doc["id"])] == ["meta", "text"]
    advance(timedelta(hours=1))
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=h,
        json={
            "method": "certified_mail",
            "mailed_at": "2030-11-20T09:30:00-08:00",
            "article_number": article_number(),
        },
    )
    assert r.status_code == 201, r.json
    advance(timedelta(days=3))
    r = client.post(
        f"/api/documents/{doc['id']}/return-receipt",
        headers=h,
        content_type="multipart/form-data",
        data={
            "status": "delivered",
            "delivered_at": "2030-11-22T14:05:00-08:00",
            "signed_by": "R. Smith",
            "file": (io.BytesIO(helpers.pdf("PS Form 3811")), "3811.pdf"),
        },
    )
    assert r.status_code == 201, r.json
    # The notice became effective: its compliance date is known and its clocks run.
    got = client.get(f"/api/documents/{doc['id']}", headers=h).json
    assert got["deadline"] and got["services"][0]["effective_at"], got
    entries = _entries(database, "document", doc["id"])
    assert [p for p, _ in entries] == ["meta", "text"]
    assert entries[0][1] == entries[1][1]  # the text entry shows the record's current title


@pytest.mark.slow
def test_requests_racing_the_worker_never_collide(app, officer, settings, database, clock) -> None:
    """Officers recording service and return receipts on freshly issued notices while the
    worker extracts their text in another thread: every request succeeds and each notice ends with exactly one
    meta and one text entry."""
    from docsvc.documents.env import Env
    from docsvc.store import FileStore

    advance = clock("2030-11-20T09:00:00-08:00")
    setup = app.test_client()
    h = officer.headers
    built = build_case(setup, h, "los-gatos-ca")
    docs = [issue(setup, h, built, "notice_of_violation")["id"] for _ in range(6)]
    advance(timedelta(hours=1))
    env = Env(FileStore(settings.store_dir), settings)
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            if not run_one(database, env):
                stop.wait(0.01)

    def serve(doc_id: int) -> list[int]:
        client = app.test_client()
        served = client.post(
            f"/api/documents/{doc_id}/service",
            headers=h,
            json={
                "method": "certified_mail",
                "mailed_at": "2030-11-20T09:30:00-08:00",
                "article_number": article_number(),
            },
        )
        receipt = client.post(
            f"/api/documents/{doc_id}/return-receipt",
            headers=h,
            content_type="multipart/form-data",
            data={
                "status": "delivered",
                "delivered_at": "2030-11-20T09:50:00-08:00",
                "file": (io.BytesIO(helpers.pdf("PS Form 3811")), "3811.pdf"),
            },
        )
        return [served.status_code, receipt.status_code]

    t = threading.Thread(target=worker)
    t.start()
    try:
        statuses = []
        for doc_id in docs:
            statuses.append(serve(doc_id))
    finally:
        stop.set()
        t.join()
    while run_one(database, env):
        pass
    assert statuses == [[201, 201]] * len(docs)
    for doc_id in docs:
        assert [p for p, _ in _entries(database, "document", doc_id)] == ["meta", "text"]
