"""A full or read-only file store is said in words (507 / 503, the API's error shape or the
error page), logged once with the errno, the path and its mount point, and leaves nothing
half-written; /readyz tells a load balancer the same."""

from __future__ import annotations

import errno
import logging
import os
import tempfile

import pytest

from docsvc.web.errors import STORE_FULL, STORE_READ_ONLY
from tests import helpers
from tests.conftest import store_files


@pytest.fixture
def case(open_case) -> str:
    return open_case()["case_number"]


def _fail_fsync_at(monkeypatch, n: int, code: int = errno.ENOSPC) -> None:
    """The n-th fsync of the request fails as a full disk does (delayed allocation reports
    ENOSPC at fsync); the calls before it succeed."""
    real = os.fsync
    calls = iter(range(1, 1000))

    def fsync(fd: int) -> None:
        if next(calls) == n:
            raise OSError(code, os.strerror(code))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


def _store_log(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "file store refused a write" in r.getMessage()]


@pytest.mark.parametrize(
    ("n", "kept"),
    [
        (1, 0),  # spooling the upload itself
        (3, 1),  # the print rendition, after the original was stored: an orphan, no row
    ],
)
def test_a_full_store_answers_507_and_keeps_no_row(
    client, officer, case, settings, count_rows, run_cli, monkeypatch, caplog, n, kept
) -> None:
    _fail_fsync_at(monkeypatch, n)
    with caplog.at_level(logging.INFO, logger="docsvc"):
        r = helpers.upload(client, officer.headers, case, helpers.jpeg(), "p.jpg")
    monkeypatch.undo()
    assert r.status_code == 507, r.json
    assert r.json == {"error": STORE_FULL, "code": "storage_full", "details": {}}
    assert count_rows("attachments") == 0 and count_rows("blobs") == 0
    assert len(store_files(settings)) == kept
    assert not any((settings.store_dir / "tmp").iterdir())  # no half-written temporary file
    [line] = _store_log(caplog)  # once
    assert line.levelno == logging.ERROR
    message = line.getMessage()
    assert "ENOSPC" in message and str(settings.store_dir) in message
    assert "mounted at /" in message and "MB free" in message
    assert "POST /api/cases/" in message
    result = run_cli("verify")
    assert result.exit_code == 0, result.output
    assert "PROBLEM" not in result.output


@pytest.mark.parametrize("code", [errno.EROFS, errno.EACCES])
def test_a_read_only_store_answers_503(
    client, officer, case, settings, count_rows, monkeypatch, caplog, code
) -> None:
    def mkstemp(*_a, dir=None, **_kw):  # tempfile's own keyword
        raise OSError(code, os.strerror(code), os.path.join(str(dir), "incoming-x"))

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    with caplog.at_level(logging.INFO, logger="docsvc"):
        r = helpers.upload(client, officer.headers, case, helpers.pdf(), "letter.pdf", "other")
    monkeypatch.undo()
    assert r.status_code == 503, r.json
    assert r.json == {"error": STORE_READ_ONLY, "code": "storage_read_only", "details": {}}
    assert count_rows("attachments") == 0 and store_files(settings) == set()
    [line] = _store_log(caplog)
    assert errno.errorcode[code] in line.getMessage()
    assert str(settings.store_dir / "tmp" / "incoming-x") in line.getMessage()


def test_the_upload_page_says_the_store_is_full(
    client, signed_in, open_case, settings, count_rows, monkeypatch, caplog
) -> None:
    signed_in("officer")
    number = open_case()["case_number"]
    page = client.get(f"/cases/{number}").data
    _fail_fsync_at(monkeypatch, 1)
    with caplog.at_level(logging.INFO, logger="docsvc"):
        r = client.post(
            f"/cases/{number}/attachments",
            data={
                **helpers.tokens(page),
                "kind": "other",
                "file": (__import__("io").BytesIO(helpers.pdf()), "letter.pdf"),
            },
            content_type="multipart/form-data",
        )
    monkeypatch.undo()
    assert r.status_code == 507
    html = r.get_data(as_text=True)
    assert "The file store is full" in html and "Tell the system administrator." in html
    assert "Traceback" not in html and "ENOSPC" not in html and str(settings.data_dir) not in html
    assert count_rows("attachments") == 0
    assert len(_store_log(caplog)) == 1


def test_any_other_os_error_is_still_an_internal_error(
    client, officer, case, monkeypatch, caplog
) -> None:
    def mkstemp(*_a, **_kw):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    r = helpers.upload(client, officer.headers, case, helpers.pdf(), "letter.pdf", "other")
    monkeypatch.undo()
    assert r.status_code == 500 and r.json["code"] == "internal_error"
    assert not _store_log(caplog)


def test_readyz_answers_when_database_and_store_work(client) -> None:
    r = client.get("/readyz")
    assert r.status_code == 200
    assert r.json == {"status": "ok", "database": "ok", "file_store": "ok", "audit_log": "ok"}


def test_readyz_names_the_store_when_it_cannot_be_written(client, settings, monkeypatch) -> None:
    def mkstemp(*_a, **_kw):
        raise OSError(errno.EROFS, "Read-only file system", str(settings.store_dir / "tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json == {
        "status": "unavailable",
        "database": "ok",
        "file_store": "failing",
        "audit_log": "ok",
    }
    assert str(settings.data_dir) not in r.get_data(as_text=True)


def test_readyz_leaves_no_file_behind(client, settings) -> None:
    assert client.get("/readyz").status_code == 200
    assert not any((settings.store_dir / "tmp").iterdir())


def test_readyz_names_the_database_when_it_does_not_answer(app, client, monkeypatch) -> None:
    from sqlalchemy.exc import OperationalError

    def broken():
        raise OperationalError("SELECT 1", {}, Exception("unable to open database file"))

    monkeypatch.setattr(app.extensions["docsvc.db"], "read_session", broken)
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json == {
        "status": "unavailable",
        "database": "failing",
        "file_store": "ok",
        "audit_log": "failing",
    }
    assert "unable to open" not in r.get_data(as_text=True)


def test_a_node_without_the_audit_keys_is_not_ready(app, client, officer, open_case, settings):
    # A second node started without DOCSVC_AUDIT_KEY (or with keys of its own) would refuse
    # every audited request: readiness says so, and the answer to a request says it in words.
    import dataclasses

    from docsvc.app import create_app
    from docsvc.audit.keys import KEY_FILE, AuditKey, KeyRing, parse_ring

    case = open_case()["case_number"]  # the log is authenticated by now
    other = dataclasses.replace(settings, data_dir=settings.data_dir.parent / "node2")
    other.data_dir.mkdir(mode=0o700)
    node2 = create_app(other)
    try:
        r = node2.test_client().get("/readyz")
        assert r.status_code == 503 and r.json["audit_log"] == "failing"
        assert KEY_FILE not in r.get_data(as_text=True)  # no path leaves it
        got = node2.test_client().get(f"/api/cases/{case}", headers=officer.headers)
        assert got.status_code == 503 and got.json["code"] == "audit_log_unavailable"
        assert "administrator" in got.json["error"]
        # Keys of its own (a node that made a fresh key file) do not sign the log either.
        ring = parse_ring((settings.data_dir / KEY_FILE).read_text(), KEY_FILE)
        assert ring is not None
        own = KeyRing(tuple(AuditKey(k.id, k.first_seq, k.after, b"z" * 32) for k in ring.keys))
        (other.data_dir / KEY_FILE).write_text(own.text())
        assert node2.test_client().get("/readyz").json["audit_log"] == "failing"
    finally:
        node2.extensions["docsvc.db"].dispose()
    assert client.get("/readyz").json["audit_log"] == "ok"  # the first node is unaffected
