"""Retention is scoped and attributed (security issue 19, item 2): proposing, executing, the
disposition job and its certificate stay within the asker's jurisdictions; the asker is named
in the audit log; a job whose asker lost the right to it when it runs does nothing."""

from __future__ import annotations

from sqlalchemy import select

from docsvc.models import AuditEvent, DispositionItem, Job, User
from tests.retention_helpers import ADOPTED, adopt, closed_case

CA = "los-gatos-ca"
TX = "tom-bean-tx"


def adopt_both(data_dir) -> None:
    adopt(data_dir)
    texas = data_dir / "retention" / f"{TX}.yaml"
    texas.write_text(ADOPTED.replace(CA, TX), encoding="utf-8")


def two_old_cases(client, officer, clock) -> dict[str, str]:
    at = "2021-03-10T10:00:00-08:00"
    out = {
        CA: closed_case(client, officer, clock, at, jurisdiction=CA, address="1 Elm Street"),
        TX: closed_case(client, officer, clock, at, jurisdiction=TX, address="2 Main Street"),
    }
    clock("2026-11-22T09:00:00-08:00")
    return out


def approve_everything(client, records, attorney) -> None:
    ids = [i["id"] for i in client.get("/api/retention/queue", headers=records.headers).json]
    for who in (records, attorney):
        r = client.post("/api/retention/approve", headers=who.headers, json={"ids": ids})
        assert r.status_code == 200, r.json


def last_event(database, action: str) -> AuditEvent:
    with database.session() as s:
        return s.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc())
        ).first()


def statuses(database) -> dict[str, str]:
    with database.session() as s:
        return dict(s.execute(select(DispositionItem.case_number, DispositionItem.status)).all())


def test_propose_and_execute_stay_in_the_askers_jurisdictions(
    client, officer, records, attorney, make_user, clock, settings, database, work
) -> None:
    adopt_both(settings.data_dir)
    cases = two_old_cases(client, officer, clock)
    texan = make_user("records", jurisdictions=[TX])
    r = client.post("/api/retention/propose", headers=texan.headers, json={"as_of": "2026-11-22"})
    assert r.status_code == 200 and r.json["added"] == 1, r.json
    assert statuses(database) == {cases[TX]: "proposed"}
    event = last_event(database, "retention.propose")
    assert event.actor_id == texan.id and TX in str(event.fields) and CA not in str(event.fields)
    # Everything proposed (by records of both) and approved; the Texan destroys Texas only.
    r = client.post("/api/retention/propose", headers=records.headers, json={"as_of": "2026-11-22"})
    assert r.status_code == 200 and r.json["added"] == 1
    event = last_event(database, "retention.propose")
    assert event.actor_id == records.id and {CA, TX} <= set(event.fields or [])
    approve_everything(client, records, attorney)
    r = client.post("/api/retention/execute", headers=texan.headers, json={"as_of": "2026-11-22"})
    assert r.status_code == 202, r.json
    texas_job = r.json["id"]
    work()
    assert statuses(database) == {cases[TX]: "destroyed", cases[CA]: "approved"}
    assert client.get(f"/api/cases/{cases[CA]}", headers=officer.headers).status_code == 200
    event = last_event(database, "retention.execute")
    assert event.actor_id == texan.id and event.fields == [TX]
    # The Californian's view: the Texan's job and certificate do not exist for them.
    californian = make_user("records", jurisdictions=[CA])
    job = client.get(f"/api/retention/jobs/{texas_job}", headers=texan.headers).json
    cert = job["run"]["certificate_url"]
    assert client.get(cert, headers=texan.headers).status_code == 200
    for url in (f"/api/retention/jobs/{texas_job}", cert):
        r = client.get(url, headers=californian.headers)
        assert r.status_code == 404, (url, r.status_code)
    unknown = client.get("/api/retention/jobs/9999", headers=californian.headers)
    r = client.get(f"/api/retention/jobs/{texas_job}", headers=californian.headers)
    assert r.json["error"] == unknown.json["error"].replace("9999", str(texas_job))
    # The administrator of both destroys the rest, and the audit row names where.
    r = client.post("/api/retention/execute", headers=records.headers, json={"as_of": "2026-11-22"})
    assert r.status_code == 202
    work()
    assert statuses(database) == {cases[TX]: "destroyed", cases[CA]: "destroyed"}
    assert last_event(database, "retention.execute").fields == [CA]


def test_a_disposition_job_whose_asker_lost_the_right_destroys_nothing(
    client, officer, records, attorney, make_user, clock, settings, database, work
) -> None:
    adopt_both(settings.data_dir)
    cases = two_old_cases(client, officer, clock)
    r = client.post("/api/retention/propose", headers=records.headers, json={"as_of": "2026-11-22"})
    assert r.status_code == 200, r.json
    approve_everything(client, records, attorney)
    clerk = make_user("records")
    for change in ({"role": "officer"}, {"disabled": True}):
        r = client.post(
            "/api/retention/execute", headers=clerk.headers, json={"as_of": "2026-11-22"}
        )
        assert r.status_code == 202, r.json
        with database.session() as s:
            user = s.get(User, clerk.id)
            for k, v in change.items():
                setattr(user, k, v)
            s.commit()
        work()
        assert set(statuses(database).values()) == {"approved"}
        with database.session() as s:
            job = s.get(Job, r.json["id"])
            assert job.status == "failed" and job.last_error, (job.status, job.progress)
            assert "nothing was" in job.last_error and "ERROR" not in job.last_error.upper()
            user = s.get(User, clerk.id)
            user.role, user.disabled = "records", False
            s.commit()
    assert sorted(cases.values()) == sorted(statuses(database))
