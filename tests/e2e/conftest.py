"""The service as deployed, for the scenarios: `docsvc init`, `docsvc user create`, then
`docsvc serve` (gunicorn workers and the background worker) as subprocesses on a free port,
with everything they print captured to a log that each scenario is checked against.

On the PostgreSQL lane (DOCSVC_TEST_DATABASE_URL set) the server gets a database of its own on
the same PostgreSQL server, dropped and created afresh: the in-process tests truncate theirs.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.browser import Browser
from tests.e2e.client import Api, Login

PG_URL = os.environ.get("DOCSVC_TEST_DATABASE_URL", "")
E2E_DATABASE = "docsvc_e2e"
DOCSVC = Path(sys.executable).with_name("docsvc")
# What the server's log must never show: a logged error, a traceback, a 5xx in the access log
# (format '%(h)s "%(m)s %(U)s" %(s)s ...', docsvc/serve.py).
BAD_LINE = re.compile(r"\bERROR\b|Traceback|^\S+ \"[A-Z]+ [^\"]*\" 5\d\d ")


@dataclass
class Service:
    base: str
    data_dir: Path
    log: Path
    users: dict[str, Login]
    checked: int = 0  # bytes of the log already checked
    apis: list[Api] = field(default_factory=list)

    def api(self, role: str | None) -> Api:
        """A client with `role`'s API token (None: nobody signed in)."""
        a = Api(self.base, self.users[role].token if role else None)
        self.apis.append(a)
        return a

    def new_log_lines(self) -> list[str]:
        with self.log.open("rb") as f:
            f.seek(self.checked)
            chunk = f.read()
        self.checked += len(chunk)
        return chunk.decode("utf-8", "replace").splitlines()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh_pg_database() -> str:
    """DOCSVC_TEST_DATABASE_URL's server, database `docsvc_e2e` dropped and created again."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {E2E_DATABASE} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {E2E_DATABASE}"))
    admin.dispose()
    return url.set(database=E2E_DATABASE).render_as_string(hide_password=False)


def _run(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    r = subprocess.run(
        [str(DOCSVC), *args], env=env, input=stdin, capture_output=True, text=True, timeout=300
    )
    assert r.returncode == 0, f"docsvc {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}"
    return r.stdout


def _wait_until_up(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"docsvc serve exited ({proc.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    raise AssertionError(f"docsvc serve did not answer within 120 s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("e2e")
    data = root / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCSVC_")}
    env["DOCSVC_DATA_DIR"] = str(data)
    # gunicorn's control socket goes to XDG_RUNTIME_DIR: one of our own, so that another
    # server on this machine (the other lane, a demo) cannot collide with this one.
    (root / "run").mkdir()
    env["XDG_RUNTIME_DIR"] = str(root / "run")
    if PG_URL:
        env["DOCSVC_DATABASE_URL"] = _fresh_pg_database()
    _run(["init"], env)
    users: dict[str, Login] = {}
    for role, display, badge in (
        ("officer", "Dana Whitfield", "2231"),
        ("records", "Lee Okafor", None),
        ("attorney", "Sam Reyes", None),
    ):
        name = f"e2e-{role}"
        password = secrets.token_urlsafe(18)
        args = ["user", "create", name, "--role", role, "--display-name", display]
        args += ["--badge", badge] if badge else []
        out = _run([*args, "--password-stdin"], env, stdin=password + "\n")
        users[role] = Login(name, password, out.strip().splitlines()[-1], display)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = root / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(DOCSVC), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_up(base, proc, log)
        yield Service(base, data, log, users)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise AssertionError(f"docsvc serve ignored SIGTERM for 60 s; log at {log}") from None


@pytest.fixture
def server(service: Service) -> Iterator[Service]:
    """The running service, checked after the scenario: no 5xx answered to the API, no error
    line or traceback in its log (gunicorn's, the app's and the background worker's)."""
    service.new_log_lines()  # what came before is the previous scenario's
    service.apis.clear()
    yield service
    problems = [e for a in service.apis for e in a.server_errors]
    time.sleep(0.5)  # the last request's log line
    bad = [line for line in service.new_log_lines() if BAD_LINE.search(line)]
    assert not problems and not bad, (
        "the server failed during the scenario:\n"
        + "\n".join(problems)
        + "\n--- server log ---\n"
        + "\n".join(bad)
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


FAILED = pytest.StashKey[bool]()
EVIDENCE = Path(__file__).resolve().parents[2] / "build" / "e2e"


@pytest.fixture
def browser(server: Service, request: pytest.FixtureRequest) -> Iterator[Browser]:
    """Chromium for the scenario; fails it on any script or console error, CSP violation,
    broken asset or 5xx any of its pages met. A failed scenario leaves each page's HTML and
    screenshot in build/e2e/ (what the user saw when it went wrong)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = Browser(pw, server.base)
        try:
            yield b
        finally:
            if request.node.stash.get(FAILED, False):
                b.keep_evidence(EVIDENCE / request.node.name)
            b.close()
    assert b.errors == [], "\n".join(b.errors)
