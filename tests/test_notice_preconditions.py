"""What a case must have before a document type is issued, as each profile lists it
(docsvc/documents/preconditions.py): refused with a sentence naming what is missing."""

from __future__ import annotations

import pytest

from tests.documents_helpers import build_case, document_body, issue, pdf_text


def post(client, h, built, doc_type: str, **over):
    return client.post(
        f"/api/cases/{built.case}/documents", headers=h, json=document_body(doc_type, built, **over)
    )


@pytest.mark.rule("TB VIII.C.2", "LG VII.b.ii")
@pytest.mark.parametrize("jurisdiction", ["tom-bean-tx", "los-gatos-ca"])
def test_agreement_only_after_a_notice_of_violation(client, officer, jurisdiction) -> None:
    h = officer.headers
    built = build_case(client, h, jurisdiction)
    r = post(client, h, built, "voluntary_compliance_agreement")
    assert r.status_code == 409, r.json
    assert (
        "Notice of Violation" in r.json["error"]
        and "issue the Notice of Violation first" in (r.json["error"])
    )
    assert r.json["details"]["missing"] == "notice_of_violation"
    # A draft may be prepared; issuing it is refused the same way.
    draft = issue(client, h, built, "voluntary_compliance_agreement", draft=True)
    assert client.post(f"/api/documents/{draft['id']}/issue", headers=h).status_code == 409
    issue(client, h, built, "notice_of_violation")
    r = client.post(f"/api/documents/{draft['id']}/issue", headers=h)
    assert r.status_code == 200 and r.json["status"] == "issued"


def test_agreement_without_the_rule_needs_no_notice_first(client, officer) -> None:
    """Lee's Summit's profile lists no such rule: it does not show there."""
    built = build_case(client, officer.headers, "lees-summit-mo")
    issue(client, officer.headers, built, "voluntary_compliance_agreement")


@pytest.mark.rule("TB XIII.C")
def test_resolution_only_for_a_closed_case(client, officer, tmp_path) -> None:
    h = officer.headers
    built = build_case(client, h, "tom-bean-tx")
    r = post(client, h, built, "notice_of_resolution")
    assert r.status_code == 409, r.json
    assert "still open: close the case first" in r.json["error"]
    assert r.json["details"]["missing"] == "case_closed"
    r = client.post(
        f"/api/cases/{built.case}/close",
        headers=h,
        json={"reason": "voluntary_compliance", "resolution": "Corrected."},
    )
    assert r.status_code == 200, r.json
    doc = issue(client, h, built, "notice_of_resolution")
    assert doc["status"] == "issued"


@pytest.mark.rule("LG VII.a.ii")
def test_notice_to_a_tenant_only_once_the_owner_has_theirs(client, officer, tmp_path) -> None:
    h = officer.headers
    built = build_case(client, h, "los-gatos-ca")
    r = post(client, h, built, "notice_of_violation", recipient_party_id=built.tenant)
    assert r.status_code == 409, r.json
    error = r.json["error"]
    assert "separate notice is sent to the owner" in error and "the owner has none" in error
    assert "issue the owner's Notice of Violation first, or with this one" in error
    assert r.json["details"]["missing_recipient"] == "owner"
    assert "Smith" not in error  # the owner by role, never a name
    to_owner = issue(client, h, built, "notice_of_violation")
    to_tenant = issue(client, h, built, "notice_of_violation", recipient_party_id=built.tenant)
    tenant_text = " ".join(
        pdf_text(client.get(to_tenant["pdf_url"], headers=h).data, tmp_path).split()
    )
    assert "A separate notice is sent to the owner." in tenant_text
    owner_text = " ".join(
        pdf_text(client.get(to_owner["pdf_url"], headers=h).data, tmp_path).split()
    )
    assert "separate notice is sent to the owner" not in owner_text


@pytest.mark.rule("LG VII.a.ii")
def test_a_case_with_no_owner_is_told_to_add_one(client, officer) -> None:
    h = officer.headers
    built = build_case(client, h, "los-gatos-ca")
    r = client.post(
        f"/api/cases/{built.case}/parties",
        headers=h,
        json={"role": "contractor", "name": "Ace Builders", "mailing_address": "1 Way, X, CA 1"},
    )
    assert r.status_code == 201
    # Not the owner's case: a fresh one with a tenant only.
    from tests.conftest import complaint_case

    case = client.post(
        "/api/cases", headers=h, json=complaint_case(jurisdiction="los-gatos-ca")
    ).json["case_number"]
    tenant = client.post(
        f"/api/cases/{case}/parties",
        headers=h,
        json={"role": "tenant", "name": "Pat Tenant", "mailing_address": "1418 Elm Street"},
    ).json["id"]
    vid = client.post(
        f"/api/cases/{case}/violations",
        headers=h,
        json={"violation_type": "junk-debris", "description": "Debris",
              "observed_at": "2026-11-17T10:00:00-08:00"},
    ).json["id"]  # fmt: skip
    r = client.post(
        f"/api/cases/{case}/documents",
        headers=h,
        json={"type": "notice_of_violation", "recipient_party_id": tenant, "violation_ids": [vid],
              "fields": {"corrective_action": "Remove it."}},
    )  # fmt: skip
    assert r.status_code == 409, r.json
    assert f"add the owner as a party of case {case}" in r.json["error"]


@pytest.mark.rule("LG VII.a.ii")
def test_owner_and_tenant_issued_together_on_the_page(client, signed_in, officer, database) -> None:
    """'Issued with it': the page issues the owner's notice first, whatever the order ticked."""
    from sqlalchemy import select

    from docsvc.models import Document
    from tests.helpers import tokens

    built = build_case(client, officer.headers, "los-gatos-ca")
    signed_in()
    page = client.get(f"/cases/{built.case}/documents/new?type=notice_of_violation")
    form = {
        **tokens(page.data),
        "type": "notice_of_violation",
        "recipient": [str(built.tenant), str(built.owner)],
        "violation_ids": [str(built.violations[0])],
        "photo_ids": [str(built.photo)],
        "f_corrective_action": "Remove the couch.",
        "action": "issue",
        "confirmed": "yes",
    }
    r = client.post(f"/cases/{built.case}/documents", data=form)
    assert r.status_code == 302, r.get_data(as_text=True)[:3000]
    with database.session() as s:
        issued = s.scalars(select(Document).where(Document.status == "issued")).all()
        assert sorted(d.recipient_party_id for d in issued) == sorted([built.owner, built.tenant])


@pytest.mark.rule("JC 1(a)(ii)")
def test_violation_notice_without_a_warning_needs_a_reason(
    client, officer, database, tmp_path
) -> None:
    from sqlalchemy import select

    from docsvc.models import AuditEvent

    h = officer.headers
    built = build_case(client, h, "jefferson-county-wa")
    r = post(client, h, built, "notice_of_violation")
    assert r.status_code == 422, r.json
    assert r.json["details"]["field"] == "no_warning_reason"
    assert "written warning before enforcement" in r.json["error"]
    assert "immediate adverse impact" in r.json["error"]
    reason = "Raw sewage flowing into the creek: it could not wait for a warning."
    doc = issue(client, h, built, "notice_of_violation", no_warning_reason=reason)
    assert doc["no_warning_reason"] == reason
    text = " ".join(pdf_text(client.get(doc["pdf_url"], headers=h).data, tmp_path).split())
    assert "Why no warning was given first" in text and "Raw sewage flowing" in text
    with database.session() as s:
        rows = s.scalars(
            select(AuditEvent).where(
                AuditEvent.object_type == "document", AuditEvent.object_id == str(doc["id"])
            )
        ).all()
        assert any(
            "no_warning_reason" in (e.fields or []) for e in rows if e.action == "document.issue"
        )
    # Once a warning is issued on the case, no reason is needed.
    other = build_case(client, h, "jefferson-county-wa")
    issue(client, h, other, "warning_notice")
    assert issue(client, h, other, "notice_of_violation")["no_warning_reason"] is None


@pytest.mark.rule("JC 1(a)(ii)")
def test_no_warning_reason_only_where_the_profile_asks(client, officer) -> None:
    built = build_case(client, officer.headers, "tom-bean-tx")
    r = post(client, officer.headers, built, "notice_of_violation", no_warning_reason="Urgent.")
    assert r.status_code == 422 and "leave no_warning_reason out" in r.json["error"]
