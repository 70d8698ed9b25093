"""Every route of the application and what it takes to be let through, beside the roles table
(`permissions.py`): the permission the caller needs (None: anyone, signed in or not) and
whether the record its address names belongs to a jurisdiction (then a caller who may not see
that jurisdiction is told it does not exist: 404, never 403).

`tests/test_authz_sweep.py` calls every rule of the URL map as the public, as each role and
from each side of a jurisdiction line, and expects what this table says: 401 for the public
(a page sends it to sign in), 403 for a role without the permission, 404 across jurisdictions.
A rule missing here fails that test, so a new route is placed in the table when it is added.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    permission: str | None  # a key of permissions.PERMISSIONS; None: public
    scoped: bool = False  # the address names a record of one jurisdiction


PUBLIC = Route(None)
READ = Route("cases.read", scoped=True)  # a record of a case file, read
WRITE = Route("cases.write", scoped=True)  # a record of a case file, changed
DISCLOSURE = Route("disclosure", scoped=True)  # one records request
BUNDLE = Route("bundles", scoped=True)  # one court bundle

ROUTES: dict[str, Route] = {
    # Public: the service's own description, sign-in, static files, a release link.
    "api-docs.openapi_json": PUBLIC,
    "static": PUBLIC,
    "public.release": PUBLIC,
    "reference.healthz": PUBLIC,
    "readyz": PUBLIC,
    "reference.jurisdictions": PUBLIC,
    "reference.violation_types": PUBLIC,
    "reference.document_types": PUBLIC,
    "ui.signin.home": PUBLIC,
    "ui.signin.login": PUBLIC,
    "ui.signin.logout": PUBLIC,
    # Cases.
    "cases.create_case": Route("cases.write"),
    "cases.list_cases": Route("cases.read"),
    "cases.get_case": READ,
    "cases.refuse": WRITE,
    "cases.close": WRITE,
    "cases.add_party": WRITE,
    "cases.add_violation": WRITE,
    "cases.correct_violation": WRITE,
    "cases.add_inspection": WRITE,
    "ui.cases.cases": Route("cases.read"),
    "ui.cases.new_case": Route("cases.write"),
    "ui.cases.case_page": READ,
    "ui.cases.reveal_complainant": Route("complainant.view", scoped=True),
    "ui.cases.add_party": WRITE,
    "ui.cases.add_violation": WRITE,
    "ui.cases.correct_violation": WRITE,
    "ui.cases.add_inspection": WRITE,
    "ui.cases.refuse": WRITE,
    "ui.cases.close": WRITE,
    "ui.cases.aggravating": WRITE,
    "ui.cases.upload": WRITE,
    "ui.cases.attachment": READ,
    "ui.cases.jurisdiction": Route("cases.read"),  # a jurisdiction's rules: reference, not a record
    "ui.submissions.submitted": Route("cases.read"),
    # Attachments and documents.
    "attachments.upload": WRITE,
    "attachments.attachment_file": READ,
    "documents.create_document": WRITE,
    "documents.list_documents": READ,
    "documents.get_document": READ,
    "documents.patch_document": WRITE,
    "documents.issue_document": WRITE,
    "documents.document_pdf": READ,
    "documents.document_docx": READ,
    "documents.record_service": WRITE,
    "documents.return_receipt": WRITE,
    "ui.documents.new_document": WRITE,
    "ui.documents.create_documents": WRITE,
    "ui.documents.issue_document": WRITE,
    "ui.documents.serve_document": WRITE,
    "ui.documents.document_receipt": WRITE,
    "ui.documents.discard_document": WRITE,
    "ui.documents.document_file": READ,
    # Follow-up and money.
    "followup.clocks": READ,
    "followup.aggravating": WRITE,
    "followup.due": Route("cases.read"),
    "followup.complainant_contact": WRITE,
    "ui.followup.due": Route("cases.read"),
    "ui.followup.case_ledger": READ,
    "ui.followup.add_ledger_entry": WRITE,
    "ui.followup.enter_settlement": WRITE,
    "ui.followup.complainant_contact": WRITE,
    "money.get_ledger": READ,
    "money.add_entry": WRITE,
    "money.add_voucher": WRITE,
    "money.record_lien": WRITE,
    "money.satisfy_lien": WRITE,
    "money.release_lien": WRITE,
    "money.add_citation": WRITE,
    "money.list_citations": READ,
    "money.citation_outcome": WRITE,
    "money.enter_settlement": WRITE,
    "money.complete_settlement": WRITE,
    "money.breach_settlement": WRITE,
    "money.file_appeal": WRITE,
    "money.list_appeals": READ,
    "money.appeal_hearing": WRITE,
    "money.appeal_decision": WRITE,
    # Reports and search.
    "reports.list_reports": Route("reports"),
    "reports.get_report": Route("reports"),
    "reports.post_outreach": Route("cases.write"),
    "reports.list_outreach": Route("cases.read"),
    "reports.create_patrol_area": Route("cases.write"),
    "reports.list_patrol_areas": Route("cases.read"),
    "reports.assign_patrol_properties": WRITE,
    "reports.review_patrol_property": WRITE,
    "ui.followup.reports": Route("reports"),
    "search.get_search": Route("search"),
    "ui.search.search_page": Route("search"),
    # Records requests.
    "disclosure.create_disclosure": Route("disclosure"),
    "disclosure.list_disclosures": Route("disclosure"),
    "disclosure.get_disclosure": DISCLOSURE,
    "disclosure.patch_disclosure": DISCLOSURE,
    "disclosure.record_ruling": DISCLOSURE,
    "disclosure.attach_ruling_letter": DISCLOSURE,
    "disclosure.ruling_letter": DISCLOSURE,
    "disclosure.decide_case": DISCLOSURE,
    "disclosure.proposed_redactions": DISCLOSURE,
    "disclosure.review_redactions": DISCLOSURE,
    "disclosure.decide_exception": DISCLOSURE,
    "disclosure.dismiss_finding": DISCLOSURE,
    "disclosure.release": DISCLOSURE,
    "disclosure.package": DISCLOSURE,
    "disclosure.exemption_log": DISCLOSURE,
    "disclosure.patch_release": DISCLOSURE,
    "disclosure.revoke_release": DISCLOSURE,
    "ui.disclosure.disclosures": Route("disclosure"),
    "ui.disclosure.open_disclosure": Route("disclosure"),
    "ui.disclosure.disclosure_page": DISCLOSURE,
    "ui.disclosure.disclosure_page_image": DISCLOSURE,
    "ui.disclosure.disclosure_package": DISCLOSURE,
    "ui.disclosure.prepare_disclosure_again": DISCLOSURE,
    "ui.disclosure.record_ruling_request": DISCLOSURE,
    "ui.disclosure.record_disclosure_ruling": DISCLOSURE,
    "ui.disclosure.disclosure_ruling_letter": DISCLOSURE,
    "ui.disclosure.review_disclosure": DISCLOSURE,
    "ui.disclosure.dismiss_disclosure_finding": DISCLOSURE,
    "ui.disclosure.decide_disclosure_case": DISCLOSURE,
    "ui.disclosure.decide_disclosure_exception": DISCLOSURE,
    "ui.disclosure.release_disclosure": DISCLOSURE,
    "ui.disclosure.close_disclosure": DISCLOSURE,
    "ui.disclosure.revoke_release": DISCLOSURE,
    "ui.disclosure.set_release_expiry": DISCLOSURE,
    # Court bundles.
    "bundles.request_bundle": BUNDLE,
    "bundles.list_bundles": BUNDLE,
    "bundles.get_bundle": BUNDLE,
    "bundles.volume": BUNDLE,
    "bundles.manifest": BUNDLE,
    "bundles.certify": Route("bundles.certify", scoped=True),
    "bundles.certification": BUNDLE,
    "ui.bundles.request_bundle": BUNDLE,
    "ui.bundles.bundle_page": BUNDLE,
    "ui.bundles.bundle_volume": BUNDLE,
    "ui.bundles.bundle_manifest": BUNDLE,
    "ui.bundles.bundle_certification": BUNDLE,
    "ui.bundles.certify_bundle": Route("bundles.certify", scoped=True),
    # Legal holds and retention (lists are filtered to the caller's jurisdictions).
    "retention.place_hold": Route("holds"),
    "retention.list_holds": Route("holds"),
    "retention.release_hold": Route("holds", scoped=True),
    "retention.retention_list": Route("retention.list"),
    "retention.retention_propose": Route("retention.execute"),
    "retention.retention_queue": Route("retention.approve"),
    "retention.retention_approve": Route("retention.approve"),
    "retention.retention_execute": Route("retention.execute"),
    "retention.retention_job": Route("retention.list", scoped=True),
    "retention.certificate": Route("retention.list", scoped=True),
    "ui.retention.retention_page": Route("retention.approve"),
    "ui.retention.retention_propose": Route("retention.execute"),
    "ui.retention.retention_approve": Route("retention.approve"),
    "ui.retention.retention_approve_all": Route("retention.approve"),
    "ui.retention.retention_execute": Route("retention.execute"),
    "ui.retention.place_hold": Route("holds"),
    "ui.retention.release_hold": Route("holds", scoped=True),
    "ui.retention.retention_certificate": Route("retention.list", scoped=True),
}
