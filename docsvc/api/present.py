"""Turning rows into the dicts the API returns (and the UI shows). Times are shown in the
jurisdiction's own zone, with its offset."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.cases import history
from docsvc.identity.guard import Complainant, bears_identity
from docsvc.identity.mask import masker
from docsvc.models import Attachment, Case, User
from docsvc.profiles.model import Profile


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
) -> dict[str, Any]:
    """The whole case file as `viewer` may see it. The complainant's identity (and what bears
    it: their files' captions, other complaints they made) only when the caller got it from the
    identity guard, which audited the view; histories only within the viewer's jurisdictions."""
    zone = profile.zone
    out = case_summary(case, zone)
    prop = case.property
    out["origin_note"] = case.origin_note
    out["property"] = {
        "id": prop.id,
        "address": prop.address,
        "parcel": prop.parcel,
        "zoning": prop.zoning,
        "assessor_owner": prop.assessor_owner,
    }
    complaint = case.complaint
    if complaint is not None:
        person = complainant.as_dict() if complainant is not None else None
        out["complaint"] = {
            "received_at": _local(complaint.received_at, zone),
            "channel": complaint.channel,
            "description": complaint.description,
            "anonymous": complaint.anonymous,
            "discretion_approved_by": complaint.discretion_approved_by,
            "disclosure_preference": complaint.disclosure_preference,
            "disclosure_preference_at": _local(complaint.disclosure_preference_at, zone),
            "complainant": person,
        }
    else:
        out["complaint"] = None
    scope = viewer.jurisdictions
    party_hist = history.party_history(session, case, scope)
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
    hist: dict[str, Any] = {"property": history.property_history(session, case, scope)}
    if complainant is not None:
        hist["complainant"] = history.complainant_history(session, case, scope)
    out["history"] = hist
    return out
