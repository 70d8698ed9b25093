"""Pages that wait on the background worker refresh themselves with its progress, and stop
when it is done or has failed, saying what to do next."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from docsvc.models import Job
from tests import helpers
from tests.conftest import complaint_case

REFRESH = b'http-equiv="refresh"'


def test_a_request_page_refreshes_while_prepared_and_stops_with_what_to_do_when_it_fails(
    client, signed_in, officer, work, database
) -> None:
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json[
        "case_number"
    ]
    memo = helpers.pdf_with(helpers.text_ops("Site visit memo."))
    helpers.upload(client, officer.headers, case, memo, "memo.pdf", kind="correspondence")
    clerk = signed_in("records")
    body = {
        "jurisdiction": "los-gatos-ca",
        "requester": {"name": "Pat"},
        "received_at": "2026-11-20T10:00:00-08:00",
        "description": "The yard",
        "case_numbers": [case],
    }
    rid = client.post("/api/disclosures", headers=clerk.headers, json=body).json["id"]
    page = client.get(f"/disclosures/{rid}").data
    assert REFRESH in page and b'<progress max="1" value="0">' in page
    # The worker gave up on it: the page stops refreshing and says what to do.
    with database.session() as s:
        s.execute(
            update(Job)
            .where(Job.kind == "disclosure_prepare", Job.ref_id == rid)
            .values(status="failed", last_error="OSError: the record could not be read")
        )
        s.commit()
    page = client.get(f"/disclosures/{rid}").data
    assert REFRESH not in page
    assert b"Preparing the records stopped: OSError: the record could not be read" in page
    assert b"Prepare the rest again" in page
    r = client.post(f"/disclosures/{rid}/prepare-again", data={**helpers.tokens(page)})
    assert r.status_code == 302
    page = client.get(f"/disclosures/{rid}").data
    assert REFRESH in page and b"Prepare the rest again" not in page
    work()
    page = client.get(f"/disclosures/{rid}").data
    assert REFRESH not in page and b'id="review-form"' in page
    r = client.post(f"/disclosures/{rid}/prepare-again", data={**helpers.tokens(page)})
    assert r.status_code == 409 and b"prepared already" in r.data


def test_a_bundle_page_refreshes_while_built_and_stops_when_done(
    client, signed_in, officer, work
) -> None:
    case = client.post("/api/cases", headers=officer.headers, json=complaint_case()).json[
        "case_number"
    ]
    attorney = signed_in("attorney")
    r = client.post(
        f"/api/cases/{case}/bundles", headers=attorney.headers, json={"bates_prefix": "B"}
    )
    bundle = r.json["id"]
    page = client.get(f"/bundles/{bundle}").data
    assert REFRESH in page and b"waiting for the background worker" in page
    work()
    page = client.get(f"/bundles/{bundle}").data
    assert REFRESH not in page and b'id="volumes"' in page


def test_the_retention_page_refreshes_while_a_disposition_runs_and_stops_when_done(
    client, signed_in, officer, clock, work, settings
) -> None:
    from tests.retention_helpers import adopt, closed_case

    adopt(settings.data_dir)
    closed_case(client, officer, clock, "2021-03-10T10:00:00-08:00")
    clock("2026-11-22T09:00:00-08:00")
    signed_in("admin")
    page = client.get("/retention").data
    assert REFRESH not in page
    token = helpers.tokens(page)
    assert client.post("/retention/propose", data={**token}).status_code == 302
    r = client.post("/retention/approve-all", data={**token, "confirmed": "yes"})
    assert r.status_code == 302
    page = client.get("/retention").data
    assert REFRESH in page and b'id="approval-progress"' in page
    work()
    page = client.get("/retention").data
    assert REFRESH not in page
    r = client.post("/retention/execute", data={**token, "confirmed": "yes"})
    assert r.status_code == 302
    page = client.get("/retention").data
    assert REFRESH in page and b"Disposition: waiting for the background worker" in page
    work()
    page = client.get("/retention").data
    assert REFRESH not in page and b'id="job-progress"' not in page
    assert b"certificate" in page


@pytest.mark.parametrize(
    "progress",
    [None, {}, {"stage": "gathering"}, {"message": "an earlier attempt stopped"}, {"total": 3}],
)
def test_a_running_jobs_progress_renders_whatever_it_holds(app, progress) -> None:
    """A job's progress row holds a stage alone, or an earlier attempt's outcome, at times: the
    page says it is working instead of answering 500 (seen on a bundle's page)."""
    from types import SimpleNamespace

    job = SimpleNamespace(status="running", progress=progress, last_error=None)
    with app.test_request_context():
        macro = app.jinja_env.get_template("_progress.html").module.job_progress
        html = str(macro(job, "Bundle", {"gathering": "gathering the records"}))
    assert 'role="status"' in html and "Bundle:" in html
