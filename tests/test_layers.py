"""The layering ARCHITECTURE.md describes, where a test can see it: one scope rule for what a
user may see, session listeners installed before any database opens, the public surface apart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from docsvc.auth import permissions
from docsvc.auth.scope import in_sight, scope, visible, visible_jurisdictions, within
from docsvc.errors import NotFound
from docsvc.models import AuditEvent, Case, Jurisdiction, User

ROOT = Path(__file__).resolve().parents[1]
LG, TB = "los-gatos-ca", "tom-bean-tx"


def _user(jurisdictions: list[str] | None) -> User:
    return User(username="u", role="officer", jurisdictions=jurisdictions)


def test_scope_is_one_rule_for_one_jurisdiction_and_a_list() -> None:
    everywhere, here = _user(None), _user([LG])
    assert visible(everywhere, TB) and visible(here, LG) and not visible(here, TB)
    assert scope(everywhere) is None and scope(here) == [LG]
    assert scope(everywhere, TB) == [TB] and scope(here, TB) == [] and scope(here, LG) == [LG]
    try:
        in_sight(here, TB, "no case TB-1.")
    except NotFound as exc:
        assert exc.message == "no case TB-1."
    else:
        raise AssertionError("a jurisdiction out of sight must read as not found")


def test_within_filters_rows_as_visible_does(open_case, database) -> None:
    cases = {open_case(jurisdiction=code)["case_number"]: code for code in (LG, TB)}
    with database.session() as s:
        for who in (_user(None), _user([LG]), _user([TB]), _user([])):
            for wanted in (None, LG, TB):
                stmt = select(Case.case_number).where(within(who, Case.jurisdiction_code, wanted))
                codes = scope(who, wanted)
                expected = {n for n, code in cases.items() if codes is None or code in codes}
                assert set(s.scalars(stmt)) == expected, (who.jurisdictions, wanted)


def test_visible_jurisdictions_are_the_ones_visible_allows_by_name(database) -> None:
    with database.session() as s:
        every = list(s.scalars(select(Jurisdiction).order_by(Jurisdiction.name)))
        assert {LG, TB} <= {j.code for j in every}
        for who in (_user(None), _user([LG]), _user([TB, LG]), _user([])):
            shown = [j.code for j in visible_jurisdictions(s, who)]
            assert shown == [j.code for j in every if visible(who, j.code)], who.jurisdictions
        names = [j.name for j in visible_jurisdictions(s, _user([TB, LG]))]
        assert len(names) == 2 and names == sorted(names)


def test_no_database_opens_before_the_session_listeners_are_installed() -> None:
    """A process that forgot docsvc.wiring.install() would let held records change and the
    index fall behind: opening the database is refused instead."""
    code = "from docsvc.db import Database\nDatabase('sqlite://')"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0 and "wiring.install()" in r.stderr
    code = "from docsvc import wiring\nfrom docsvc.db import Database\nwiring.install()\nDatabase('sqlite://')"
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_the_public_release_route_is_its_own_small_module(app) -> None:
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/public/")]
    assert sorted((r.rule, r.endpoint) for r in rules) == [
        ("/public/releases/<token>", "public.release"),  # the ZIP, or for a browser its page
        ("/public/releases/<token>/files/<name>", "public.release_file"),
        ("/public/releases/<token>/package.zip", "public.release_package"),
    ]
    source = (ROOT / "docsvc" / "public.py").read_text()
    assert len(source.splitlines()) < 130


def test_the_api_shows_the_complainant_only_to_a_role_that_may_see_them(
    client, open_case, make_user, database, monkeypatch
) -> None:
    """The same rule as the case page: cases.read opens the case file, complainant.view
    (audited) shows who complained."""
    number = open_case()["case_number"]
    records = make_user("records")
    auth = {"Authorization": f"Bearer {records.token}"}
    shown = client.get(f"/api/cases/{number}", headers=auth).json
    assert shown["complaint"]["complainant"]["name"] == "Maria O'Brien-Nguyễn"

    monkeypatch.setitem(
        permissions.PERMISSIONS,
        "complainant.view",
        permissions.PERMISSIONS["complainant.view"] - {"records"},
    )
    with database.session() as s:
        before = s.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    r = client.get(f"/api/cases/{number}", headers=auth)
    assert r.status_code == 200 and r.json["case_number"] == number
    assert r.json["complaint"]["complainant"] is None
    with database.session() as s:
        views = s.scalars(
            select(AuditEvent).where(
                AuditEvent.seq > before, AuditEvent.action == "complainant.view"
            )
        ).all()
    assert views == []
