"""Browser pages through the test client: sign-in, CSRF, intake, the case page."""

from __future__ import annotations

import io
import re

import pytest
from lxml import html as lxml_html
from sqlalchemy import func, select

from docsvc.models import AuditEvent
from tests import helpers
from tests.helpers import csrf, tokens


def test_pages_need_sign_in(client) -> None:
    r = client.get("/cases")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_wrong_password(client, make_user) -> None:
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


def test_forms_need_the_csrf_token(client, signed_in) -> None:
    signed_in()
    r = client.post("/cases/new", data={"jurisdiction": "los-gatos-ca", "address": "1 Elm"})
    assert r.status_code == 400 and b"CSRF" in r.data


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/%5Cevil.example/x",  # "/\\evil.example": some browsers read it as "//"
        "/cases%0D%0AX-Injected:%20y",  # a line break a Location header cannot carry (was 500)
        "/cases%0Ax",
        "/cases%00",
    ],
)
def test_open_redirect_is_refused(app, make_user, target: str) -> None:
    client = app.test_client()
    user = make_user("officer", with_password=True)
    r = client.post(
        f"/login?next={target}",
        data={
            "username": user.username,
            "password": user.password,
            "csrf_token": csrf(client.get("/login").data),
        },
    )
    assert r.status_code == 302 and r.headers["Location"] == "/cases"
    assert "X-Injected" not in r.headers


def test_intake_case_page_upload_and_reveal(client, signed_in, database) -> None:
    officer = signed_in()
    page = client.get("/cases/new")
    assert page.status_code == 200
    r = client.post(
        "/cases/new",
        data={
            **tokens(page.data),
            "jurisdiction": "tom-bean-tx",
            "origin": "complaint",
            "address": "1418 Elm Street",
            "received_at": "2026-11-16T09:30",
            "channel": "web",
            "description": "Tires & tall grass <behind> the garage",
            "complaint_type": "nuisance",
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
    token = tokens(case_page.data)
    number = url.rsplit("/", 1)[-1]
    r = client.post(
        f"/cases/{number}/attachments",
        content_type="multipart/form-data",
        data={
            **token,
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
    revealed = client.post(f"/cases/{number}/complainant", data={**token})
    assert "Maria O&#39;Brien-Nguyễn" in revealed.get_data(as_text=True)
    with database.session() as s:
        after = s.scalar(select(func.count()).where(AuditEvent.action == "complainant.view"))
        actor = s.scalar(select(AuditEvent.actor_id).order_by(AuditEvent.seq.desc()).limit(1))
    assert after == before + 1 and actor == officer.id
    # The view is audit, not the case's story: the timeline (shown with it) leaves it out.
    assert "identity shown" not in revealed.get_data(as_text=True)
    assert "identity shown" not in client.get(url).get_data(as_text=True)


def test_refused_intake_shows_the_rule(client, signed_in, count_rows) -> None:
    signed_in()
    page = client.get("/cases/new")
    r = client.post(
        "/cases/new",
        data={
            **tokens(page.data),
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


def test_a_refused_phone_complaint_names_the_written_channels_beside_the_channel(
    client, signed_in, count_rows
) -> None:
    signed_in()
    page = client.get("/cases/new")
    r = client.post(
        "/cases/new",
        data={
            **tokens(page.data),
            "jurisdiction": "tom-bean-tx",
            "origin": "complaint",
            "address": "9 Pecan Street",
            "received_at": "2026-11-16T09:30",
            "channel": "phone",
            "description": "Junk cars",
            "complaint_type": "vehicle",
            "c_name": "Dwayne Kowalczyk",
            "c_phone": "903-555-0142",
            "disclosure_preference": "unspecified",
        },
    )
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    beside = lxml_html.fromstring(html).xpath('//*[@id="intake-channel-error"]')
    assert beside, "no message beside the channel"
    said = " ".join(beside[0].text_content().split())
    assert "requires a written complaint" in said
    assert "(accepted: web form, e-mail, mail, in person or city staff)" in said
    assert "walk_in" not in said and "web, email" not in html
    assert count_rows("cases") == 0


def test_the_violation_form_starts_at_now_where_the_case_is(
    client, signed_in, open_case, clock
) -> None:
    clock("2026-11-17T15:05:00+00:00")
    number = open_case()["case_number"]  # Los Gatos: Pacific time
    signed_in()
    html = client.get(f"/cases/{number}").get_data(as_text=True)
    observed = lxml_html.fromstring(html).xpath('//input[@id="violation-observed_at"]/@value')
    assert observed == ["2026-11-17T07:05"]


def test_records_staff_read_but_do_not_write(client, signed_in, open_case) -> None:
    number = open_case()["case_number"]
    signed_in("records")
    html = client.get(f"/cases/{number}").get_data(as_text=True)
    assert "Record a violation" not in html and "Show complainant" in html
    assert client.get("/cases/new").status_code == 403


def test_due_list_and_ledger_pages(client, signed_in, officer) -> None:
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


def test_ledger_forms_add_an_entry_and_a_settlement(client, signed_in, officer) -> None:
    from tests.conftest import complaint_case

    signed_in()
    case = client.post(
        "/api/cases",
        json=complaint_case(jurisdiction="jefferson-county-wa"),
        headers=officer.headers,
    ).json["case_number"]
    page = client.get(f"/cases/{case}/ledger")
    token = tokens(page.data)
    r = client.post(
        f"/cases/{case}/ledger",
        data={
            **token,
            "kind": "penalty",
            "amount": "99.99",
            "assessed_on": "2026-11-17",
        },
    )
    assert r.status_code == 302
    token = tokens(client.get(f"/cases/{case}/ledger").data)  # the page as the browser sees it
    r = client.post(
        f"/cases/{case}/ledger",
        data={
            **token,
            "kind": "cancellation",
            "amount": "100.00",
            "assessed_on": "2026-11-18",
            "applies_to": "costs",
        },
    )
    html = r.get_data(as_text=True)
    assert r.status_code == 422 and "cannot be waived" in html and 'value="100.00"' in html
    r = client.post(
        f"/cases/{case}/ledger",
        data={**token, "kind": "payment", "amount": "ten", "assessed_on": "2026-11-18"},
    )
    assert r.status_code == 422 and "amount" in r.get_data(as_text=True)
    r = client.post(
        f"/cases/{case}/settlements",
        data={
            **token,
            "entered_on": "2026-11-18",
            "approved_by": "Director",
            "pay_amount": "49.99",
            "cancel_amount": "50.00",
            "compliance_through": "2027-05-18",
            # A finding on each factor (Jefferson County Rule 5(a)(iii)).
            **{f"factor-{code}": f"Finding {code}." for code in "ABCDE"},
        },
    )
    assert r.status_code == 302
    html = client.get(f"/cases/{case}/ledger").get_data(as_text=True)
    assert "settled $99.99" in html and "Held by a settlement" in html and "$50.00" in html


def test_case_page_clocks_and_aggravating(client, signed_in, officer) -> None:
    from tests.conftest import complaint_case

    signed_in()
    case = client.post("/api/cases", json=complaint_case(), headers=officer.headers).json[
        "case_number"
    ]
    page = client.get(f"/cases/{case}")
    html = page.get_data(as_text=True)
    assert "Contact the complainant" in html and "non-priority" in html
    r = client.post(
        f"/cases/{case}/aggravating",
        data={**tokens(page.data), "circumstances": ["deliberate", "flagrant-visible"]},
    )
    assert r.status_code == 302
    html = client.get(f"/cases/{case}").get_data(as_text=True)
    assert "Clocks · priority 6" in html and 'value="deliberate" checked' in html


def test_reports_page(client, signed_in, officer) -> None:
    signed_in("records")
    first = client.get("/reports")
    assert first.status_code == 200 and "Annual reports" in first.get_data(as_text=True)
    year = "2026"
    page = client.get(f"/reports?name=clock-performance&jurisdiction=lees-summit-mo&year={year}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Clock Performance Report, 2026" in html
    assert "format=pdf" in html and "format=csv" in html
    pdf = client.get(f"/reports?name=workload&jurisdiction=lees-summit-mo&year={year}&format=pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF-")
    bad = client.get("/reports?name=workload&jurisdiction=lees-summit-mo&year=soon")
    assert bad.status_code == 422 and "year" in bad.get_data(as_text=True)
    missing = client.get(f"/reports?name=nope&jurisdiction=lees-summit-mo&year={year}")
    assert missing.status_code == 404 and "no report" in missing.get_data(as_text=True)


def test_search_page_and_header_box(client, signed_in, open_case) -> None:
    signed_in("records")
    case = open_case(address="9 Quince Row")["case_number"]
    home = client.get("/cases").data
    assert b'action="/search"' in home and b'name="q"' in home
    r = client.get("/search", query_string={"q": "quince"})
    assert r.status_code == 200
    assert f'href="/cases/{case}"'.encode() in r.data and b"<mark>Quince</mark>" in r.data
    r = client.get("/search", query_string={"q": "quince", "from": "not-a-date"})
    assert r.status_code == 400 and b"Not a valid date" in r.data
    r = client.get("/search", query_string={"q": '"unbalanced AND NEAR( x'})
    assert r.status_code == 200 and b"Nothing matches" in r.data


def test_search_page_needs_sign_in(client) -> None:
    r = client.get("/search", query_string={"q": "Maria"})
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_records_requests_pages_are_for_records_staff(client, signed_in, open_case) -> None:
    signed_in("officer")
    assert client.get("/disclosures").status_code == 403
    assert b"Records requests" not in client.get("/cases").data
    client.post("/logout", data={"csrf_token": csrf(client.get("/cases").data)})
    signed_in("records")
    case = open_case()["case_number"]
    page = client.get("/disclosures")
    assert page.status_code == 200 and b"No requests yet." in page.data
    # A bad form comes back with the reason and what was typed.
    r = client.post(
        "/disclosures",
        data={
            **tokens(page.data),
            "jurisdiction": "los-gatos-ca",
            "received_at": "2026-11-20T10:00",
            "name": "Pat",
            "description": "All of it",
            "case_numbers": "LG-1999-000009",
        },
    )
    assert r.status_code == 422 and b"no case LG-1999-000009" in r.data and b'value="Pat"' in r.data
    r = client.post(
        "/disclosures",
        data={
            **tokens(page.data),
            "jurisdiction": "los-gatos-ca",
            "received_at": "2026-11-20T10:00",
            "name": "Pat",
            "description": "All of it",
            "case_numbers": case,
        },
    )
    assert r.status_code == 302
    detail = client.get(r.headers["Location"])
    assert b"Preparing the records for review" in detail.data and b"2026-11-30" in detail.data


@pytest.mark.slow
def test_release_from_the_page_runs_in_the_worker_with_progress(
    client, signed_in, officer, database, settings, monkeypatch
) -> None:
    from docsvc.documents.env import Env
    from docsvc.jobs import queue
    from docsvc.store import FileStore
    from docsvc.worker import drain
    from tests.conftest import complaint_case

    def work() -> None:
        drain(database, Env(FileStore(settings.store_dir), settings))

    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json[
        "case_number"
    ]
    memo = helpers.pdf_with(helpers.text_ops("Called back Maria O'Brien-Nguyen about the yard."))
    assert (
        helpers.upload(
            client, officer.headers, case, memo, "memo.pdf", kind="correspondence"
        ).status_code
        == 201
    )
    clerk = signed_in("records")
    rid = client.post(
        "/api/disclosures",
        headers=clerk.headers,
        json={
            "jurisdiction": "los-gatos-ca",
            "requester": {"name": "Pat"},
            "received_at": "2026-11-20T10:00:00-08:00",
            "description": "The yard",
            "case_numbers": [case],
        },
    ).json["id"]
    work()
    page = client.get(f"/disclosures/{rid}")
    token = tokens(page.data)
    # Unreviewed boxes: refused at once, on the page, nothing queued.
    r = client.post(f"/disclosures/{rid}/release", data={**token})
    assert r.status_code == 409 and b"not reviewed" in r.data
    # Checked, then asked: nothing is queued until the clerk confirms.
    r = client.post(f"/disclosures/{rid}/release", data={**token, "accept": "on"})
    assert r.status_code == 200 and b"Release request" in r.data and b"to Pat?" in r.data
    assert b'name="accept" value="on"' in r.data and b'name="confirmed" value="yes"' in r.data
    assert b"waiting for the background worker" not in client.get(f"/disclosures/{rid}").data
    r = client.post(
        f"/disclosures/{rid}/release",
        data={**tokens(r.data), "accept": "on", "confirmed": "yes"},
    )
    assert r.status_code == 302
    page = client.get(f"/disclosures/{rid}")
    assert b"waiting for the background worker" in page.data
    assert b'http-equiv="refresh"' in page.data  # it refreshes itself while the job runs
    assert b'id="review-form"' not in page.data and b'id="release-form"' not in page.data
    # The same press again (a double tap) is sent where the first went, nothing queued; a
    # release sent from another tab's form while it runs is refused, not queued twice.
    r = client.post(
        f"/disclosures/{rid}/release",
        data={**token, "accept": "on", "confirmed": "yes"},
    )
    assert r.status_code == 303 and r.location == f"/disclosures/{rid}"
    r = client.post(
        f"/disclosures/{rid}/release",
        data={**token, "submission": "another-tab", "accept": "on", "confirmed": "yes"},
    )
    assert r.status_code == 409 and b"already under way" in r.data
    # The worker reports each record built and each file scanned; the page shows where it is.
    seen: list[tuple[str, int, int]] = []
    shown: list[bytes] = []
    real_report = queue.report

    def report(session, job_id, stage, done, total):
        real_report(session, job_id, stage, done, total)
        seen.append((stage, done, total))
        if stage == "scanning" and done == 1:
            shown.append(client.get(f"/disclosures/{rid}").data)

    monkeypatch.setattr(queue, "report", report)
    work()
    assert [s for s in seen if s[0] == "building"] == [("building", 0, 1)]
    scanning = [s for s in seen if s[0] == "scanning"]
    assert [d for _, d, _ in scanning] == list(range(scanning[0][2])) and scanning[0][2] >= 5
    assert shown and re.search(rb"Release: scanning file 2 of \d+\.", shown[0])
    assert b'<progress max="' in shown[0]
    page = client.get(f"/disclosures/{rid}")
    assert b'id="release"' in page.data and b"/public/releases/" in page.data
    assert b'http-equiv="refresh"' not in page.data


def test_retention_page_holds_and_queue(client, signed_in, officer, settings) -> None:
    from tests.conftest import complaint_case

    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json[
        "case_number"
    ]
    signed_in("officer")
    assert client.get("/retention").status_code == 403
    assert b">Retention<" not in client.get("/cases").data
    client.post("/logout", data={"csrf_token": csrf(client.get("/cases").data)})
    signed_in("records")
    page = client.get("/retention")
    assert (
        page.status_code == 200
        and b"unscheduled" in page.data
        and b"No hold is in force" in page.data
    )
    token = tokens(page.data)
    r = client.post(
        "/retention/holds",
        data={
            **token,
            "matter": "Doe v. Town",
            "reason": "Claim filed",
            "case_numbers": "LG-1999-000001",
        },
    )
    assert r.status_code == 422 and b"no case LG-1999-000001" in r.data
    r = client.post(
        "/retention/holds",
        data={
            **token,
            "matter": "Doe v. Town <2026>",
            "reason": "Claim filed",
            "case_numbers": case,
        },
    )
    assert r.status_code == 302
    page = client.get("/retention")
    assert b"Doe v. Town &lt;2026&gt;" in page.data and case.encode() in page.data
    r = client.post("/retention/approve", data={**token})
    assert r.status_code == 422 and b"tick the case files" in r.data


def test_the_retention_page_links_a_certificate_only_for_who_may_open_it(
    client, signed_in, database, settings
) -> None:
    """An attorney approves dispositions but may not read certificates (403): the page lists
    the run without a link that would only refuse them (a tester saw the 403)."""
    from docsvc.models import Blob, DispositionRun
    from docsvc.store import FileStore
    from docsvc.timeutil import utcnow

    stored = FileStore(settings.store_dir).put_bytes(b"%PDF-1.7 certificate")
    with database.session() as s:
        s.add(
            Blob(
                sha256=stored.sha256,
                size=stored.size,
                media_type="application/pdf",
                created_at=utcnow(),
            )
        )
        s.flush()
        run = DispositionRun(
            started_at=utcnow(), status="done", destroyed=0, certificate_sha256=stored.sha256
        )
        s.add(run)
        s.commit()
        link = f"/retention/runs/{run.id}/certificate.pdf".encode()
    signed_in("attorney")
    page = client.get("/retention")
    assert page.status_code == 200 and f"Run {run.id}".encode() in page.data
    assert link not in page.data
    client.post("/logout", data={"csrf_token": csrf(client.get("/cases").data)})
    signed_in("records")
    assert link in client.get("/retention").data


def test_the_property_history_lists_other_complaints_earlier_or_later(
    client, signed_in, open_case
) -> None:
    first = open_case(address="77 Birch Street")["case_number"]
    later = open_case(address="77 Birch Street")["case_number"]
    signed_in()
    html = client.get(f"/cases/{first}").get_data(as_text=True)
    history = lxml_html.fromstring(html).xpath('//*[@id="history"]')[0]
    assert history.xpath("h2")[0].text_content() == "Other complaints about this property"
    assert later in history.text_content()  # opened after this one: not a "prior" complaint
    assert "Prior complaints" not in html
