"""`docsvc serve` keeps the background worker running beside the web server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from docsvc.serve import WorkerProcess

DOCSVC = str(Path(sys.executable).with_name("docsvc"))


def wait_for(predicate, seconds: float = 20.0) -> bool:
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


def test_worker_once_from_the_command_line(client, officer, run_cli) -> None:
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


# ---- `docsvc serve` as deployed: gunicorn's master, its HTTP workers, the background worker


def _children(pid: int) -> dict[int, str]:
    """Live child processes of `pid`: {pid: command line}."""
    out: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                cmd = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ")
                out[int(stat.parent.name)] = cmd.decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue  # the process ended while we looked
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, data_dir: Path, port: int, *args: str) -> None:
        self.port = port
        self.log_path = data_dir / f"serve-{port}-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("wb")
        env = {**os.environ, "DOCSVC_DATA_DIR": str(data_dir)}
        env.pop(
            "DOCSVC_DATABASE_URL", None
        )  # the embedded default: these tests are about processes
        self.proc = subprocess.Popen(
            [DOCSVC, "serve", "--port", str(port), *args],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        assert wait_for(lambda: self.get("/healthz") == 200, 60), self.log()

    def get(self, path: str, timeout: float = 30.0) -> int:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{self.port}{path}", timeout=timeout
            ) as r:
                return r.status
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return 0

    def background(self) -> list[int]:
        return [p for p, cmd in _children(self.proc.pid).items() if " worker --parent " in cmd]

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    env = {**os.environ, "DOCSVC_DATA_DIR": str(tmp_path)}
    env.pop("DOCSVC_DATABASE_URL", None)
    subprocess.run([DOCSVC, "init"], env=env, check=True, capture_output=True)
    return tmp_path


@pytest.mark.e2e
def test_recycled_http_workers_leave_the_background_worker_alone(data_dir: Path) -> None:
    served = Served(data_dir, _free_port(), "--workers", "2", "--max-requests", "20")
    try:
        assert wait_for(lambda: len(served.background()) == 1, 30)
        [worker] = served.background()
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: served.get("/healthz"), range(300)))
        # Each HTTP worker was recycled several times (after 20-30 requests)...
        assert served.log().count("Booting worker") >= 6, served.log()
        # ...and every request was answered while they were (an outage times out at 30 s).
        assert statuses == [200] * 300
        assert served.background() == [worker] and _alive(worker)
        assert "background worker exited" not in served.log()
    finally:
        served.close()


@pytest.mark.e2e
def test_sigterm_stops_the_server_and_its_worker_at_once(data_dir: Path) -> None:
    served = Served(data_dir, _free_port())
    try:
        assert wait_for(lambda: len(served.background()) == 1, 30)
        [worker] = served.background()
        http = [p for p in _children(served.proc.pid) if p != worker]
        served.proc.send_signal(signal.SIGTERM)
        served.proc.wait(30)  # before the fix, forked HTTP workers hung here for good
        assert served.proc.returncode == 0
        assert not _alive(worker) and not any(_alive(p) for p in http)
        log = served.log()
        assert "stopping the background worker" in log
        assert "restarting" not in log, log
    finally:
        served.close()


@pytest.mark.e2e
def test_a_killed_master_leaves_nothing_behind_and_serve_starts_again(data_dir: Path) -> None:
    port = _free_port()
    served = Served(data_dir, port)
    try:
        assert wait_for(lambda: len(served.background()) == 1, 30)
        children = list(_children(served.proc.pid))
        served.proc.kill()
        served.proc.wait()
        # The HTTP workers and the background worker notice their parent is gone and exit.
        assert wait_for(lambda: not any(_alive(p) for p in children), 30), [
            p for p in children if _alive(p)
        ]
    finally:
        served.close()
    again = Served(data_dir, port)  # the port is free: no orphan holds it
    try:
        assert again.get("/healthz") == 200
    finally:
        again.proc.send_signal(signal.SIGTERM)
        again.proc.wait(30)
        again.close()


def test_a_stopping_worker_gives_its_job_back(database, settings) -> None:
    """SIGTERM in the middle of a long job: the job goes back to the queue at once, its
    attempt not counted, for the next worker; the worker does not wait for the job to end."""
    from sqlalchemy import select

    from docsvc import worker
    from docsvc.documents.env import Env
    from docsvc.jobs import queue
    from docsvc.models import Job
    from docsvc.store import FileStore

    def slow(_db, _session, _env, _job) -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(30)
        raise AssertionError("the job ran to its end")

    with database.session() as s:
        queue.enqueue(s.connection(), "slow:test", 1)
        s.commit()
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    worker.HANDLERS["slow"] = slow
    stop = threading.Event()
    try:
        worker.stop_on_signals(stop)
        with pytest.raises(worker.Stopping):
            worker.run_one(database, Env(FileStore(settings.store_dir), settings))
    finally:
        del worker.HANDLERS["slow"]
        worker._stopping.clear()
        for sig, handler in before.items():
            signal.signal(sig, handler)
    assert stop.is_set()
    with database.session() as s:
        job = s.scalars(select(Job).where(Job.kind == "slow:test")).one()
        assert (job.status, job.attempts, job.locked_until) == ("queued", 0, None)


def test_a_release_links_token_never_reaches_the_access_log(data_dir: Path) -> None:
    # The token is the whole key to a release: a tester found it in gunicorn's access line.
    from docsvc.serve import logged_path

    token = "Zq9-secret-token-" + "x" * 20
    assert logged_path(f"/public/releases/{token}/files/a.pdf") == (
        "/public/releases/[link]/files/a.pdf"
    )
    assert logged_path("/cases/LG-2026-000001") == "/cases/LG-2026-000001"
    served = Served(data_dir, _free_port())
    try:
        assert served.get(f"/public/releases/{token}") == 0  # 404: no such release
        assert served.get(f"/public/releases/{token}/package.zip") == 0
        assert wait_for(lambda: served.log().count('"GET /public/releases/[link]') >= 2, 10)
        assert token not in served.log()
    finally:
        served.close()
