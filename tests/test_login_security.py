"""Signing in safely: throttled per account and per address, the same work for every name,
sessions ended on the server, cookies for a deployment behind TLS, CSRF tokens that expire."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing as mp
import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select, text

from docsvc.app import create_app
from docsvc.auth import credentials, throttle
from docsvc.config import load_settings
from docsvc.models import AuditEvent, Case, User
from docsvc.models.users import LoginThrottle
from tests.helpers import csrf, tokens

ADDRESS = "203.0.113.7"


def attempt(client, username: str, password: str, address: str = ADDRESS, **headers: str):
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": csrf(client.get("/login").data),
        },
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def fail(client, username: str, times: int, address: str = ADDRESS) -> list[int]:
    return [attempt(client, username, "wrong password!", address).status_code for _ in range(times)]


def lockout_rows(database) -> list[AuditEvent]:
    with database.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == "login.lockout")))


# --- throttling ---------------------------------------------------------------------------


def test_an_account_is_locked_after_five_failures_and_opens_again(client, make_user, clock):
    move = clock("2030-11-20T09:00:00-06:00")
    user = make_user("officer", with_password=True)
    assert fail(client, user.username, 4) == [401] * 4
    r = attempt(client, user.username, "wrong password!")
    assert r.status_code == 429 and r.headers["Retry-After"] == "60"
    assert b"Too many failed sign-ins for this account; try again in 1 minute." in r.data
    assert b'id="login-form"' in r.data  # the sentence stands beside the form
    # Locked: even the right password is refused, and says nothing about being right.
    r = attempt(client, user.username, user.password)
    assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 60
    move(timedelta(seconds=61))
    # One more failure after the lock doubles it.
    r = attempt(client, user.username, "wrong password!")
    assert r.status_code == 429 and r.headers["Retry-After"] == "120"
    assert b"try again in 2 minutes" in r.data
    move(timedelta(minutes=2, seconds=1))
    assert attempt(client, user.username, user.password).status_code == 302
    # Success forgot the account's count: four more mistakes are allowed before a lock.
    client.post("/logout", data={"csrf_token": csrf(client.get("/cases").data)})
    assert fail(client, user.username, 4) == [401] * 4


def test_the_lock_grows_to_at_most_half_an_hour(client, make_user, clock):
    move = clock("2030-11-20T09:00:00-06:00")
    user = make_user("officer", with_password=True)
    fail(client, user.username, 5)
    waits = []
    for _ in range(7):
        move(timedelta(minutes=31))
        waits.append(int(attempt(client, user.username, "wrong password!").headers["Retry-After"]))
    assert waits == [120, 240, 480, 960, 1800, 1800, 1800]


def _guesses(args: tuple[str, str, str, str, int, Any]) -> tuple[list[int], int]:
    """Two guesses sent at once: their statuses, and how many passwords were checked."""
    data_dir, url, secret, username, worker, barrier = args
    from pathlib import Path

    from docsvc.app import create_app
    from docsvc.config import Settings

    checked: list[int] = []
    real_check = credentials.check_password_hash
    credentials.check_password_hash = lambda h, p: checked.append(1) or real_check(h, p)
    app = create_app(Settings(data_dir=Path(data_dir), database_url=url, secret_key=secret))
    browsers = [app.test_client() for _ in range(2)]
    forms = [csrf(b.get("/login").data) for b in browsers]
    barrier.wait()  # every process sends its guesses together

    def guess(i: int) -> int:
        data = {"username": username, "password": "wrong!", "csrf_token": forms[i]}
        address = {"REMOTE_ADDR": f"192.0.2.{worker * 2 + i + 1}"}
        return browsers[i].post("/login", data=data, environ_base=address).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = list(pool.map(guess, range(2)))
    return statuses, len(checked)


@pytest.mark.slow
def test_a_burst_of_guesses_sent_at_once_is_counted_as_it_comes(settings, make_user, database):
    """Twelve guesses at once from six processes: no more than five verdicts are told. Each
    guess's password is checked outside the write lock (so sign-ins never stall other writes),
    but its verdict is recorded in turn (PostgreSQL: an advisory lock per account; SQLite: one
    writer) after the lock is looked at again: a guess that finds the lock set by then is
    answered 429 whatever its password, and is not counted. The throttle row says exactly five
    failures: a guess whose failure was told after the fifth would have made it more."""
    user = make_user("officer", with_password=True)
    ctx = mp.get_context("spawn")
    with ctx.Manager() as manager:
        barrier = manager.Barrier(6)
        args = [
            (
                str(settings.data_dir),
                settings.database_url,
                settings.secret_key,
                user.username,
                w,
                barrier,
            )
            for w in range(6)
        ]
        with ctx.Pool(6) as pool:
            batches = pool.map(_guesses, args)
    statuses = sorted(s for batch, _ in batches for s in batch)
    assert statuses == [401] * 4 + [429] * 8
    with database.read_session() as s:
        counts = s.scalars(select(LoginThrottle.failures)).all()
    # The account's row holds five failures; each address's, the one guess it sent.
    assert sorted(counts) == [1] * 5 + [5]


def test_an_address_is_throttled_across_names(client, make_user, clock):
    clock("2030-11-20T09:00:00-06:00")
    user = make_user("officer", with_password=True)
    statuses = []
    for n in range(5):  # four names apiece: no one account is locked
        statuses += fail(client, f"guess{n}", 4)
    assert statuses[:19] == [401] * 19 and statuses[19] == 429
    r = attempt(client, user.username, user.password)
    assert r.status_code == 429 and b"from this address; try again in 1 minute" in r.data
    # Another address is not held up, and the account itself was never locked.
    assert attempt(client, user.username, user.password, "198.51.100.9").status_code == 302


def test_unknown_names_are_throttled_like_real_ones(client, make_user, clock):
    clock("2030-11-20T09:00:00-06:00")
    user = make_user("officer", with_password=True)
    known = [attempt(client, user.username, "wrong password!", "192.0.2.1") for _ in range(5)]
    unknown = [attempt(client, "no-such-person", "wrong password!", "192.0.2.2") for _ in range(5)]
    assert [r.status_code for r in known] == [r.status_code for r in unknown]
    assert known[-1].headers["Retry-After"] == unknown[-1].headers["Retry-After"] == "60"
    same = [re.sub(rb'value="[^"]+"', b"", r.data) for r in (known[-1], unknown[-1])]
    assert same[0] == same[1]  # but for the form's CSRF token


def test_a_lockout_is_audited_without_the_name_or_the_address(client, make_user, database, clock):
    clock("2030-11-20T09:00:00-06:00")
    user = make_user("officer", with_password=True)
    fail(client, user.username, 5)
    fail(client, "nobody-by-this-name", 5, "192.0.2.55")
    rows = lockout_rows(database)
    assert [(r.object_type, r.actor_role) for r in rows] == [
        ("user", "system"),
        ("login_throttle", "system"),
    ]
    assert rows[0].object_id == str(user.id)
    for row in rows:
        text = json.dumps([row.object_id, row.fields, row.hashes])
        for secret in (user.username, "nobody-by-this-name", ADDRESS, "192.0.2.55", "wrong"):
            assert secret not in text
    # Nor does the throttle table keep a name typed (perhaps a password) or an address.
    with database.session() as s:
        keys = " ".join(s.scalars(select(LoginThrottle.key)))
    assert keys and user.username not in keys and "nobody" not in keys and ADDRESS not in keys


def test_old_counts_are_forgotten(client, make_user, database, clock):
    move = clock("2030-11-20T09:00:00-06:00")
    for n in range(3):
        fail(client, f"typo{n}", 1, f"192.0.2.{n + 1}")
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginThrottle)) == 6
    move(throttle.QUIET + timedelta(minutes=1))
    fail(client, "typo9", 1, "192.0.2.99")
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(LoginThrottle)) == 2


# --- the same work for every name ---------------------------------------------------------


def test_every_sign_in_does_exactly_one_scrypt_check(client, make_user, database, monkeypatch):
    made = make_user("officer", with_password=True)
    disabled = make_user("officer", with_password=True)
    no_password = make_user("officer")
    with database.session() as s:
        s.get(User, disabled.id).disabled = True
        s.commit()
    checks: list[str] = []
    generated: list[str] = []
    real_check = credentials.check_password_hash
    monkeypatch.setattr(
        credentials, "check_password_hash", lambda h, p: checks.append(p) or real_check(h, p)
    )
    monkeypatch.setattr(
        credentials, "generate_password_hash", lambda *a, **k: generated.append("x") or ""
    )
    for i, (name, password) in enumerate(
        [
            (made.username, "wrong password!"),
            ("nobody-by-this-name", "wrong password!"),
            (disabled.username, disabled.password),
            (no_password.username, "any password at all"),
            (made.username, made.password),
        ]
    ):
        checks.clear()
        r = attempt(client, name, password, f"192.0.2.{i + 1}")
        assert r.status_code == (302 if i == 4 else 401)
        assert checks == [password], name
    assert generated == []


def test_the_password_is_checked_while_others_may_write(client, make_user, database, monkeypatch):
    """The scrypt check holds no write lock: while it runs, another connection writes at once
    (on SQLite the sign-in's write transaction held the one write lock through the check, so a
    flood of sign-ins stalled every other write)."""
    made = make_user("officer", with_password=True)
    wrote: list[str] = []
    real_check = credentials.check_password_hash

    def check_while_writing(stored: str, password: str) -> bool:
        if database.engine.dialect.name == "sqlite":
            # A second writer that will not wait: "database is locked" if the lock is held.
            raw = sqlite3.connect(database.engine.url.database, timeout=0.2)
            try:
                raw.execute("BEGIN IMMEDIATE")
                raw.execute("UPDATE users SET display_name = display_name WHERE id = ?", (made.id,))
                raw.commit()
            finally:
                raw.close()
        else:
            # PostgreSQL: the sign-in's turn-taking locks are not held through the check.
            with database.session() as other:
                held = other.scalar(
                    text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
                )
            assert held == 0
        wrote.append(password)
        return real_check(stored, password)

    monkeypatch.setattr(credentials, "check_password_hash", check_while_writing)
    assert attempt(client, made.username, "wrong password!").status_code == 401
    assert attempt(client, made.username, made.password).status_code == 302
    assert wrote == ["wrong password!", made.password]


# --- sessions ended on the server ---------------------------------------------------------


def copy_of_session(app, client):
    """A second browser holding a copy of `client`'s cookie, as saved before signing out."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_a_cookie_saved_before_signing_out_stops_working(app, client, signed_in):
    signed_in()
    saved = copy_of_session(app, client)
    assert saved.get("/cases").status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client.get("/cases").data)})
    r = saved.get("/cases")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_a_form_from_before_signing_out_is_refused(app, client, signed_in, database):
    signed_in()
    page = client.get("/cases/new")
    saved = copy_of_session(app, client)
    client.post("/logout", data={"csrf_token": csrf(client.get("/cases").data)})
    form = {
        **tokens(page.data),
        "jurisdiction": "tom-bean-tx",
        "origin": "complaint",
        "address": "1418 Elm Street",
        "received_at": "2026-11-16T09:30",
        "channel": "web",
        "description": "Tall grass behind the garage",
        "disclosure_preference": "nondisclosure",
    }
    # This browser's session was cleared: its old CSRF token means nothing.
    r = client.post("/cases/new", data=form)
    assert r.status_code == 400 and b"CSRF" in r.data
    # A copy of the old cookie carries the old token along, but no longer a user.
    r = saved.post("/cases/new", data=form)
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    with database.session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0


def test_a_new_password_ends_sessions(client, signed_in, run_cli):
    user = signed_in()
    assert client.get("/cases").status_code == 200
    result = run_cli("user", "password", user.username, input="a brand new password\n")
    assert result.exit_code == 0, result.output
    assert client.get("/cases").status_code == 302
    assert attempt(client, user.username, user.password).status_code == 401
    assert attempt(client, user.username, "a brand new password").status_code == 302
    short = run_cli("user", "password", user.username, input="short\n")
    assert short.exit_code == 1 and "at least" in short.output


def test_disabling_ends_sessions_for_good(app, client, signed_in, run_cli, database):
    user = signed_in()
    saved = copy_of_session(app, client)
    assert run_cli("user", "disable", user.username).exit_code == 0
    assert client.get("/cases").status_code == 302
    # Enabled again later, the account does not bring back a session it had.
    with database.session() as s:
        s.get(User, user.id).disabled = False
        s.commit()
    assert saved.get("/cases").status_code == 302


# --- behind TLS ---------------------------------------------------------------------------


def signed_in_cookie(client, make_user) -> str:
    user = make_user("officer", with_password=True)
    r = attempt(client, user.username, user.password)
    assert r.status_code == 302
    return "; ".join(r.headers.getlist("Set-Cookie"))


def test_plain_http_by_default(client, make_user):
    cookie = signed_in_cookie(client, make_user)
    assert "HttpOnly" in cookie and "Secure" not in cookie
    assert "Strict-Transport-Security" not in client.get("/login").headers


def test_secure_cookies_and_hsts_when_configured(settings, make_user):
    app = create_app(dataclasses.replace(settings, secure_cookies=True))
    try:
        client = app.test_client()
        cookie = signed_in_cookie(client, make_user)
        assert "Secure" in cookie and "HttpOnly" in cookie
        assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"
    finally:
        app.extensions["docsvc.db"].dispose()


def test_forwarded_address_is_trusted_only_when_configured(settings, client, clock):
    clock("2030-11-20T09:00:00-06:00")

    def spread(c) -> list[int]:
        # Twenty names, each from its own forwarded address, all through one proxy.
        return [
            attempt(
                c, f"guess{n}", "wrong password!", "10.0.0.1", **{"X-Forwarded-For": f"192.0.2.{n}"}
            ).status_code
            for n in range(20)
        ]

    # By default the header is anyone's to forge: the peer's address is counted.
    assert spread(client)[-1] == 429
    app = create_app(dataclasses.replace(settings, trusted_proxies=1))
    try:
        # Behind one trusted proxy, each forwarded address is counted on its own.
        assert set(spread(app.test_client())) == {401}
    finally:
        app.extensions["docsvc.db"].dispose()


def test_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCSVC_SECRET_KEY", "k" * 32)
    monkeypatch.setenv("DOCSVC_DATA_DIR", str(tmp_path))
    plain = load_settings()
    assert not plain.secure_cookies and plain.trusted_proxies == 0
    monkeypatch.setenv("DOCSVC_SECURE_COOKIES", "1")
    monkeypatch.setenv("DOCSVC_PROXY_FIX", "2")
    tls = load_settings()
    assert tls.secure_cookies and tls.trusted_proxies == 2
    monkeypatch.setenv("DOCSVC_PROXY_FIX", "yes")
    with pytest.raises(ValueError, match="number of proxies"):
        load_settings()


# --- CSRF tokens --------------------------------------------------------------------------


def test_a_csrf_token_expires_with_the_session(app, client, signed_in, monkeypatch):
    assert app.config["WTF_CSRF_TIME_LIMIT"] == app.permanent_session_lifetime.total_seconds()
    signed_in()
    token = csrf(client.get("/cases").data)
    real = TimestampSigner.get_timestamp
    later = [0]
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) + later[0])
    # Still at work eleven hours on: the session (signed by the same clock) is renewed...
    later[0] = 11 * 3600
    assert client.get("/cases").status_code == 200
    # ...but a token handed out twelve hours ago is not.
    later[0] = 12 * 3600 + 60
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 400 and b"CSRF" in r.data
