"""Fixtures: a fresh, migrated database and data directory for every test.

The database lane is chosen by DOCSVC_TEST_DATABASE_URL: unset, each test gets a copy of a
migrated SQLite template; set to a PostgreSQL URL, tests share that server and every table
is truncated and re-seeded before each test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from docsvc import wiring
from docsvc.app import create_app
from docsvc.audit import GENESIS
from docsvc.audit.keys import AuditKey, KeyRing
from docsvc.bootstrap import initialize
from docsvc.config import Settings
from docsvc.db import Database
from docsvc.models import Base
from tests import helpers

PG_URL = os.environ.get("DOCSVC_TEST_DATABASE_URL", "")
# The S3 protocol server scripts/test starts beside PostgreSQL (scripts/s3-server.sh).
S3_ENDPOINT = os.environ.get("DOCSVC_TEST_S3_ENDPOINT", "")
# The PostgreSQL lane's tables outlive each test's data directory: one audit key for them all.
PG_AUDIT_KEYS = KeyRing((AuditKey("k1", 1, GENESIS, b"a" * 32),)).text()
wiring.install()  # the test process starts here, as the app and the command line do


def pytest_report_header() -> str:
    s3 = f", S3 server at {S3_ENDPOINT}" if S3_ENDPOINT else ""
    return f"docsvc database lane: {'postgresql' if PG_URL else 'sqlite'}{s3}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Chromium and a served instance cost seconds per test: browser and e2e tests are slow
    too, so the fast lane (-m "not slow") leaves them out without naming them."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    if PG_URL:
        return None
    root = tmp_path_factory.mktemp("template")
    settings = Settings(
        data_dir=root, database_url=f"sqlite:///{root / 'db.sqlite3'}", secret_key="t" * 32
    )
    initialize(settings)
    return root / "db.sqlite3"


@pytest.fixture(scope="session")
def pg_ready() -> bool:
    if not PG_URL:
        return False
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return True


def _truncate_pg() -> None:
    engine = create_engine(PG_URL)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def build_settings(root: Path, sqlite_template: Path | None) -> Settings:
    """A data directory under `root` as the service makes it, on the lane's database: a copy of
    the SQLite template (with the audit key that authenticated its events), or PostgreSQL
    emptied and initialised again."""
    data = root / "data"
    data.mkdir(mode=0o700)  # as the service makes it: verify reports anything looser
    if PG_URL:
        url = PG_URL
        (data / "audit_keys").write_text(PG_AUDIT_KEYS)
        (data / "audit_keys").chmod(0o600)
    else:
        assert sqlite_template is not None
        shutil.copy(sqlite_template, data / "docsvc.sqlite3")
        (data / "docsvc.sqlite3").chmod(0o600)
        shutil.copy(sqlite_template.parent / "audit_keys", data / "audit_keys")
        url = f"sqlite:///{data / 'docsvc.sqlite3'}"
    s = Settings(
        data_dir=data,
        database_url=url,
        secret_key="s" * 32,
        testing=True,
        max_upload_bytes=5 * 1024 * 1024,
        max_image_pixels=40_000_000,
    )
    if PG_URL:
        initialize(s)  # migrations are a no-op after the first test
        _truncate_pg()
        initialize(s)  # audit head and profiles again, into the emptied tables
    return s


@pytest.fixture(scope="session")
def make_settings(sqlite_template: Path | None, pg_ready: bool) -> Callable[[Path], Settings]:
    """`build_settings` for fixtures wider than one test (a module's shared world)."""
    return lambda root: build_settings(root, sqlite_template)


@pytest.fixture
def settings(tmp_path: Path, make_settings: Callable[[Path], Settings]) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def s3_bucket() -> str:
    """A versioned bucket on the lane's S3 server (DOCSVC_TEST_S3_ENDPOINT, set by scripts/test
    in the PostgreSQL lane); the test skips where no server was started (the SQLite lane)."""
    if not S3_ENDPOINT:
        pytest.skip("no S3 server in this lane (scripts/test starts one in the PostgreSQL lane)")
    os.environ.setdefault("AWS_ENDPOINT_URL", S3_ENDPOINT)
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "docsvc-test"),
        ("AWS_SECRET_ACCESS_KEY", "docsvc-test"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        os.environ.setdefault(name, value)
    import boto3

    bucket = f"docsvc-test-{os.getpid()}"
    client = boto3.client("s3", endpoint_url=S3_ENDPOINT)
    client.create_bucket(Bucket=bucket)
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


@pytest.fixture
def s3_url(s3_bucket: str) -> str:
    """A fresh s3://bucket/prefix of the lane's S3 server, the test's own."""
    import uuid

    return f"s3://{s3_bucket}/t-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def app(settings: Settings):
    application = create_app(settings)
    yield application
    application.extensions["docsvc.db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def database(app) -> Database:
    return app.extensions["docsvc.db"]


@dataclass
class Staff:
    id: int
    username: str
    role: str
    token: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def make_user(database: Database) -> Callable[..., Staff]:
    from docsvc.auth.credentials import create_user, issue_token

    counter = iter(range(1, 10_000))

    def make(
        role: str,
        *,
        jurisdictions: list[str] | None = None,
        badge: str | None = "1047",
        with_password: bool = False,
    ) -> Staff:
        # A browser password costs a deliberately slow scrypt hash: only when a test logs in.
        n = next(counter)
        username = f"{role}{n}"
        password = f"pw-{role}-{n}-long-enough"
        with database.session() as s:
            u = create_user(
                s,
                username,
                role,
                display_name=f"{role.title()} {n}",
                badge=badge,
                password=password if with_password else None,
                jurisdictions=jurisdictions,
            )
            token = issue_token(s, u)
            s.commit()
            return Staff(u.id, username, role, token, password)

    return make


@pytest.fixture
def officer(make_user) -> Staff:
    return make_user("officer")


@pytest.fixture
def records(make_user) -> Staff:
    return make_user("records")


@pytest.fixture
def attorney(make_user) -> Staff:
    return make_user("attorney")


@pytest.fixture
def admin(make_user) -> Staff:
    return make_user("admin")


def complaint_case(
    jurisdiction: str = "los-gatos-ca", address: str = "1418 Elm Street", **complaint: object
) -> dict:
    """A valid intake body for any of the four profiles (written, identified complainant)."""
    body = {
        "received_at": "2026-11-16T09:30:00-08:00",
        "channel": "web",
        "description": "Tall weeds and an old couch in the front yard.",
        "anonymous": False,
        "complainant": {
            "name": "Maria O'Brien-Nguyễn",
            "phone": "(408) 555-0142",
            "email": "maria@example.org",
            "address": "1420 Elm Street",
        },
        "disclosure_preference": "nondisclosure",
    }
    # A type of complaint where the profile asks for one (Tom Bean VI.A.4, Los Gatos V.a.iv).
    if jurisdiction in COMPLAINT_TYPES:
        body["complaint_type"] = COMPLAINT_TYPES[jurisdiction]
    body.update(complaint)
    return {"jurisdiction": jurisdiction, "property": {"address": address}, "complaint": body}


COMPLAINT_TYPES = {"los-gatos-ca": "property-maintenance", "tom-bean-tx": "nuisance"}


@pytest.fixture
def open_case(client, officer) -> Callable[..., dict]:
    def make(**kw: object) -> dict:
        r = client.post("/api/cases", json=complaint_case(**kw), headers=officer.headers)
        assert r.status_code == 201, r.json
        return r.json

    return make


@pytest.fixture
def work(database: Database, settings: Settings) -> Callable[[], int]:
    """Run the background worker's jobs until the queue is empty; how many it did."""
    from docsvc.documents.env import Env
    from docsvc.store import open_store
    from docsvc.worker import drain

    return lambda: drain(database, Env(open_store(settings), settings))


@pytest.fixture
def count_rows(database: Database) -> Callable[[str], int]:
    def count(table: str) -> int:
        with database.session() as s:
            return s.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()

    return count


def store_files(settings: Settings) -> set[str]:
    objects = settings.store_dir / "objects"
    return {p.name for p in objects.glob("*/*/*")} if objects.exists() else set()


@pytest.fixture
def run_cli(settings: Settings) -> Iterator[Callable[..., object]]:
    from click.testing import CliRunner

    from docsvc.cli import main

    runner = CliRunner()
    env = {
        "DOCSVC_DATA_DIR": str(settings.data_dir),
        "DOCSVC_DATABASE_URL": settings.database_url,
        "DOCSVC_SECRET_KEY": settings.secret_key,
    }

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), env=env, input=input, catch_exceptions=False)

    yield run


@pytest.fixture
def clock():
    """Pin the service's clock: `clock("2030-11-20T09:00:00-06:00")` returns a function
    that moves it on by a timedelta."""
    from datetime import datetime

    from docsvc.timeutil import clock_at

    stack = []

    def set_to(iso: str):
        cm = clock_at(datetime.fromisoformat(iso))
        stack.append(cm)
        return cm.__enter__()

    yield set_to
    while stack:
        stack.pop().__exit__(None, None, None)


@pytest.fixture
def signed_in(client, make_user):
    def sign_in(role: str = "officer"):
        user = make_user(role, with_password=True)
        token = helpers.csrf(client.get("/login").data)
        r = client.post(
            "/login",
            data={"username": user.username, "password": user.password, "csrf_token": token},
        )
        assert r.status_code == 302
        return user

    return sign_in
