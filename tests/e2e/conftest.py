"""The service as deployed, for the scenarios: `docsvc init`, `docsvc user create`, then
`docsvc serve` (gunicorn workers and the background worker) as subprocesses on a free port,
with everything they print captured to a log that each scenario is checked against.

On the PostgreSQL lane (DOCSVC_TEST_DATABASE_URL set) the server gets a database of its own on
the same PostgreSQL server, dropped and created afresh: the in-process tests truncate theirs.

With an S3 server too (DOCSVC_TEST_S3_ENDPOINT, CI's PostgreSQL lane), the service is two nodes,
as a city deploys it on several machines: two `docsvc serve` (each with its background worker),
each with a data directory of its own, sharing only what nodes share (the database, a bucket,
DOCSVC_SECRET_KEY and DOCSVC_AUDIT_KEY), behind a round-robin proxy (balancer.py) that sends
each request to the other node. State one node kept to itself would fail a scenario.
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

from tests.e2e.balancer import Balancer
from tests.e2e.browser import Browser
from tests.e2e.client import Api, Login

PG_URL = os.environ.get("DOCSVC_TEST_DATABASE_URL", "")
S3_ENDPOINT = os.environ.get("DOCSVC_TEST_S3_ENDPOINT", "")
NODES = 2 if PG_URL and S3_ENDPOINT else 1
# The operator's configuration under each node's data directory (adopted retention schedules,
# certification rules, a jurisdiction's templates and seal): files an operator installs on
# every node alike. The nodes' own copies are one directory here, so that a scenario adopting
# a schedule adopts it on both; everything else in a data directory stays the node's own.
OPERATOR_CONFIG = ("retention", "records", "jurisdictions")
DOCSVC = Path(sys.executable).with_name("docsvc")
# What the server's log must never show: a logged error, a traceback, a 5xx in the access log
# (format '%(h)s "%(m)s %(U)s" %(s)s ...', docsvc/serve.py).
BAD_LINE = re.compile(r"\bERROR\b|Traceback|^\S+ \"[A-Z]+ [^\"]*\" 5\d\d ")


@dataclass
class Service:
    base: str
    data_dir: Path  # the first node's
    logs: list[Path]  # each node's
    users: dict[str, Login]
    checked: dict[Path, int] = field(default_factory=dict)  # bytes of each log already checked
    apis: list[Api] = field(default_factory=list)
    balancer: Balancer | None = None

    def api(self, role: str | None) -> Api:
        """A client with `role`'s API token (None: nobody signed in)."""
        a = Api(self.base, self.users[role].token if role else None)
        self.apis.append(a)
        return a

    def new_log_lines(self) -> list[str]:
        """What every node logged since the last call."""
        lines: list[str] = []
        for log in self.logs:
            with log.open("rb") as f:
                f.seek(self.checked.get(log, 0))
                chunk = f.read()
            self.checked[log] = self.checked.get(log, 0) + len(chunk)
            lines += chunk.decode("utf-8", "replace").splitlines()
        return lines


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh_pg_database(name: str) -> str:
    """DOCSVC_TEST_DATABASE_URL's server, database `docsvc_<name>` dropped and created again."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url, database = make_url(PG_URL), f"docsvc_{name}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {database}"))
    admin.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


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


def _fresh_bucket(name: str) -> str:
    """The bucket `docsvc-<name>` on DOCSVC_TEST_S3_ENDPOINT, emptied (every version), versioned as
    a city's bucket is; the store URL under it."""
    import boto3

    s3 = boto3.resource("s3", endpoint_url=S3_ENDPOINT, **_S3_CREDENTIALS)
    bucket = s3.Bucket(f"docsvc-{name}")
    if bucket.creation_date is None:
        bucket.create()
    bucket.object_versions.delete()
    bucket.Versioning().enable()
    return f"s3://{bucket.name}/city"


_S3_CREDENTIALS = {
    "aws_access_key_id": "test",
    "aws_secret_access_key": "test",
    "region_name": "us-east-1",
}


def _start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(DOCSVC), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(proc: subprocess.Popen[bytes], log: Path) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise AssertionError(f"docsvc serve ignored SIGTERM for 60 s; log at {log}") from None


@dataclass
class Node:
    name: str
    env: dict[str, str]
    data_dir: Path
    port: int
    log: Path
    proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.proc = _start(self.env, self.port, self.log)
        _wait_until_up(self.base, self.proc, self.log)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            _stop(self.proc, self.log)


def shared_env(name: str) -> dict[str, str]:
    """The environment every node has alike: the database (PostgreSQL: a fresh one named for
    `name`), and with an S3 server the bucket (fresh, named for `name`), its endpoint and test
    credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOCSVC_", "AWS_"))}
    if PG_URL:
        env["DOCSVC_DATABASE_URL"] = _fresh_pg_database(name)
    if S3_ENDPOINT:
        env["DOCSVC_STORE_URL"] = _fresh_bucket(name)
        env["AWS_ENDPOINT_URL"] = S3_ENDPOINT
        env["AWS_ACCESS_KEY_ID"] = _S3_CREDENTIALS["aws_access_key_id"]
        env["AWS_SECRET_ACCESS_KEY"] = _S3_CREDENTIALS["aws_secret_access_key"]
        env["AWS_DEFAULT_REGION"] = _S3_CREDENTIALS["region_name"]
    return env


def make_nodes(
    root: Path, count: int, name: str = "e2e", extra: dict[str, str] | None = None
) -> list[Node]:
    """`docsvc init` once, then `count` nodes (not started) on free ports. One node keeps the
    data directory `init` made; several get each their own, empty, and share the secret key and
    the audit keys `init` made through DOCSVC_SECRET_KEY and DOCSVC_AUDIT_KEY, as docs/AUDIT.md
    tells a city to."""
    env = shared_env(name) | (extra or {})
    # gunicorn's control socket goes to XDG_RUNTIME_DIR: one of our own, so that another
    # server on this machine (the other lane, a demo) cannot collide with this one.
    (root / "run").mkdir()
    env["XDG_RUNTIME_DIR"] = str(root / "run")
    first = root / ("data" if count == 1 else "init")
    _run(["init"], env | {"DOCSVC_DATA_DIR": str(first)})  # once: the database is shared
    if count == 1:
        return [Node("node-a", env | {"DOCSVC_DATA_DIR": str(first)}, first, _free_port(),
                     root / "server.log")]  # fmt: skip
    env["DOCSVC_SECRET_KEY"] = (first / "secret_key").read_text().strip()
    env["DOCSVC_AUDIT_KEY"] = (first / "audit_keys").read_text()
    config = root / "operator-config"
    nodes = []
    for i in range(count):
        node = f"node-{'ab'[i]}"
        data, run = root / node, root / f"run-{node}"
        data.mkdir(mode=0o700)
        run.mkdir()  # its own control socket too: two masters on one machine
        for sub in OPERATOR_CONFIG:
            (config / sub).mkdir(parents=True, exist_ok=True)
            (data / sub).symlink_to(config / sub)
        own = {"DOCSVC_DATA_DIR": str(data), "XDG_RUNTIME_DIR": str(run)}
        nodes.append(Node(node, env | own, data, _free_port(), root / f"{node}.log"))
    return nodes


def create_users(env: dict[str, str]) -> dict[str, Login]:
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
    return users


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    root = tmp_path_factory.mktemp("e2e")
    nodes = make_nodes(root, NODES)
    users = create_users(nodes[0].env)
    balancer = None
    try:
        for node in nodes:
            node.start()
        if len(nodes) > 1:
            balancer = Balancer([f"127.0.0.1:{n.port}" for n in nodes]).start()
        base = balancer.base if balancer else nodes[0].base
        yield Service(base, nodes[0].data_dir, [n.log for n in nodes], users, balancer=balancer)
    finally:
        if balancer is not None:
            balancer.stop()
        for node in nodes:
            node.stop()
    if balancer is not None:
        # Each node served its share: the scenarios ran on both, not on one that answered all.
        shares = balancer.shares()
        assert all(share > 0.25 for share in shares.values()), (balancer.counts, shares)
        assert balancer.failures == [], balancer.failures


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
