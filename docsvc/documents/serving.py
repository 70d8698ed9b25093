"""Service of process: how a document reached its recipient (personal service, posting, mail),
the certified-mail return receipt, and the deadline that service starts. Which methods a
document type allows, and for how long a mailing is presumed in transit, are profile data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from docsvc.attachments.service import Upload, add_attachment
from docsvc.audit import actor_of, append
from docsvc.cases.service import case_profile
from docsvc.documents import deadlines, naming, usps
from docsvc.documents.env import Env
from docsvc.errors import Conflict, Invalid
from docsvc.models import (
    Case,
    Document,
    ReturnReceipt,
    ServiceRecord,
    User,
)
from docsvc.models.documents import IMMEDIATE_METHODS
from docsvc.profiles.model import Profile
from docsvc.timeutil import CLOCK_SKEW, utcnow


def check_method(profile: Profile, doc_type: str, method: str, *, immediate: bool = False) -> None:
    allowed = profile.document_types[doc_type]["service_methods"]
    if method not in allowed:
        raise Invalid(
            f"{profile.name} serves a {profile.document_types[doc_type]['title']} only by "
            f"{', '.join(m.replace('_', ' ') for m in allowed)}.",
            {"field": "method", "allowed": allowed},
        )
    if immediate and method not in IMMEDIATE_METHODS:
        raise Invalid(
            "only personal service, a door hanger or posting can be recorded at issue; "
            "record mailing afterwards with POST /api/documents/{id}/service.",
            {"field": "served.method"},
        )


def deadline_of(
    context: dict[str, Any] | None, effective: datetime, profile: Profile
) -> datetime | None:
    """When a document served at `effective` must be complied with: the earliest of its
    (frozen) violations' rules; none for a document whose date is fixed by its record (a
    notice of extension: the extended notice's clock runs to the date granted)."""
    context = context or {}
    if context.get("deadline", {}).get("fixed"):
        return None
    return deadlines.earliest(
        deadline_rules(context.get("violations", []), profile), effective, profile
    )


def deadline_rules(violations: list[dict[str, Any]], profile: Profile) -> list[deadlines.Rule]:
    """The deadline rules of a document's (frozen) violations."""
    return [
        deadlines.Rule.of(profile.violation_types[v["type"]]["deadline"])
        for v in violations
        if v["type"] in profile.violation_types
    ]


def add_service(
    session: Session, user: User, doc: Document, case: Case, profile: Profile, data: dict[str, Any]
) -> ServiceRecord:
    method = data["method"]
    effective, rule_text = deadlines.effective_service(
        method,
        served_at=data.get("served_at"),
        mailed_at=data.get("mailed_at"),
        delivered_at=None,
        unclaimed=False,
        profile=profile,
    )
    record = ServiceRecord(
        document_id=doc.id,
        method=method,
        served_at=data.get("served_at"),
        mailed_at=data.get("mailed_at"),
        article_number=data.get("article_number"),
        served_to=data.get("served_to"),
        served_where=data.get("served_where"),
        # Served by hand: by the officer recording it unless someone else is named.
        served_by=data.get("served_by")
        or (user.display_name if method in IMMEDIATE_METHODS else None),
        status="served" if data.get("served_at") else "mailed",
        effective_at=effective,
        effective_rule=rule_text,
        note=data.get("note"),
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    session.add(record)
    session.flush()
    if effective is not None:
        doc.deadline_at = deadline_of(doc.context, effective, profile)
    doc.needs_reservice = False
    append(
        session,
        actor_of(user),
        "document.service",
        "service",
        record.id,
        case_id=case.id,
        fields=[
            "method",
            "served_at",
            "mailed_at",
            "article_number",
            "served_to",
            "served_where",
            "served_by",
        ],
    )
    return record


def record_service(
    session: Session, user: User, doc: Document, case: Case, data: dict[str, Any]
) -> ServiceRecord:
    if doc.status != "issued":
        raise Conflict(f"document {doc.id} is {doc.status}; only an issued document is served.")
    profile = case_profile(session, case)
    method = data["method"]
    check_method(profile, doc.type, method)
    mail = method in ("first_class_mail", "certified_mail")
    if mail and not data.get("mailed_at"):
        raise Invalid(f"{method.replace('_', ' ')} needs mailed_at.", {"field": "mailed_at"})
    if not mail and not data.get("served_at"):
        raise Invalid(
            f"{method.replace('_', ' ')} service needs served_at.", {"field": "served_at"}
        )
    if mail and any(data.get(k) for k in ("served_to", "served_where")):
        raise Invalid(
            "who received it and where are recorded for service by hand; for mail, the return "
            "receipt says who signed for it.",
            {"field": "served_to"},
        )
    if method == "certified_mail":
        number = usps.validate(data.get("article_number") or "")
        if number is None:
            raise Invalid(
                "certified mail needs its USPS article number: 20 digits (PS Form "
                "3800) or 22 (IMpb), with a valid check digit.",
                {"field": "article_number"},
            )
        data = {**data, "article_number": number}
    when = data.get("served_at") or data.get("mailed_at")
    # Both known by now: the method's time was required above, and only issued is served.
    assert when is not None and doc.issued_at is not None
    check_service_time(when, doc.issued_at, "served_at" if not mail else "mailed_at")
    return add_service(session, user, doc, case, profile, data)


def check_service_time(when: datetime, issued_at: datetime, field: str) -> None:
    """Service happens after issue (the bytes served are the issued bytes) and not in the future."""
    if when < issued_at - CLOCK_SKEW:
        raise Invalid(
            f"{field} is before the document was issued; service follows issue.", {"field": field}
        )
    if when > utcnow() + CLOCK_SKEW:
        raise Invalid(
            f"{field} is in the future; record service once it has happened.", {"field": field}
        )


def record_return_receipt(
    session: Session,
    env: Env,
    user: User,
    doc: Document,
    case: Case,
    upload: Upload,
    data: dict[str, Any],
) -> ReturnReceipt:
    if doc.status == "draft":
        raise Conflict(f"document {doc.id} is a draft; it was never mailed.")
    service = next((s for s in reversed(doc.services) if s.method == "certified_mail"), None)
    if service is None:
        raise Conflict(
            f"document {doc.id} has no certified mailing to attach a receipt to; "
            "record the mailing first."
        )
    status = data["status"]
    if status == "delivered" and not data.get("delivered_at"):
        raise Invalid(
            "a delivered receipt needs delivered_at (the date on the card or the "
            "electronic receipt).",
            {"field": "delivered_at"},
        )
    if data.get("delivered_at") and data["delivered_at"] < service.mailed_at:
        raise Invalid("delivered_at is before the mailing date.", {"field": "delivered_at"})
    if data.get("delivered_at") and data["delivered_at"] > utcnow() + CLOCK_SKEW:
        raise Invalid("delivered_at is in the future.", {"field": "delivered_at"})
    attachment = add_attachment(
        session,
        env.store,
        env.settings,
        user,
        case,
        upload,
        kind="return_receipt",
        caption="Return receipt for "
        + naming.name(case_profile(session, case).document_types[doc.type]["title"], doc.id),
    )
    profile = case_profile(session, case)
    receipt = ReturnReceipt(
        service_id=service.id,
        attachment_id=attachment.id,
        status=status,
        delivered_at=data.get("delivered_at"),
        signed_by=data.get("signed_by"),
        recorded_by_id=user.id,
        recorded_at=utcnow(),
    )
    session.add(receipt)
    effective, rule_text = deadlines.effective_service(
        "certified_mail",
        served_at=None,
        mailed_at=service.mailed_at,
        delivered_at=data.get("delivered_at") if status == "delivered" else None,
        unclaimed=status == "unclaimed",
        profile=profile,
    )
    service.status, service.effective_at, service.effective_rule = status, effective, rule_text
    if effective is not None:
        doc.deadline_at = deadline_of(doc.context, effective, profile)
    # Returned, unclaimed or refused mail: the notice must be served again by another method.
    doc.needs_reservice = status != "delivered"
    session.flush()
    append(
        session,
        actor_of(user),
        "document.return_receipt",
        "receipt",
        receipt.id,
        case_id=case.id,
        fields=["status", "delivered_at", "signed_by"],
        hashes={"file": attachment.sha256},
    )
    return receipt
