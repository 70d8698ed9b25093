"""Browser pages through the test client: sign-in, CSRF, intake, the case page."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from docsvc.models import AuditEvent
from tests import helpers


def csrf(page: bytes) -> str:
    match = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()


@pytest.fixture
def signed_in(client, make_user):  # type: ignore[no-untyped-def]
    def sign_in(role: str = "officer"):  # type: ignore[no-untyped-def]
        user = make_user(role, with_password=True)
        token = csrf(client.get("/login").data)
        r = client.post(
            "/login",
            data={"username": user.username, "password": user.password, "csrf_token": token},
        )
        assert r.status_code == 302
        return user

    return sign_in


def test_pages_need_sign_in(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/cases")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_wrong_password(client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("officer", with_password=True)
    r = client.post(
        "/login",
        data={
            "username": user.username,
            "password": "nope nope nope",
            "csrf_token": csrf(client.get("/login").data),
        },
    )
    assert r.status_code == 401 and b"do not match" in r.data


def test_forms_need_the_csrf_token(client, signed_in) -> None:  # type: ignore[no-untyped-def]
    signed_in()
    r = client.post("/cases/new", data={"jurisdiction": "los-gatos-ca", "address": "1 Elm"})
    assert r.status_code == 400 and b"CSRF" in r.data


def test_open_redirect_is_refused(client, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("officer", with_password=True)
    r = client.post(
        "/login?next=//evil.example/x",
        data={
            "username": user.username,
            "password": user.password,
            "csrf_token": csrf(client.get("/login").data),
        },
    )
    assert r.headers["Location"] == "/cases"


def test_intake_case_page_upload_and_reveal(client, signed_in, database) -> None:  # type: ignore[no-untyped-def]
    officer = signed_in()
    page = client.get("/cases/new")
    assert page.status_code == 200
    r = client.post(
        "/cases/new",
        data={
            "csrf_token": csrf(page.data),
            "jurisdiction": "tom-bean-tx",
            "origin": "complaint",
            "address": "1418 Elm Street",
            "received_at": "2026-11-16T09:30",
            "channel": "web",
            "description": "Tires & tall grass <behind> the garage",
            "c_name": "Maria O'Brien-Nguyễn",
            "c_phone": "903-555-0142",
            "disclosure_preference": "nondisclosure",
        },
    )
    assert r.status_code == 302, r.data[:2000]
    url = r.headers["Location"]
    case_page = client.get(url)
    html = case_page.get_data(as_text=True)
    assert "TB-" in html and "Tires &amp; tall grass &lt;behind&gt; the garage" in html
    assert "O&#39;Brien" not in html and "Nguyễn" not in html  # hidden until asked for
    token = csrf(case_page.data)
    number = url.rsplit("/", 1)[-1]
    r = client.post(
        f"/cases/{number}/attachments",
        content_type="multipart/form-data",
        data={
            "csrf_token": token,
            "kind": "photo",
            "caption": "Rear yard",
            "file": (io.BytesIO(helpers.jpeg()), "IMG_1.jpg"),
        },
    )
    assert r.status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "Rear yard" in html and "/thumb" in html
    with database.session() as s:
        before = s.scalar(select(func.count()).where(AuditEvent.action == "complainant.view"))
    revealed = client.post(f"/cases/{number}/complainant", data={"csrf_token": token})
    assert "Maria O&#39;Brien-Nguyễn" in revealed.get_data(as_text=True)
    with database.session() as s:
        after = s.scalar(select(func.count()).where(AuditEvent.action == "complainant.view"))
        actor = s.scalar(select(AuditEvent.actor_id).order_by(AuditEvent.seq.desc()).limit(1))
    assert after == before + 1 and actor == officer.id


def test_refused_intake_shows_the_rule(client, signed_in, count_rows) -> None:  # type: ignore[no-untyped-def]
    signed_in()
    page = client.get("/cases/new")
    r = client.post(
        "/cases/new",
        data={
            "csrf_token": csrf(page.data),
            "jurisdiction": "jefferson-county-wa",
            "origin": "complaint",
            "address": "900 Discovery Road",
            "received_at": "2026-11-16T09:30",
            "channel": "phone",
            "description": "Junk cars",
            "anonymous": "on",
            "disclosure_preference": "unspecified",
        },
    )
    assert r.status_code == 422 and b"does not accept anonymous complaints" in r.data
    assert count_rows("cases") == 0


def test_records_staff_read_but_do_not_write(client, signed_in, open_case) -> None:  # type: ignore[no-untyped-def]
    number = open_case()["case_number"]
    signed_in("records")
    html = client.get(f"/cases/{number}").get_data(as_text=True)
    assert "Record a violation" not in html and "Show complainant" in html
    assert client.get("/cases/new").status_code == 403


def test_due_list_and_ledger_pages(client, signed_in, officer) -> None:  # type: ignore[no-untyped-def]
    signed_in()
    body = {
        "jurisdiction": "lees-summit-mo",
        "property": {"address": "7 Oak Street"},
        "complaint": {
            "received_at": "2026-11-16T09:30:00-06:00",
            "description": "Health hazard",
            "anonymous": True,
            "disclosure_preference": "unspecified",
        },
    }
    case = client.post("/api/cases", json=body, headers=officer.headers).json["case_number"]
    client.post(
        f"/api/cases/{case}/ledger",
        headers=officer.headers,
        json={"kind": "penalty", "amount": "125.50", "assessed_on": "2026-11-17"},
    )
    due = client.get("/due").get_data(as_text=True)
    assert case in due and "Investigate the complaint" in due
    ledger = client.get(f"/cases/{case}/ledger").get_data(as_text=True)
    assert "$125.50" in ledger and "penalty" in ledger
