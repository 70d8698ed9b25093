"""One presenter per resource, used by the API and the pages alike: rows into the dicts the API
returns (its Out schemas document them; tests/test_presenters.py keeps the two in step) and the
pages show. Times are in the jurisdiction's own zone, with its offset."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, overload
from zoneinfo import ZoneInfo

from flask import request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.auth.scope import scope
from docsvc.bundles import service as bundles
from docsvc.cases import community, history, repeats
from docsvc.cases import service as cases
from docsvc.cases.queries import CaseList
from docsvc.disclosure import exceptions, links, ruling
from docsvc.disclosure.renditions import describe
from docsvc.disclosure.requests import request_zone
from docsvc.documents import compliance
from docsvc.documents.deadlines import Rule, strictest
from docsvc.followup.next_actions import NextAction, next_actions
from docsvc.identity.guard import Complainant, bears_identity
from docsvc.identity.mask import masker
from docsvc.labels import label
from docsvc.models import (
    Attachment,
    Bundle,
    Case,
    DisclosureCase,
    DisclosureItem,
    DisclosureRequest,
    DispositionItem,
    DispositionRun,
    Document,
    Hold,
    HoldScope,
    Job,
    Property,
    Redaction,
    Release,
    User,
)
from docsvc.profiles.model import Profile
from docsvc.retention import holds as holding
from docsvc.web.context import db, settings


# Present in, present out: a caller that has checked the value gets a datetime back.
@overload
def _local(value: datetime, zone: ZoneInfo) -> datetime: ...
@overload
def _local(value: None, zone: ZoneInfo) -> None: ...
@overload
def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None: ...
def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return value.astimezone(zone) if value is not None else None


def local_iso(value: datetime | None, zone: ZoneInfo) -> str | None:
    """For dicts returned without a schema: the same ISO 8601 text, with the zone's offset."""
    return value.astimezone(zone).isoformat() if value is not None else None


def case_summary(case: Case, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "case_number": case.case_number,
        "jurisdiction": case.jurisdiction_code,
        "status": case.status,
        "origin": case.origin,
        "opened_at": _local(case.opened_at, zone),
        "updated_at": _local(case.updated_at, zone),
        "address": case.property.address,
    }


def case_list_dict(found: CaseList) -> dict[str, Any]:
    """A page of the case list."""
    return {
        "total": found.total,
        "page": found.page,
        "per_page": found.per_page,
        "results": [case_summary(c, zone) for c, zone in found.cases],
    }


def attachment_dict(
    att: Attachment, case_number: str, zone: ZoneInfo, *, withheld: bool = False
) -> dict[str, Any]:
    """One file's description. A file that bears the complainant's identity may name them in
    its caption, its file name or (a photo from their window) its position and device: those
    are `withheld` until the complainant is shown, through the guard."""
    photo = att.thumb_sha256 is not None
    return {
        "id": att.id,
        "case_number": case_number,
        "kind": att.kind,
        "media_type": att.media_type,
        "sha256": att.sha256,
        "size": att.size,
        "original_filename": None if withheld else att.original_filename,
        "caption": None if withheld else att.caption,
        "withheld_until_shown": withheld,
        "supplied_by_complainant": att.supplied_by_complainant,
        "uploaded_at": _local(att.uploaded_at, zone),
        "page_count": att.page_count,
        "taken_at": _local(att.taken_at, zone),
        "gps": {"lat": att.gps_lat, "lon": att.gps_lon}
        if att.gps_lat is not None and not withheld
        else None,
        "device": None if withheld else att.device,
        "orientation": att.orientation,
        "width": att.width,
        "height": att.height,
        "file_url": url_for(
            "attachments.attachment_file", attachment_id=att.id, variant="original"
        ),
        "print_url": url_for("attachments.attachment_file", attachment_id=att.id, variant="print")
        if photo
        else None,
        "thumbnail_url": url_for(
            "attachments.attachment_file", attachment_id=att.id, variant="thumb"
        )
        if photo
        else None,
    }


def _mask_all(out: dict[str, Any], masked: Callable[[str | None], str | None]) -> None:
    """Every text typed on the case file, masked where it names the complainant: the
    complaint's description, violations, inspection reports and their measurements, captions
    and camera fields."""

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return masked(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    if out["complaint"] is not None:
        out["complaint"]["description"] = masked(out["complaint"]["description"])
    for key in ("violations", "inspections"):
        out[key] = walk(out[key])
    for a in out["attachments"]:
        a["caption"], a["device"] = masked(a["caption"]), masked(a["device"])


def case_attachments(session: Session, case: Case) -> list[Attachment]:
    return list(
        session.scalars(
            select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
        )
    )


def case_detail(
    session: Session,
    case: Case,
    profile: Profile,
    viewer: User,
    complainant: Complainant | None = None,
    *,
    clocks: dict[str, Any] | None = None,
    actions: list[NextAction] | None = None,
) -> dict[str, Any]:
    """The whole case file as `viewer` may see it. The complainant's identity (and what bears
    it: their files' captions, other complaints they made) only when the caller got it from the
    identity guard, which audited the view; histories only within the viewer's jurisdictions."""
    zone = profile.zone
    out = case_summary(case, zone)
    prop = case.property
    out["origin_note"] = case.origin_note
    out["property"] = property_dict(prop)
    complaint = case.complaint
    if complaint is not None:
        person = complainant.as_dict() if complainant is not None else None
        rules = profile.complaints
        types = {t["code"]: t["title"] for t in rules.get("types") or []}
        factors = {f["code"]: f["title"] for f in rules.get("anonymous_factors") or []}
        found = complaint.anonymous_factors or {}
        out["complaint"] = {
            "received_at": _local(complaint.received_at, zone),
            "channel": complaint.channel,
            "description": complaint.description,
            "anonymous": complaint.anonymous,
            "discretion_approved_by": complaint.discretion_approved_by,
            # The discretion's weighing, in the profile's order and words (Tom Bean V.A.2).
            "anonymous_factors": [
                {"code": code, "factor": factors.get(code, code), "finding": found[code]}
                for code in [*factors, *(c for c in found if c not in factors)]
                if code in found
            ],
            "complaint_type": complaint.complaint_type,
            "complaint_type_title": types.get(complaint.complaint_type or "")
            or (label(complaint.complaint_type) if complaint.complaint_type else None),
            "disclosure_preference": complaint.disclosure_preference,
            "disclosure_preference_at": _local(complaint.disclosure_preference_at, zone),
            "complainant": person,
        }
    else:
        out["complaint"] = None
    seen = scope(viewer)
    party_hist = history.party_history(session, case, seen)
    out["parties"] = [
        {
            "id": p.id,
            "role": p.role,
            "name": p.name,
            "mailing_address": p.mailing_address,
            "phone": p.phone,
            "email": p.email,
            "prior_cases": party_hist.get(p.id, []),
        }
        for p in case.parties
    ]
    library = profile.violation_types
    firsts = repeats.first_reports(session, list(case.violations))
    out["violations"] = [
        {
            "id": v.id,
            "violation_type": v.violation_type,
            "title": library.get(v.violation_type, {}).get("title", v.violation_type),
            "citation": library.get(v.violation_type, {}).get("citation", ""),
            "description": v.description,
            "observed_at": _local(v.observed_at, zone),
            "corrected_at": _local(v.corrected_at, zone),
            "correction_method": v.correction_method,
            "repeat_of": firsts.get(v.id),
        }
        for v in case.violations
    ]
    out["inspections"] = [
        {
            "id": i.id,
            "investigator": i.investigator,
            "visited_at": _local(i.visited_at, zone),
            "place": i.place,
            "violations_observed": i.violations_observed,
            "conditions_observed": i.conditions_observed,
            "witnesses": i.witnesses,
            "evidence": i.evidence,
            "discussions": i.discussions,
            "action_needed": i.action_needed,
            "recommended_action": i.recommended_action,
            "referrals": i.referrals,
            "measurements": i.measurements or [],
        }
        for i in case.inspections
    ]
    out["attachments"] = [
        attachment_dict(
            a,
            case.case_number,
            zone,
            withheld=complainant is None and bears_identity(a, session),
        )
        for a in case_attachments(session, case)
    ]
    if complainant is None:  # what an officer wrote may quote the complainant too
        _mask_all(out, masker(session, case))
    out["other_complaints"] = community.other_complaints(session, case)
    out["refusal"] = (
        {
            "reason": case.refusal_reason,
            "note": case.refusal_note,
            "at": _local(case.refused_at, zone).isoformat(),
        }
        if case.refused_at
        else None
    )
    out["closure"] = (
        {
            "reason": case.closure_reason,
            "resolution": case.resolution,
            "at": _local(case.closed_at, zone).isoformat(),
        }
        if case.closed_at
        else None
    )
    hist: dict[str, Any] = {"property": history.property_history(session, case, seen)}
    if complainant is not None:
        hist["complainant"] = history.complainant_history(session, case, seen)
    out["history"] = hist
    if actions is None:
        actions = next_actions(session, case, viewer, clocks)
    out["next_actions"] = next_actions_list(case, actions)
    return out


def next_actions_list(case: Case, actions: list[NextAction]) -> list[dict[str, str]]:
    """The case's next steps (followup/next_actions.py), each with the address of the case
    page's form that does it (or the page that prepares a notice)."""
    out = []
    for a in actions:
        if a.form:
            href = url_for("ui.cases.case_page", case_number=case.case_number) + f"#{a.form}"
        else:
            href = url_for("ui.documents.new_document", case_number=case.case_number)
        out.append({"label": a.label, "action": a.action, "href": href})
    return out


def property_dict(prop: Property) -> dict[str, Any]:
    """The property; its point and parcel outline where recorded (the location map's)."""
    return {
        "id": prop.id,
        "address": prop.address,
        "parcel": prop.parcel,
        "zoning": prop.zoning,
        "assessor_owner": prop.assessor_owner,
        "latitude": prop.latitude,
        "longitude": prop.longitude,
        "parcel_outline": prop.parcel_outline,
    }


def bundle_dict(bundle: Bundle, case: Case) -> dict[str, Any]:
    status, progress, error = bundles.state_of(db(), bundle)
    done = status == "done"
    return {
        "id": bundle.id,
        "case_number": case.case_number,
        "status": status,
        "progress": progress,
        "error": error,
        "redacted": bundle.redacted,
        "bates_prefix": bundle.bates_prefix,
        "pages": bundle.pages,
        "volumes": [
            {
                "number": v.number,
                "pdf_url": url_for("bundles.volume", bundle_id=bundle.id, number=v.number),
                "first_bates": v.first_bates,
                "last_bates": v.last_bates,
                "pages": v.pages,
                "size": v.size,
                "sha256": v.sha256,
            }
            for v in bundle.volumes
        ],
        "manifest_url": url_for("bundles.manifest", bundle_id=bundle.id) if done else None,
        "certification_url": url_for("bundles.certification", bundle_id=bundle.id)
        if bundle.certification_sha256
        else None,
        "requested_at": bundle.requested_at,
    }


def request_dict(req: DisclosureRequest) -> dict[str, Any]:
    s = db()
    cases = s.execute(
        select(DisclosureCase, Case.case_number)
        .join(Case, Case.id == DisclosureCase.case_id)
        .where(DisclosureCase.request_id == req.id)
        .order_by(Case.case_number)
    ).all()
    items = s.scalars(
        select(DisclosureItem)
        .where(DisclosureItem.request_id == req.id)
        .order_by(DisclosureItem.seq)
    ).all()
    numbers = {d.case_id: n for d, n in cases}
    zone = request_zone(s, req)
    release = s.scalar(select(Release).where(Release.request_id == req.id))
    proposed = s.scalars(select(Redaction.id).where(Redaction.request_id == req.id)).all()
    return {
        "id": req.id,
        "jurisdiction": req.jurisdiction_code,
        "requester": {"name": req.requester_name, "email": req.requester_email},
        "received_at": local_iso(req.received_at, zone),
        "description": req.description,
        "case_numbers": req.case_numbers,
        "query": req.query,
        "due_at": local_iso(req.due_at, zone),
        "ruling_due_at": local_iso(req.ruling_due_at, zone),
        "ruling_requested_at": local_iso(req.ruling_requested_at, zone),
        "ruling": ruling.ruling_dict(s, req, zone),
        "status": req.status,
        "notes": req.notes,
        "reviewed_at": local_iso(req.reviewed_at, zone),
        "prepared": sum(1 for i in items if i.review_sha256),
        "cases": [
            {
                "case_number": n,
                "decision": d.decision,
                "statute": d.statute,
                "explanation": d.explanation,
                "decided_at": local_iso(d.decided_at, zone),
            }
            for d, n in cases
        ],
        "items": [
            {
                "id": i.id,
                "case_number": numbers[i.case_id],
                "record": describe(s, i),
                "pages": i.page_count,
                "page_sizes": i.page_sizes,
            }
            for i in items
        ],
        "redactions": len(proposed),
        "exceptions": [
            {
                "id": e.id,
                "case_number": number,
                "kind": e.kind,
                "reason": e.reason,
                "status": e.status,
                "decided_at": local_iso(e.decided_at, zone),
            }
            for e, number in exceptions.listing(s, req.id)
        ],
        "release": release_urls(release, zone) if release else None,
    }


def public_address(path: str) -> str:
    """`path` as the public reaches it: on DOCSVC_PUBLIC_URL where set, else on this
    request's own host (a demo)."""
    base = settings().public_url
    return f"{base}{path}" if base else f"{request.host_url.rstrip('/')}{path}"


def release_urls(release: Release, zone: ZoneInfo | None = None) -> dict[str, Any]:
    """A release: its links, and whether the public one still works (live, revoked, expired),
    with the times in the request's jurisdiction's zone."""
    s = db()
    if zone is None:
        zone = request_zone(s, s.get_one(DisclosureRequest, release.request_id))
    revoker = s.get(User, release.revoked_by_id) if release.revoked_by_id else None
    return {
        "package_url": url_for("disclosure.package", request_id=release.request_id),
        "public_url": public_address(url_for("public.release", token=release.token)),
        "released_at": local_iso(release.released_at, zone),
        "files": release.files,
        "link": links.state(release),
        "expires_at": local_iso(release.expires_at, zone),
        "revoked_at": local_iso(release.revoked_at, zone),
        "revoked_by": (revoker.display_name or revoker.username) if revoker else None,
        "revoke_reason": release.revoke_reason,
    }


def document_dict(doc: Document, case: Case) -> dict[str, Any]:
    profile = cases.case_profile(db(), case)
    zone = profile.zone
    ctx = doc.context
    if ctx is not None:
        rule_text = ctx["deadline"]["rule_text"] or None
        sample = ctx["document"]["sample"]
    else:
        library = profile.violation_types
        chosen = [v for v in case.violations if v.id in doc.violation_ids]
        rule = strictest([Rule.of(library[v.violation_type]["deadline"]) for v in chosen])
        rule_text = rule.text() if rule else None
        sample = any(library[v.violation_type]["text_status"] == "sample" for v in chosen)
    superseded_by = db().scalar(select(Document.id).where(Document.supersedes_id == doc.id))
    due = compliance.compliance_due(doc, compliance.granted_dates(db(), [doc.id]), profile)
    receipts = {}
    for s in doc.services:
        receipts[s.id] = [
            {
                "id": r.id,
                "status": r.status,
                "attachment_id": r.attachment_id,
                "delivered_at": r.delivered_at.astimezone(zone).isoformat()
                if r.delivered_at
                else None,
                "signed_by": r.signed_by,
            }
            for r in s.receipts
        ]
    return {
        "id": doc.id,
        "case_number": case.case_number,
        "type": doc.type,
        "title": profile.document_types[doc.type]["title"],
        "status": doc.status,
        "recipient": {"kind": doc.recipient_kind, "party_id": doc.recipient_party_id},
        "violation_ids": doc.violation_ids,
        "photo_ids": doc.photo_ids,
        "fields": doc.fields,
        # A granted extension moves the date the notice must be complied with.
        "deadline": due.astimezone(zone) if due else None,
        "deadline_extended": due != doc.deadline_at,
        "deadline_rule": rule_text,
        "sample": sample,
        "issued_at": doc.issued_at.astimezone(zone) if doc.issued_at else None,
        "supersedes": doc.supersedes_id,
        "no_warning_reason": doc.no_warning_reason,
        "citation_id": doc.citation_id,
        "superseded_by": superseded_by,
        "needs_reservice": doc.needs_reservice,
        "pdf_url": url_for("documents.document_pdf", document_id=doc.id),
        "docx_url": url_for("documents.document_docx", document_id=doc.id),
        "pdf_sha256": doc.pdf_sha256,
        "docx_sha256": doc.docx_sha256,
        "services": [
            {
                "id": s.id,
                "method": s.method,
                "served_at": s.served_at.astimezone(zone) if s.served_at else None,
                "mailed_at": s.mailed_at.astimezone(zone) if s.mailed_at else None,
                "article_number": s.article_number,
                "served_to": s.served_to,
                "served_where": s.served_where,
                "served_by": s.served_by,
                "status": s.status,
                "effective_at": s.effective_at.astimezone(zone) if s.effective_at else None,
                "effective_rule": s.effective_rule,
                "receipts": receipts[s.id],
            }
            for s in doc.services
        ],
    }


def hold_dict(session: Any, hold: Hold) -> dict[str, Any]:
    covers = [
        {"kind": k, "id": r}
        for k, r in session.execute(
            select(HoldScope.kind, HoldScope.ref_id).where(HoldScope.hold_id == hold.id)
        )
    ]
    ids = holding.hold_cases(session, hold.id)
    numbers = session.scalars(select(Case.case_number).where(Case.id.in_(ids))).all()
    return {
        "id": hold.id, "matter": hold.matter, "reason": hold.reason, "placed_at": hold.placed_at,
        "released_at": hold.released_at, "scope": covers, "case_numbers": sorted(numbers),
    }  # fmt: skip


def item_dict(item: DispositionItem) -> dict[str, Any]:
    return {
        "id": item.id, "case_number": item.case_number, "jurisdiction": item.jurisdiction_code,
        "series": item.series_code, "trigger_on": item.trigger_on.isoformat(),
        "eligible_on": item.eligible_on.isoformat(), "status": item.status,
        "required_roles": item.required_roles, "approvals": item.approvals,
        "authority": item.authority, "stub": item.stub, "note": item.note,
    }  # fmt: skip


def job_dict(job: Job) -> dict[str, Any]:
    run_id = (job.progress or {}).get("run_id")
    run = db().get(DispositionRun, run_id) if run_id else None
    return {
        "id": job.id,
        "status": job.status,
        "progress": job.progress,
        "run": {
            "id": run.id,
            "destroyed": run.destroyed,
            "certificate_url": url_for("retention.certificate", run_id=run.id),
        }
        if run
        else None,
    }
