"""The case's next steps (docsvc/followup/next_actions.py), in-process: for a case in each state
(intake, investigating, noticed, awaiting service, served, overdue, closed) and for each role."""

from __future__ import annotations

import io

import pytest

from docsvc.cases import service as cases
from docsvc.followup.clocks import clocks_view
from docsvc.followup.next_actions import NextAction, next_actions, next_clock
from docsvc.models import User
from tests import helpers
from tests.conftest import complaint_case
from tests.documents_helpers import article_number, build_case, issue


def steps(database, user, number: str) -> list[NextAction]:
    with database.session() as s:
        staff = s.get(User, user.id)
        assert staff is not None
        case = cases.get_case(s, staff, number)
        return next_actions(s, case, staff)


def said(actions: list[NextAction]) -> list[tuple[str, str, str]]:
    return [(a.action, a.label, a.form) for a in actions]


def test_intake_inspect_by_the_clock_then_record_a_violation(
    client, database, officer, clock
) -> None:
    clock("2026-11-16T10:00:00-06:00")
    body = complaint_case("lees-summit-mo", received_at="2026-11-16T09:30:00-06:00")
    number = client.post("/api/cases", json=body, headers=officer.headers).json["case_number"]
    got = steps(database, officer, number)
    assert [a.action for a in got] == ["inspect", "record_violation"]
    assert got[0].form == "inspection-form" and got[0].section == "inspections"
    assert got[0].label.startswith("Inspect the property by Nov ")
    assert got[1] == NextAction(
        "record_violation", "Record a violation", "violation-form", "violations"
    )


def test_investigating_without_an_owner_asks_for_the_owner_first(
    client, database, officer, clock
) -> None:
    clock("2026-11-18T09:00:00-08:00")
    number = client.post("/api/cases", json=complaint_case(), headers=officer.headers).json[
        "case_number"
    ]
    r = client.post(
        f"/api/cases/{number}/violations",
        headers=officer.headers,
        json={"violation_type": "junk-debris", "description": "Couch on the lawn",
              "observed_at": "2026-11-17T10:00:00-08:00"},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    got = steps(database, officer, number)
    assert got[0] == NextAction("add_owner", "Add the owner as a party", "party-form", "parties")
    # The owner added: the notice is what the case needs.
    r = client.post(
        f"/api/cases/{number}/parties",
        headers=officer.headers,
        json={"role": "owner", "name": "Dana Owner", "mailing_address": "PO Box 9"},
    )
    assert r.status_code == 201, r.json
    got = steps(database, officer, number)
    assert "add_owner" not in [a.action for a in got]
    assert ("issue_notice", "Issue a notice of violation", "") in said(got)


def test_noticed_and_awaiting_service_then_the_return_receipt(
    client, database, officer, clock
) -> None:
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    got = steps(database, officer, built.case)
    # The notice out is served first; the violation it leaves out needs a notice of its own.
    assert [a.action for a in got] == ["record_service", "issue_notice"]
    got = steps(database, officer, built.case)
    name = f"Notice of Violation NOV-{doc['id']}"
    assert ("record_service", f"Record service for {name}", f"service-form-{doc['id']}") in said(
        got
    )
    clock("2026-11-18T10:00:00-08:00")
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=officer.headers,
        json={"method": "certified_mail", "mailed_at": "2026-11-18T09:30:00-08:00",
              "article_number": article_number()},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    got = steps(database, officer, built.case)
    assert "record_service" not in [a.action for a in got]
    receipt = (
        "record_receipt",
        f"Record the return receipt for {name}",
        f"receipt-form-{doc['id']}",
    )
    assert receipt in said(got)
    # Served: the card recorded, nothing about the service is left to do.
    clock("2026-11-21T09:00:00-08:00")
    r = client.post(
        f"/api/documents/{doc['id']}/return-receipt",
        headers=officer.headers,
        content_type="multipart/form-data",
        data={"status": "delivered", "delivered_at": "2026-11-20T14:05:00-08:00",
              "signed_by": "R. Smith", "file": (io.BytesIO(helpers.pdf("3811")), "3811.pdf")},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    got = steps(database, officer, built.case)
    assert not {"record_service", "record_receipt", "add_owner"} & {a.action for a in got}


def test_overdue_reinspection_comes_first_and_says_since_when(
    client, database, officer, clock
) -> None:
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    doc = issue(client, officer.headers, built, "notice_of_violation")
    clock("2026-11-18T10:30:00-08:00")
    r = client.post(
        f"/api/documents/{doc['id']}/service",
        headers=officer.headers,
        json={"method": "personal", "served_at": "2026-11-18T10:00:00-08:00",
              "served_to": "Dana Owner", "served_where": "At the door", "served_by": "Officer"},
    )  # fmt: skip
    assert r.status_code == 201, r.json
    clock("2027-06-01T09:00:00-07:00")  # long past the compliance date and the re-inspection
    got = steps(database, officer, built.case)
    # Both overdue, the older first: the complainant's call, then the re-inspection.
    assert [a.action for a in got] == ["contact_complainant", "reinspect"]
    assert got[1].form == "inspection-form"
    assert got[1].label.startswith("Re-inspect (overdue since ")
    with database.session() as s:
        staff = s.get(User, officer.id)
        case = cases.get_case(s, staff, built.case)
        view = clocks_view(s, case)
        zone = cases.case_profile(s, case).zone
    soonest = next_clock(view, zone)
    assert soonest is not None and soonest.status == "overdue"
    assert soonest.words.startswith("overdue since ") and "days ago" in soonest.words
    assert soonest.due_at.tzname() in ("PST", "PDT")  # the zone's own name, not an offset


def test_all_corrected_offers_to_close_and_a_closed_case_offers_nothing(
    client, database, officer, clock
) -> None:
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    for v in built.violations:
        r = client.post(
            f"/api/cases/{built.case}/violations/{v}/correct",
            headers=officer.headers,
            json={"corrected_at": "2026-11-18T08:00:00-08:00", "method": "Hauled away"},
        )
        assert r.status_code == 200, r.json
    got = steps(database, officer, built.case)
    assert ("close", "Close the case", "close-form") in said(got)
    r = client.post(
        f"/api/cases/{built.case}/close",
        headers=officer.headers,
        json={"reason": "voluntary_compliance", "resolution": "Cleaned up."},
    )
    assert r.status_code == 200, r.json
    assert steps(database, officer, built.case) == []


@pytest.mark.parametrize("role", ["records", "attorney"])
def test_a_role_that_does_not_record_is_offered_no_officer_step(
    client, database, officer, make_user, clock, role
) -> None:
    clock("2026-11-18T09:00:00-08:00")
    built = build_case(client, officer.headers, "los-gatos-ca")
    issue(client, officer.headers, built, "notice_of_violation")
    assert steps(database, officer, built.case)  # the officer has steps to take
    assert steps(database, make_user(role), built.case) == []


def test_at_most_two_and_one_button_a_form() -> None:
    # Two clocks met by one inspection (investigate, re-inspect) are one step.
    from docsvc.followup.next_actions import _from_clock

    a = _from_clock({"name": "investigate", "status": "due", "due_at": "2026-12-14T17:00:00-08:00"})
    b = _from_clock({"name": "reinspection", "status": "overdue", "document_id": 3,
                     "due_at": "2026-12-10T17:00:00-08:00"})  # fmt: skip
    assert a is not None and a.label == "Inspect the property by Dec 14"
    assert b is not None and b.label == "Re-inspect (overdue since Dec 10)"
    assert _from_clock({"name": "compliance", "status": "due", "due_at": "2026-12-14"}) is None


def test_a_case_referred_to_the_attorney_asks_the_attorney_for_its_bundle(
    client, database, officer, attorney, records, clock
) -> None:
    from tests.test_referrals import tb_case

    clock("2030-01-07T09:00:00-06:00")
    case, _, violation = tb_case(client, officer.headers, "5 Pine Street")
    assert steps(database, attorney, case) == []  # nothing for court yet
    r = client.put(
        f"/api/cases/{case}/violations/{violation}/imminent-threat",
        headers=officer.headers,
        json={"imminent_threat": True, "note": "Open cistern"},
    )
    assert r.status_code == 200, r.json
    r = client.post(
        f"/api/cases/{case}/referrals",
        headers=officer.headers,
        json={"kind": "imminent_threat", "referred_on": "2030-01-07"},
    )
    assert r.status_code == 201, r.json
    bundle = NextAction("build_bundle", "Build a court bundle", "bundle-form", "bundles")
    assert steps(database, attorney, case) == [bundle]
    assert steps(database, records, case) == [bundle]
    assert "build_bundle" not in [a.action for a in steps(database, officer, case)]
    r = client.post(f"/api/cases/{case}/bundles", headers=attorney.headers, json={})
    assert r.status_code in (201, 202), r.json
    assert steps(database, attorney, case) == []  # bundled: nothing left to offer
