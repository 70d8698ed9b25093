"""`docsvc serve` keeps the background worker running beside the web server."""

from __future__ import annotations

import sys
import time

from docsvc.serve import WorkerProcess


def wait_for(predicate, seconds: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_a_worker_that_dies_is_started_again() -> None:
    w = WorkerProcess([sys.executable, "-c", "import sys; sys.exit(3)"], restart_after=0.05)
    w.start()
    try:
        assert wait_for(lambda: w.starts >= 3)
    finally:
        w.stop()


def test_stopping_the_server_stops_its_worker() -> None:
    w = WorkerProcess([sys.executable, "-c", "import time; time.sleep(600)"])
    w.start()
    assert wait_for(lambda: w._proc is not None)
    proc = w._proc
    w.stop(timeout=10)
    assert proc is not None and proc.poll() is not None  # terminated, not left behind
    assert w.starts == 1  # and not restarted after being told to stop


def test_worker_once_from_the_command_line(client, officer, run_cli) -> None:  # type: ignore[no-untyped-def]
    import io

    from tests import helpers
    from tests.conftest import complaint_case

    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json[
        "case_number"
    ]
    r = client.post(
        f"/api/cases/{case}/attachments",
        headers=officer.headers,
        content_type="multipart/form-data",
        data={"kind": "other", "file": (io.BytesIO(helpers.docx("Porch light fixed")), "a.docx")},
    )
    assert r.status_code == 201
    result = run_cli("worker", "--once")
    assert result.exit_code == 0 and "1 job(s) done" in result.output
    assert run_cli("worker", "--once").output.startswith("0 job(s) done")
