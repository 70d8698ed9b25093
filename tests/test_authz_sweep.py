"""Every route, as every role, from each side of a jurisdiction line, against one table.

One world is built once for the module: in each of two jurisdictions (A, B) a case file with
parties, violations, photos and an issued notice, a lien, a legal hold, a court bundle, a
records request prepared for review, and an old case destroyed by a disposition run of that
jurisdiction alone (its job and certificate). The callers are the public and one user of each
role limited to A. Every rule of the URL map is called with its path variables taken from A's
objects and from B's, and the answer is checked against `docsvc/auth/routes.py`:

- the public: 401 (a page sends it to sign in);
- a role without the route's permission: 403;
- a record of B (the route is jurisdiction-scoped): 404, as if it did not exist;
- otherwise a page or a read answers (2xx/3xx, or 4xx for a missing query: never 401/403/404).

A write (POST, PUT, PATCH, DELETE) is sent only by those who must be refused, and must change
nothing (the audit log and the key tables stay as they were). Its body is empty: a write the
schema refuses before the record is loaded (422, 415) is refused as well, and tells nothing about
the record, so 422 also counts as refused for a record across the line.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, text

from docsvc import wiring
from docsvc.app import create_app
from docsvc.auth.credentials import create_user, issue_token
from docsvc.auth.permissions import PERMISSIONS, allowed
from docsvc.auth.routes import ROUTES
from docsvc.config import Settings
from docsvc.documents.env import Env
from docsvc.models import AuditEvent, Case, Lien
from docsvc.reports import catalog as report_catalog
from docsvc.store import FileStore
from docsvc.timeutil import clock_at, utcnow
from docsvc.worker import drain
from tests import helpers
from tests.conftest import complaint_case
from tests.documents_helpers import build_case, issue
from tests.retention_helpers import ADOPTED

A = "los-gatos-ca"
B = "tom-bean-tx"
ROLES = ("officer", "records", "attorney", "admin")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Tables whose rows a refused write must leave as they were (with the audit log's head).
WATCHED = (
    "cases", "parties", "violations", "inspections", "attachments", "documents", "liens",
    "holds", "hold_scopes", "disposition_items", "disposition_runs", "jobs", "bundles",
    "disclosure_requests", "redactions", "releases", "ledger_entries", "citations",
    "settlements", "appeals", "outreach_activities", "properties", "vouchers",
    "service_records", "return_receipts", "scan_findings", "disclosure_exceptions",
)  # fmt: skip


@dataclass
class Caller:
    role: str | None  # None: the public
    user_id: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    browser: Any = None
    csrf: str = ""
    username: str = ""
    password: str = ""

    @property
    def name(self) -> str:
        return self.role or "public"


@dataclass
class World:
    app: Flask
    database: Any
    callers: list[Caller]
    # Per jurisdiction, each path variable's value.
    values: dict[str, dict[str, Any]]


def _user(database: Any, role: str, jurisdictions: list[str] | None, password: bool) -> Caller:
    with database.session() as s:
        n = secrets.token_hex(3)
        pw = f"pw-{role}-{n}-long-enough"
        u = create_user(
            s, f"{role}-{n}", role, display_name=f"{role.title()} {n}", badge="1047",
            password=pw if password else None, jurisdictions=jurisdictions,
        )  # fmt: skip
        token = issue_token(s, u)
        s.commit()
        return Caller(role, u.id, {"Authorization": f"Bearer {token}"}, username=u.username,
                      password=pw)  # fmt: skip


def _sign_in(app: Flask, caller: Caller) -> None:
    browser = app.test_client()
    token = helpers.csrf(browser.get("/login").data)
    if caller.role is not None:
        form = {"username": caller.username, "password": caller.password, "csrf_token": token}
        r = browser.post("/login", data=form)
        assert r.status_code == 302, f"{caller.username} could not sign in"
        token = helpers.csrf(browser.get("/login").data)
    caller.browser, caller.csrf = browser, token


def ok(r: Any, status: int = 201) -> Any:
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[:300])
    return r.json


def _disposition(client: Any, database: Any, work: Any, staff: dict[str, Caller]) -> None:
    """An old case in each jurisdiction, destroyed by a run of that jurisdiction's records."""
    with clock_at(datetime.fromisoformat("2021-03-10T10:00:00-08:00")):
        for code, address in ((A, "9 Quarry Road"), (B, "9 Ranch Road")):
            number = ok(
                client.post(
                    "/api/cases",
                    headers=staff["officer"].headers,
                    json=complaint_case(jurisdiction=code, address=address),
                )
            )["case_number"]
            ok(
                client.post(
                    f"/api/cases/{number}/close",
                    headers=staff["officer"].headers,
                    json={"reason": "voluntary_compliance", "resolution": "Cleared."},
                ),
                200,
            )
    ok(
        client.post(
            "/api/retention/propose", headers=staff["records"].headers, json={"as_of": "2026-11-22"}
        ),
        200,
    )
    ids = [
        i["id"] for i in client.get("/api/retention/queue", headers=staff["records"].headers).json
    ]
    assert len(ids) == 2, ids
    for role in ("records", "attorney"):
        ok(
            client.post("/api/retention/approve", headers=staff[role].headers, json={"ids": ids}),
            200,
        )


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, make_settings: Callable[[Path], Settings]
) -> Iterator[World]:
    wiring.install()
    settings = make_settings(tmp_path_factory.mktemp("authz"))
    for code in (A, B):
        path = settings.data_dir / "retention" / f"{code}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ADOPTED.replace(A, code), encoding="utf-8")
    app = create_app(settings)
    database = app.extensions["docsvc.db"]
    client = app.test_client()

    def work() -> None:
        drain(database, Env(FileStore(settings.store_dir), settings))

    staff = {role: _user(database, role, None, False) for role in ROLES}
    limited = {
        (role, code): _user(database, role, [code], code == A) for role in ROLES for code in (A, B)
    }
    values: dict[str, dict[str, Any]] = {A: {}, B: {}}
    with clock_at(datetime.fromisoformat("2026-11-22T09:00:00-08:00")):
        _disposition(client, database, work, staff)
        for code in (A, B):
            v = values[code]
            # The run of this jurisdiction alone, by its own records clerk.
            job = ok(
                client.post(
                    "/api/retention/execute",
                    headers=limited[("records", code)].headers,
                    json={"as_of": "2026-11-22"},
                ),
                202,
            )["id"]
            work()
            run = client.get(f"/api/retention/jobs/{job}", headers=staff["records"].headers).json
            assert run["run"] and run["run"]["destroyed"] == 1, run
            v["job_id"], v["run_id"] = job, run["run"]["id"]
    with clock_at(datetime.fromisoformat("2026-11-22T10:00:00-08:00")):
        h = staff["officer"].headers
        for code in (A, B):
            v = values[code]
            built = build_case(client, h, code)
            v["case_number"] = built.case
            v["violation_id"] = built.violations[0]
            v["attachment_id"] = built.photo
            doc = issue(client, h, built, "notice_of_violation")
            v["document_id"] = v["doc_id"] = doc["id"]
            with database.session() as s:
                case = s.scalar(select(Case).where(Case.case_number == built.case))
                lien = Lien(
                    case_id=case.id, property_id=case.property_id, amount=500,
                    status="recorded", recorded_on=date(2026, 11, 20),
                    recording_number=f"2026-{code}", created_by_id=staff["officer"].user_id,
                    created_at=utcnow(),
                )  # fmt: skip
                s.add(lien)
                s.commit()
                v["lien_id"] = lien.id
            v["bundle_id"] = ok(
                client.post(
                    f"/api/cases/{built.case}/bundles", headers=staff["attorney"].headers, json={}
                ),
                202,
            )["id"]
            body = {
                "jurisdiction": code,
                "requester": {"name": "Pat Reporter", "email": "pat@news.example"},
                "received_at": "2026-11-20T10:00:00-08:00",
                "description": "All records about the property",
                "case_numbers": [built.case],
            }
            v["request_id"] = ok(
                client.post("/api/disclosures", headers=staff["records"].headers, json=body)
            )["id"]
        work()  # bundles built, requests prepared
        for code in (A, B):
            v = values[code]
            detail = client.get(
                f"/api/disclosures/{v['request_id']}", headers=staff["records"].headers
            ).json
            assert detail["status"] == "review", detail["status"]
            v["item_id"] = next(i["id"] for i in detail["items"] if i["pages"])
            exceptions = detail.get("exceptions") or []
            v["exception_id"] = exceptions[0]["id"] if exceptions else 999_999
            bundle = client.get(
                f"/api/bundles/{v['bundle_id']}", headers=staff["attorney"].headers
            ).json
            assert bundle["status"] == "done", bundle
            ok(
                client.post(
                    f"/api/bundles/{v['bundle_id']}/certify",
                    headers=staff["records"].headers,
                    json={},
                ),
                200,
            )
            # A's request released (B's, in Texas, would first need the Attorney General's
            # ruling; from A a B record is not found whatever its state).
            if code == A:
                ok(
                    client.post(
                        f"/api/disclosures/{v['request_id']}/release",
                        headers=staff["records"].headers,
                        json={"accept_proposed_redactions": True},
                    )
                )
            # Placed last: a hold freezes what its case holds.
            v["hold_id"] = ok(
                client.post(
                    "/api/holds",
                    headers=staff["attorney"].headers,
                    json={
                        "matter": f"Claim {code}",
                        "reason": "Suit",
                        "case_numbers": [v["case_number"]],
                    },
                )
            )["id"]
    callers = [Caller(None), *(limited[(role, A)] for role in ROLES)]
    for caller in callers:
        _sign_in(app, caller)
    yield World(app, database, callers, values)
    database.dispose()


# Values shared by both sides: not records of a jurisdiction.
COMMON: dict[str, Any] = {
    "variant": "original",
    "fmt": "pdf",
    "number": 1,
    "page": 1,
    "token": "no-such-token",
    "code": A,
    "name": next(iter(report_catalog.REPORTS)),
    "filename": "style.css",
    # Not seeded in either jurisdiction: only the public's and the roles' refusals are swept.
    "finding_id": 999_999,
    "citation_id": 999_999,
    "settlement_id": 999_999,
    "appeal_id": 999_999,
    "area_id": 999_999,
    "permit_id": 999_999,
    "extension_id": 999_999,
}


@dataclass(frozen=True)
class Cell:
    endpoint: str
    rule: str
    method: str
    side: str  # the jurisdiction whose records fill the address


def _cells() -> list[Cell]:
    """Built from the URL map without the world (a throwaway app) so pytest can name them."""
    out = []
    for rule in _rules():
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        sides = (A, B) if ROUTES.get(rule.endpoint, ROUTES["static"]).scoped else (A,)
        for method in methods:
            for side in sides:
                out.append(Cell(rule.endpoint, rule.rule, method, side))
    return out


_RULES: list[Any] = []


def _rules() -> list[Any]:
    if not _RULES:
        app = create_app(
            Settings(data_dir=Path("/nonexistent"), database_url="sqlite://", secret_key="k" * 32)
        )
        _RULES.extend(
            r
            for r in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
            if r.endpoint != "static"
        )
    return _RULES


def test_every_route_is_in_the_table() -> None:
    endpoints = {r.endpoint for r in _rules()}
    missing = sorted(endpoints - set(ROUTES))
    assert not missing, f"routes with no entry in docsvc/auth/routes.py: {missing}"
    stale = sorted(set(ROUTES) - endpoints - {"static"})
    assert not stale, f"entries for routes that no longer exist: {stale}"
    unknown = sorted(
        e for e, r in ROUTES.items() if r.permission is not None and r.permission not in PERMISSIONS
    )
    assert not unknown, f"permissions not in the roles table: {unknown}"


def expected(route: Any, caller: Caller, side: str) -> str:
    """What the table says a caller gets: 'open' (a public route), 'public' (refused to the
    public), 'forbidden', 'not found' or 'answer'."""
    if route.permission is None:
        return "open"
    if caller.role is None:
        return "public"
    if not allowed(caller.role, route.permission):
        return "forbidden"
    if route.scoped and side != A:
        return "not found"
    return "answer"


def fingerprint(database: Any) -> tuple[int, ...]:
    counts = ", ".join(f"(SELECT count(*) FROM {t})" for t in WATCHED)
    with database.session() as s:
        seq = s.scalar(select(func.max(AuditEvent.seq))) or 0
        return (seq, *s.execute(text(f"SELECT {counts}")).one())


# Records the world does not hold (no ruling was asked of the court, so there is no letter):
# a caller let through hears that it does not exist; the refusals are swept all the same.
ABSENT = {"disclosure.ruling_letter", "ui.disclosure.disclosure_ruling_letter"}


def judge(want: str, status: int, location: str, page: bool, write: bool) -> str | None:
    """None if `status` is what `want` allows, else what is wrong."""
    to_login = page and status in (302, 303) and "/login" in location
    if status >= 500:
        return f"server error {status}"
    if want == "open":
        return None
    if want == "public":
        return None if status == 401 or to_login else f"{status}, not 401 for the public"
    if want == "forbidden":
        return None if status == 403 else f"{status}, not 403 for a role without the permission"
    if want == "not found":
        if status == 404 or (write and status in (415, 422)):
            return None
        return f"{status}, not 404 for a record in another jurisdiction"
    if status in (401, 403, 404) or to_login:
        return f"{status} for a caller the table lets through"
    return None


@pytest.mark.parametrize(
    "cell", _cells(), ids=lambda c: f"{c.method} {c.endpoint} {'B' if c.side == B else 'A'}"
)
def test_route(world: World, cell: Cell) -> None:
    route = ROUTES[cell.endpoint]
    page = cell.endpoint.startswith("ui.")
    write = cell.method in WRITES
    rule = next(r for r in world.app.url_map.iter_rules(cell.endpoint) if r.rule == cell.rule)
    values = {**COMMON, **world.values[cell.side]}
    if "code" in rule.arguments:
        values["code"] = cell.side
    missing = [a for a in rule.arguments if values.get(a) is None]
    assert not missing, f"the world has no value for {missing}"
    adapter = world.app.url_map.bind("localhost")
    path = adapter.build(cell.endpoint, {a: values[a] for a in rule.arguments}, method=cell.method)
    api = world.app.test_client(use_cookies=False)
    problems = []
    for caller in world.callers:
        want = expected(route, caller, cell.side)
        if write and want in ("answer", "open"):
            continue  # writes are swept for refusals only
        before = fingerprint(world.database) if write else None
        if page:
            form = {"csrf_token": caller.csrf, "submission": secrets.token_urlsafe(16)}
            resp = caller.browser.open(path, method=cell.method, data=form if write else None)
        else:
            resp = api.open(
                path, method=cell.method, headers=caller.headers, json={} if write else None
            )
        status, location = resp.status_code, resp.headers.get("Location", "")
        resp.close()
        wrong = judge(want, status, location, page, write)
        if wrong and want == "answer" and status == 404 and cell.endpoint in ABSENT:
            wrong = None
        if wrong:
            problems.append(f"{caller.name}: {wrong}")
        if write and fingerprint(world.database) != before:
            problems.append(f"{caller.name}: answered {status} but changed something")
    assert not problems, f"{cell.method} {path}:\n" + "\n".join(problems)
