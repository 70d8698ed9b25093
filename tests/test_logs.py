"""JSON logs (DOCSVC_LOG_FORMAT=json) and the request id: every answer carries an id, a plain
one from the caller or a fresh one, and every line logged during the request carries it too."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from docsvc import logs
from docsvc.web import ready
from tests.test_serve import DOCSVC, Served, _free_port, wait_for

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the "docsvc" loggers write, as the JSON handler of a served process writes it."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.ContextFilter())
    target = logging.getLogger("docsvc")
    level = target.level
    target.addHandler(handler)
    target.setLevel(logging.INFO)  # as a served process logs
    try:
        yield out
    finally:
        target.removeHandler(handler)
        target.setLevel(level)


def _records(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_a_plain_request_id_comes_back(client) -> None:
    r = client.get("/healthz", headers={"X-Request-Id": "lb-7f3a.2_x-9"})
    assert r.headers["X-Request-Id"] == "lb-7f3a.2_x-9"


def test_without_a_request_id_one_is_made(client) -> None:
    first = client.get("/healthz").headers["X-Request-Id"]
    second = client.get("/nowhere").headers["X-Request-Id"]  # routing's 404 carries one too
    assert HEX32.fullmatch(first) and HEX32.fullmatch(second) and first != second


@pytest.mark.parametrize(
    "hostile",
    ["a b", "x" * 65, "", "abc\nINFO forged line", 'id"}', "ünï", "a/b"],
)
def test_a_hostile_request_id_is_replaced(client, hostile: str) -> None:
    # Through the environ: werkzeug's client refuses a line break in a header it sends itself.
    r = client.get("/healthz", environ_overrides={"HTTP_X_REQUEST_ID": hostile})
    assert HEX32.fullmatch(r.headers["X-Request-Id"]), r.headers["X-Request-Id"]
    assert r.headers.getlist("X-Request-Id") == [r.headers["X-Request-Id"]]


def test_sixty_four_characters_are_kept() -> None:
    from docsvc.web.request_id import clean

    assert clean("a" * 64) == "a" * 64
    assert clean("a" * 65) != "a" * 65


def test_a_line_logged_during_a_request_carries_its_id(client, monkeypatch, json_lines) -> None:
    from sqlalchemy.exc import OperationalError

    class Down:
        def read_session(self):
            raise OperationalError("select 1", {}, Exception("gone"))

    monkeypatch.setattr(ready, "database", lambda: Down())
    r = client.get("/readyz", headers={"X-Request-Id": "probe-42"})
    assert r.status_code == 503 and r.headers["X-Request-Id"] == "probe-42"
    [line] = [x for x in _records(json_lines) if "not ready" in x["message"]]
    assert line["request_id"] == "probe-42"
    assert line["level"] == "WARNING" and line["logger"] == "docsvc"
    assert line["pid"] == os.getpid() and line["node"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])
    # Outside a request, no id.
    logging.getLogger("docsvc").warning("between requests")
    assert "request_id" not in _records(json_lines)[-1]


def test_an_unexpected_error_quotes_the_reference(client, monkeypatch, json_lines) -> None:
    def broken():
        raise RuntimeError("a bug, with Jane Roe's name in it")

    monkeypatch.setattr(ready, "database", broken)
    r = client.get("/readyz")
    rid = r.headers["X-Request-Id"]
    assert r.status_code == 500 and r.json["code"] == "internal_error"
    assert f"reference {rid}" in r.json["error"] and r.json["details"] == {"reference": rid}
    [line] = [x for x in _records(json_lines) if x["message"].startswith("unexpected")]
    assert line["request_id"] == rid and f"reference {rid}" in line["message"]
    assert "Jane Roe" not in json_lines.getvalue()


def test_the_error_page_quotes_the_reference(app) -> None:
    from docsvc.web import errors

    with app.test_request_context("/cases"):
        token = logs.request_id.set("page-ref-1")
        try:
            body, status = errors.handle_unexpected(RuntimeError("x"))  # type: ignore[misc]
        finally:
            logs.request_id.reset(token)
    assert status == 500 and "reference page-ref-1" in body


def test_an_exception_is_one_line_with_its_traceback(json_lines) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("docsvc.test").exception("failed")
    [line] = json_lines.getvalue().splitlines()
    record = json.loads(line)
    assert record["message"] == "failed"
    assert "Traceback" in record["exc"] and "ValueError: boom" in record["exc"]


def test_a_jobs_lines_carry_its_id_and_kind(database, settings, json_lines) -> None:
    from docsvc import worker
    from docsvc.documents.env import Env
    from docsvc.jobs import queue
    from docsvc.store import open_store

    def noisy(_db, _session, _env, job) -> None:
        logging.getLogger("docsvc.test").info("working on it")

    with database.session() as s:
        queue.enqueue(s.connection(), "noisy:test", 1)
        s.commit()
    worker.HANDLERS["noisy"] = noisy
    try:
        assert worker.run_one(database, Env(open_store(settings), settings))
    finally:
        del worker.HANDLERS["noisy"]
    lines = _records(json_lines)
    working = next(x for x in lines if x["message"] == "working on it")
    done = next(x for x in lines if x["message"].endswith("done"))
    for line in (working, done):
        assert line["kind"] == "noisy:test" and isinstance(line["job_id"], int)
    logging.getLogger("docsvc.test").info("after")
    assert "job_id" not in _records(json_lines)[-1]


def test_the_node_is_named_by_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("DOCSVC_NODE_NAME", "app-3")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hi", None, None)
    assert json.loads(logs.JsonFormatter().format(record))["node"] == "app-3"
    monkeypatch.delenv("DOCSVC_NODE_NAME")
    assert json.loads(logs.JsonFormatter().format(record))["node"]  # the host's name


# ---- the real server: gunicorn's master, HTTP workers, access log and the background worker


def _get(port: int, path: str, request_id: str | None = None) -> tuple[int, str]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if request_id is not None:
        req.add_header("X-Request-Id", request_id)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers["X-Request-Id"]
    except urllib.error.HTTPError as e:
        return e.code, e.headers["X-Request-Id"]


def test_served_json_logs(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DOCSVC_DATABASE_URL", raising=False)
    monkeypatch.setenv("DOCSVC_DATA_DIR", str(tmp_path))
    subprocess.run([DOCSVC, "init"], env=dict(os.environ), check=True, capture_output=True)
    monkeypatch.setenv("DOCSVC_LOG_FORMAT", "json")
    monkeypatch.setenv("DOCSVC_NODE_NAME", "node-a")
    token = "Zq9-secret-token-" + "y" * 20
    served = Served(tmp_path, _free_port())
    try:
        # The background worker is up (its signal handlers too) once it says so.
        assert wait_for(lambda: '"message": "worker started' in served.log(), 60), served.log()
        answers = {
            "kept": _get(served.port, "/healthz", "lb-abc.123"),
            "hostile": _get(served.port, "/readyz", "a b"),
            "release": _get(served.port, f"/public/releases/{token}/package.zip"),
        }
        served.proc.send_signal(signal.SIGTERM)
        served.proc.wait(30)
        text = served.log()
    finally:
        served.close()
    assert answers["kept"] == (200, "lb-abc.123")
    assert answers["hostile"][0] == 200 and HEX32.fullmatch(answers["hostile"][1])
    assert answers["release"][0] == 404
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # each one JSON
    assert all(x["node"] == "node-a" and isinstance(x["pid"], int) for x in lines), text
    access = {x["request_id"]: x for x in lines if x["logger"] == "gunicorn.access"}
    for status, rid in answers.values():
        assert access[rid]["status"] == status, text
        assert access[rid]["remote_addr"] == "127.0.0.1"
        assert access[rid]["duration_ms"] >= 0 and isinstance(access[rid]["bytes"], int)
    assert access["lb-abc.123"]["path"] == "/healthz" and access["lb-abc.123"]["method"] == "GET"
    assert access[answers["release"][1]]["path"] == "/public/releases/[link]/package.zip"
    assert token not in text
    # gunicorn's own lines, the server's and the background worker's, all in the one format.
    assert any(x["logger"] == "gunicorn.error" and "Booting worker" in x["message"] for x in lines)
    assert any(x["message"] == "stopping the background worker" for x in lines)
    assert any(x["logger"] == "docsvc.worker" and x["message"] == "worker stopped" for x in lines)


def test_serve_without_the_worker(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("DOCSVC_DATABASE_URL", raising=False)
    monkeypatch.setenv("DOCSVC_DATA_DIR", str(tmp_path))
    subprocess.run([DOCSVC, "init"], env=dict(os.environ), check=True, capture_output=True)
    served = Served(tmp_path, _free_port(), "--no-worker")
    try:
        assert served.get("/healthz") == 200
        assert served.background() == []  # the web tier alone; workers run as their own units
        # The text access line carries the request id too.
        _, rid = _get(served.port, "/healthz", "text-id-1")
        assert wait_for(lambda: '"GET /healthz" 200' in served.log() and rid in served.log(), 10)
    finally:
        served.proc.send_signal(signal.SIGTERM)
        served.proc.wait(30)
        served.close()


def test_a_path_cannot_forge_a_line_or_smuggle_a_release_token() -> None:
    # Found by an attacker's walkthrough: a newline in a path wrote a line of its own in the
    # text log, and "//public//releases/TOKEN" (which reaches the link) was logged whole.
    from docsvc.logs import TextFormatter, logged_path

    assert logged_path("/x\n2026-11-30 19:00:00 ERROR forged") == (
        "/x\\x0a2026-11-30 19:00:00 ERROR forged"
    )
    for path in ("//public//releases/tok123/files/a.pdf", "/public/./releases/tok123", "/public/releases/tok123"):  # fmt: skip
        assert "tok123" not in logged_path(path) and "[link]" in logged_path(path)
    record = logging.LogRecord("docsvc", logging.ERROR, __file__, 1, "on %s", ("/a\r\nB",), None)
    line = TextFormatter("%(levelname)s %(message)s").format(record)
    assert line == "ERROR on /a\\x0d\\x0aB" and "\n" not in line
