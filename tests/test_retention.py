"""Retention: schedules as data, eligibility to the day, holds and liens that block, and a
disposition that leaves a stub and a certificate and nothing else of the case."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from docsvc.models import Case, DispositionItem, DispositionRun, Lien, User
from docsvc.retention.disposition import approve_awaiting, execute, propose
from docsvc.retention.schedule import Period, load
from docsvc.store import FileStore
from docsvc.timeutil import utcnow
from docsvc.verify import verify
from tests import helpers
from tests.conftest import complaint_case
from tests.documents_helpers import build_case, document_body, pdf_text
from tests.retention_helpers import adopt, closed_case

PHRASE = "Xylophone quokka gazebo 7731"


@pytest.fixture
def adopted(settings) -> Path:
    return adopt(settings.data_dir)


def verdicts(client, records, as_of: str) -> dict[str, dict]:
    r = client.get(
        f"/api/retention?as_of={as_of}&verdict=eligible&limit=1000", headers=records.headers
    )
    assert r.status_code == 200, r.json
    out = {v["case_number"]: v for v in r.json["items"]}
    for verdict in ("blocked", "not_yet", "unscheduled"):
        r = client.get(f"/api/retention?as_of={as_of}&verdict={verdict}", headers=records.headers)
        out.update({v["case_number"]: v for v in r.json["items"]})
    return out


def test_periods_count_leap_days_on_the_long_side() -> None:
    assert Period(years=1).after(date(2024, 2, 29)) == date(2025, 3, 1)
    assert Period(years=4).after(date(2024, 2, 29)) == date(2028, 2, 29)
    assert Period(years=2).after(date(2023, 6, 15)) == date(2025, 6, 15)
    assert Period(months=1).after(date(2026, 1, 31)) == date(2026, 3, 1)
    assert Period(years=1, days=10).after(date(2026, 12, 25)) == date(2028, 1, 4)


def test_shipped_schedules_say_what_is_not_known(settings) -> None:
    for code in ("los-gatos-ca", "jefferson-county-wa", "tom-bean-tx", "lees-summit-mo"):
        s = load(code, settings.data_dir)
        assert s is not None and s.source == "shipped"
        for series in s.series:
            # No invented numbers: no period, no state item, and a note that says so.
            assert series.period is None and series.state_item is None
            assert "not known" in (series.note or "")
    assert load("los-gatos-ca", settings.data_dir).required_roles == ["records", "attorney"]
    assert load("jefferson-county-wa", settings.data_dir).floor == Period(years=6)


def test_unscheduled_until_the_city_enters_its_period(client, officer, records, clock) -> None:
    number = closed_case(client, officer, clock, "2020-01-06T10:00:00-08:00")
    v = verdicts(client, records, "2026-11-22")[number]
    assert v["verdict"] == "unscheduled" and "sets no period" in v["reasons"][0]


@pytest.mark.rule("TB XIV.1")
def test_eligible_exactly_when_the_rule_says_with_the_floor(
    client, officer, records, clock, adopted
) -> None:
    leap = closed_case(client, officer, clock, "2024-02-29T10:00:00-08:00")
    old = closed_case(client, officer, clock, "2021-03-10T10:00:00-08:00")
    # Closed 29 Feb 2024: one year runs to 1 March 2025, but the two-year floor to 1 March 2026.
    v = verdicts(client, records, "2026-02-28")
    assert v[leap]["verdict"] == "not_yet" and v[leap]["eligible_on"] == "2026-03-01"
    assert "34090(d)" in " ".join(v[leap]["reasons"])
    assert v[old]["verdict"] == "eligible" and v[old]["series"] == "CE-COMPLAINT"
    assert verdicts(client, records, "2026-03-01")[leap]["verdict"] == "eligible"
    # An open case is not judged by dates at all.
    clock("2021-01-04T10:00:00-08:00")
    still_open = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json
    v = verdicts(client, records, "2026-11-22")[still_open["case_number"]]
    assert v["verdict"] == "not_yet" and "not closed" in v["reasons"][0]


def test_a_hold_or_an_unreleased_lien_blocks_and_says_which(
    client, officer, records, attorney, clock, adopted, database, run_cli
) -> None:
    held = closed_case(client, officer, clock, "2021-03-10T10:00:00-08:00")
    liened = closed_case(client, officer, clock, "2021-03-10T10:00:00-08:00", address="9 Oak Way")
    free = closed_case(client, officer, clock, "2021-03-10T10:00:00-08:00", address="11 Oak Way")
    with database.session() as s:
        c = s.scalar(select(Case).where(Case.case_number == liened))
        s.add(
            Lien(case_id=c.id, property_id=c.property_id, amount=500, status="recorded",
                 recorded_on=date(2021, 6, 1), recording_number="2021-0042",
                 created_by_id=officer.id, created_at=utcnow())
        )  # fmt: skip
        s.commit()
    r = client.post(
        "/api/holds",
        headers=attorney.headers,
        json={"matter": "Smith v. Town", "reason": "Suit filed over the abatement",
              "case_numbers": [held]},
    )  # fmt: skip
    assert r.status_code == 201 and r.json["case_numbers"] == [held]
    hold_id = r.json["id"]
    v = verdicts(client, records, "2026-11-22")
    assert v[held]["verdict"] == "blocked"
    assert any("legal hold" in x and "Smith v. Town" in x for x in v[held]["reasons"])
    # The lien puts the case in the lien series, which waits for its release, and blocks it.
    assert v[liened]["series"] == "CE-LIEN-CASE" and v[liened]["verdict"] == "not_yet"
    assert "1 lien(s) not released" in v[liened]["reasons"]
    assert v[free]["verdict"] == "eligible"
    # The dry run says the same from the command line, and changes nothing.
    result = run_cli("retention", "run", "--dry-run", "--as-of", "2026-11-22")
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"blocked     {held}" in out and "Smith v. Town" in out
    assert f"eligible    {free}" in out and "(nothing changed)" in out
    with database.session() as s:
        assert s.scalar(select(DispositionItem.id)) is None
    # On an open case a hold stops changes to what exists (409 on_hold), not additions.
    built = build_case(client, officer.headers, "los-gatos-ca")
    draft = client.post(
        f"/api/cases/{built.case}/documents",
        headers=officer.headers,
        json=document_body("notice_of_violation", built, draft=True),
    ).json
    r = client.post(
        "/api/holds",
        headers=records.headers,
        json={"matter": "Claim 26-7", "reason": "Notice of claim", "property_ids": []},
    )
    assert r.status_code == 422 and "name what the hold covers" in r.json["error"]
    r = client.post(
        "/api/holds",
        headers=records.headers,
        json={"matter": "Claim 26-7", "reason": "Notice of claim", "case_numbers": [built.case]},
    )
    assert r.status_code == 201
    r = client.patch(
        f"/api/documents/{draft['id']}", headers=officer.headers, json={"photo_ids": []}
    )
    assert r.status_code == 409 and r.json["code"] == "on_hold", r.json
    assert "Claim 26-7" in r.json["error"]
    r = client.post(
        f"/api/cases/{built.case}/parties",
        headers=officer.headers,
        json={"name": "New Tenant", "role": "tenant", "mailing_address": "1 Elm St, Los Gatos"},
    )
    assert r.status_code == 201, r.json
    r = client.post(f"/api/holds/{hold_id}/release", headers=attorney.headers, json={})
    assert r.status_code == 200 and r.json["released_at"]
    assert verdicts(client, records, "2026-11-22")[held]["verdict"] == "eligible"
    body = {"matter": "M", "reason": "R", "case_numbers": [held]}
    assert client.post("/api/holds", headers=officer.headers, json=body).status_code == 403
    assert client.post("/api/holds", json=body).status_code == 401


def _data_dir_bytes(root: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def test_disposition_leaves_a_stub_a_certificate_and_no_trace(
    client, officer, records, attorney, clock, adopted, database, settings, work, tmp_path
) -> None:
    doomed = closed_case(
        client, officer, clock, "2021-03-10T10:00:00-08:00", description=f"{PHRASE} by the fence"
    )
    live = closed_case(client, officer, clock, "2026-10-01T10:00:00-07:00", address="5 Pine St")
    clock("2021-03-10T11:00:00-08:00")
    memo = helpers.pdf_with(helpers.text_ops(f"Inspector memo: {PHRASE} seen again."))
    shared = helpers.jpeg()
    for case, data, name in ((doomed, memo, "memo.pdf"), (doomed, shared, "p.jpg"),
                             (live, shared, "p.jpg")):  # fmt: skip
        kind = "correspondence" if name.endswith(".pdf") else "photo"
        r = helpers.upload(client, officer.headers, case, data, name, kind=kind)
        assert r.status_code in (200, 201), r.json
    work()  # the memo's text is indexed
    found = client.get("/api/search?q=quokka", headers=records.headers).json
    assert {h["case_number"] for h in found["results"]} == {doomed}
    sqlite = database.dialect == "sqlite"
    if sqlite:
        assert PHRASE.encode() in _data_dir_bytes(settings.data_dir)
    clock("2026-11-22T09:00:00-08:00")
    r = client.post("/api/retention/propose", headers=records.headers, json={"as_of": "2026-11-22"})
    assert r.status_code == 200 and r.json["added"] == 1
    item = client.get("/api/retention/queue", headers=records.headers).json[0]
    assert item["case_number"] == doomed and item["required_roles"] == ["records", "attorney"]
    # Records alone is not enough where counsel must consent; execution destroys nothing yet.
    client.post("/api/retention/approve", headers=records.headers, json={"ids": [item["id"]]})
    assert (
        client.get("/api/retention/queue", headers=records.headers).json[0]["status"] == "proposed"
    )
    r = client.post("/api/retention/approve", headers=attorney.headers, json={"ids": [item["id"]]})
    assert r.status_code == 200 and r.json[0]["status"] == "approved"
    r = client.post("/api/retention/execute", headers=records.headers, json={"as_of": "2026-11-22"})
    assert r.status_code == 202
    job_id = r.json["id"]
    work()
    job = client.get(f"/api/retention/jobs/{job_id}", headers=records.headers).json
    assert job["status"] == "done" and job["run"]["destroyed"] == 1
    cert = client.get(job["run"]["certificate_url"], headers=records.headers)
    assert cert.status_code == 200 and cert.mimetype == "application/pdf"
    text = pdf_text(cert.data, tmp_path)
    assert doomed in text and "Resolution 2026-1 item 2" in text and "LG-CE-2" in text
    assert PHRASE not in text and "quokka" not in text.lower()
    # Gone: the case, its search hits, its own files; the shared photo stays with the live case.
    assert client.get(f"/api/cases/{doomed}", headers=officer.headers).status_code == 404
    assert client.get("/api/search?q=quokka", headers=records.headers).json["results"] == []
    assert client.get(f"/api/cases/{live}", headers=officer.headers).status_code == 200
    store = FileStore(settings.store_dir)
    assert store.path_for(hashlib.sha256(shared).hexdigest()).is_file()
    assert not store.path_for(hashlib.sha256(memo).hexdigest()).exists()
    if sqlite:  # nothing of it in any byte under the data directory: files, database, index
        blob = _data_dir_bytes(settings.data_dir)
        assert PHRASE.encode() not in blob and PHRASE.lower().encode() not in blob
    with database.session() as s:
        stub = s.scalar(select(DispositionItem).where(DispositionItem.case_number == doomed))
        assert stub.status == "destroyed" and stub.stub["attachments"] == 2
        assert hashlib.sha256(memo).hexdigest() in stub.stub["files_sha256"]
        run = s.get(DispositionRun, job["run"]["id"])
        assert store.path_for(run.certificate_sha256).is_file()
        report = verify(s, store)
        assert report.ok, report.problems
        assert report.pdfs_checked == 1  # the certificate is kept as PDF/A like the notices
        # A copy of the destroyed memo put back (a restore from an old backup) is named.
        memo_sha = store.put_bytes(memo).sha256
        report = verify(s, store)
    assert report.problems == [f"file {memo_sha} of destroyed case {doomed} is still in the store"]


def test_an_interrupted_disposition_resumes_and_verifies_clean(
    client, officer, records, attorney, clock, adopted, database, settings, monkeypatch, run_cli
) -> None:
    numbers = [
        closed_case(client, officer, clock, "2021-03-10T10:00:00-08:00", address=f"{n} Elm Ave")
        for n in (1, 2, 3)
    ]
    clock("2021-03-10T11:00:00-08:00")
    for n, case in enumerate(numbers):
        pdf = helpers.pdf_with(helpers.text_ops(f"Letter number {n} for {case}"))
        assert (
            helpers.upload(
                client, officer.headers, case, pdf, "l.pdf", kind="correspondence"
            ).status_code
            == 201
        )
    clock("2026-11-22T09:00:00-08:00")
    with database.session() as s:
        propose(s, settings.data_dir, date(2026, 11, 22))
        s.commit()
    ids = [i["id"] for i in client.get("/api/retention/queue", headers=records.headers).json]
    r = client.post("/api/retention/approve", headers=records.headers, json={"ids": ids[:1]})
    assert r.status_code == 200 and r.json[0]["status"] == "proposed"
    # Records approves the rest at once from the shell; counsel everything, in batches of two.
    result = run_cli("retention", "run", "--approve-all", "--as", records.username)
    assert result.exit_code == 0 and "2 item(s) approved by" in result.output, result.output
    with database.session() as s:
        counsel = s.scalar(select(User).where(User.username == attorney.username))
        s.expunge(counsel)
    assert approve_awaiting(database, counsel, batch=2) == 3
    assert approve_awaiting(database, counsel) == 0  # nothing left waiting for counsel
    store = FileStore(settings.store_dir)
    real_erase = FileStore.erase
    calls = []

    def dies_after_first(self, sha):
        calls.append(sha)
        if len(calls) > 1:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a crash
        return real_erase(self, sha)

    monkeypatch.setattr(FileStore, "erase", dies_after_first)
    with pytest.raises(KeyboardInterrupt):
        execute(database, store, settings.data_dir, None, date(2026, 11, 22), batch=1)
    monkeypatch.setattr(FileStore, "erase", real_erase)
    with database.session() as s:
        statuses = sorted(s.scalars(select(DispositionItem.status)))
        assert statuses == ["approved", "destroyed", "destroyed"]  # two batches committed
        interrupted = verify(s, store)
    # verify names the half-done run (and the file still to erase), not "left by an upload"
    assert [p for p in interrupted.problems if "was interrupted" in p] == [
        "disposition run 1 was interrupted (after destroying some cases, 1 file(s) still to "
        "erase); run `docsvc retention run --execute` or Execute on the Retention page to "
        "finish it and certify it"
    ]
    assert not any("belong to no record" in n for n in interrupted.notes)
    report = execute(database, store, settings.data_dir, None, date(2026, 11, 22), batch=1)
    assert report.destroyed == 1 and report.certificate_sha256
    with database.session() as s:
        assert sorted(s.scalars(select(DispositionItem.status))) == ["destroyed"] * 3
        assert (
            s.scalar(select(DispositionItem.id).where(DispositionItem.files_pending.is_not(None)))
            is None
        )
        runs = s.scalars(select(DispositionRun)).all()
        assert [r.status for r in runs] == ["done"] and runs[0].destroyed == 3
        result = verify(s, store)
    assert result.ok, result.problems
    assert not any("belong to no record" in n for n in result.notes)
    for case in numbers:
        assert client.get(f"/api/cases/{case}", headers=officer.headers).status_code == 404
