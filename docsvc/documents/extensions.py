"""More time to correct a minor violation, on the violator's written request (Los Gatos
VII.b.ii), where the profile grants extensions (`extensions`: who decides, the rule, at most how
many days after the request, minor violations only).

A request names the issued notice and the date asked for, and is on file as a letter (an
attachment of the case). Granting it moves the notice's compliance date (what the compliance
clock runs to: `extended_deadlines`) and prepares a notice of extension, a draft issued and
served like any notice.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from docsvc.audit import actor_of, append
from docsvc.auth.scope import visible
from docsvc.cases.service import _require_open, case_profile
from docsvc.documents import service
from docsvc.documents.context import long_date
from docsvc.errors import Conflict, Invalid, NotFound
from docsvc.identity.mask import masker
from docsvc.labels import label
from docsvc.models import Attachment, Case, Document, Extension, User, Violation
from docsvc.profiles.model import Profile
from docsvc.timeutil import utcnow


def rule_of(profile: Profile) -> dict[str, Any] | None:
    return profile.data.get("extensions")


def _rule(profile: Profile) -> dict[str, Any]:
    rule = rule_of(profile)
    if rule is None:
        raise Conflict(
            f"{profile.name} grants no extensions on written request; the deadline is changed "
            "only by a voluntary compliance agreement or a corrected notice."
        )
    return rule


def _compliance_date(doc: Document, profile: Profile) -> date | None:
    return doc.deadline_at.astimezone(profile.zone).date() if doc.deadline_at else None


def _notice(
    session: Session, case: Case, profile: Profile, rule: dict[str, Any], doc_id: int
) -> Document:
    doc = session.get(Document, doc_id)
    if doc is None or doc.case_id != case.id:
        raise Invalid(
            f"document {doc_id} is not in case {case.case_number}.", {"field": "document_id"}
        )
    kinds = [profile.document_types[t]["title"] for t in rule["notices"]]
    if doc.type not in rule["notices"]:
        raise Invalid(
            f"only a {' or '.join(kinds)} is extended on written request.",
            {"field": "document_id"},
        )
    if doc.status != "issued":
        raise Conflict(f"document {doc.id} is {doc.status}: only an issued notice is extended.")
    if doc.deadline_at is None:
        raise Conflict(
            f"document {doc.id} has no compliance date yet: record its service first, then the "
            "request for more time."
        )
    return doc


def _minor(session: Session, profile: Profile, doc: Document, rule: dict[str, Any]) -> None:
    if not rule.get("minor_only"):
        return
    violations = session.scalars(select(Violation).where(Violation.id.in_(doc.violation_ids)))
    ranked = [
        profile.violation_types[v.violation_type]["title"]
        for v in violations
        if profile.violation_types.get(v.violation_type, {}).get("priority_rank")
    ]
    if ranked:
        raise Conflict(
            "only minor violations (none of the priority types) are extended on written "
            f"request; this notice covers {', '.join(ranked)} ({rule['citation']}).",
            {"rule": "minor_only", "citation": rule["citation"]},
        )


def _within(rule: dict[str, Any], requested_on: date, until: date, field: str) -> None:
    days = rule.get("max_days")
    if days is not None and until > requested_on + timedelta(days=days):
        raise Invalid(
            f"{field} is more than {days} days after the request ({until:%B} {until.day}); "
            f"an extension on written request is for what can be corrected within {days} days "
            f"({rule['citation']}).",
            {"field": field, "max_days": days},
        )


def request_extension(session: Session, user: User, case: Case, data: dict[str, Any]) -> Extension:
    """Record a written request for more time (pending until decided)."""
    _require_open(case, "recording a request for more time")
    profile = case_profile(session, case)
    rule = _rule(profile)
    doc = _notice(session, case, profile, rule, data["document_id"])
    _minor(session, profile, doc, rule)
    letter = session.get(Attachment, data["letter_attachment_id"])
    if letter is None or letter.case_id != case.id:
        raise Invalid(
            f"attachment {data['letter_attachment_id']} is not a file of case "
            f"{case.case_number}: upload the written request to the case first.",
            {"field": "letter_attachment_id"},
        )
    if data["requested_on"] > utcnow().astimezone(profile.zone).date():
        raise Invalid(
            "requested_on is in the future: record the request once it has been received.",
            {"field": "requested_on"},
        )
    current = _compliance_date(doc, profile)
    until = data["requested_until"]
    if current is not None and until <= current:
        raise Invalid(
            "requested_until is not after the notice's compliance date "
            f"({long_date(current, profile)}).",
            {"field": "requested_until"},
        )
    _within(rule, data["requested_on"], until, "requested_until")
    pending = session.scalar(
        select(Extension.id).where(Extension.document_id == doc.id, Extension.decision == "pending")
    )
    if pending is not None:
        raise Conflict(
            f"a request for more time on this notice is already pending (request {pending})."
        )
    ext = Extension(
        case_id=case.id,
        document_id=doc.id,
        requested_on=data["requested_on"],
        letter_attachment_id=letter.id,
        reason=data["reason"],
        requested_until=until,
        decision="pending",
        created_by_id=user.id,
        created_at=utcnow(),
    )
    session.add(ext)
    session.flush()
    append(
        session,
        actor_of(user),
        "extension.request",
        "extension",
        ext.id,
        case_id=case.id,
        fields=["document_id", "requested_on", "requested_until", "reason", "letter_attachment_id"],
    )
    return ext


def get_extension(
    session: Session, user: User, ext_id: int, *, for_update: bool = False
) -> tuple[Extension, Case]:
    stmt = select(Extension).where(Extension.id == ext_id)
    if for_update:
        stmt = stmt.with_for_update()
    ext = session.scalar(stmt)
    case = session.get(Case, ext.case_id) if ext else None
    if ext is None or case is None or not visible(user, case.jurisdiction_code):
        raise NotFound(f"no request for more time {ext_id} that you can see.")
    return ext, case


def decide(
    session: Session, user: User, ext: Extension, case: Case, data: dict[str, Any]
) -> Extension:
    """Grant or refuse; a grant sets the new compliance date and prepares the notice of
    extension (a draft to the notice's recipient)."""
    if ext.decision != "pending":
        raise Conflict(f"this request was already {ext.decision} on {ext.decided_on}.")
    _require_open(case, "deciding a request for more time")
    profile = case_profile(session, case)
    rule = _rule(profile)
    today = utcnow().astimezone(profile.zone).date()
    ext.decision = data["decision"]
    # Who decided: the person named, or the user recording it, with the authority's title.
    ext.decided_by = data.get("decided_by") or f"{user.display_name}, {rule['authority']}"
    ext.decided_by_id = user.id
    ext.decided_on = data.get("decided_on") or today
    ext.decision_note = data.get("decision_note")
    fields = ["decision", "decided_by", "decided_on", "decision_note"]
    if ext.decision == "granted":
        doc = session.get(Document, ext.document_id)
        assert doc is not None
        if doc.status != "issued":
            raise Conflict(f"the notice was {doc.status} meanwhile; decide on its correction.")
        new = data.get("new_compliance_date") or ext.requested_until
        if new is None:
            raise Invalid("give new_compliance_date.", {"field": "new_compliance_date"})
        current = _compliance_date(doc, profile)
        if current is not None and new <= current:
            raise Invalid(
                f"new_compliance_date is not after the notice's compliance date "
                f"({long_date(current, profile)}).",
                {"field": "new_compliance_date"},
            )
        _within(rule, ext.requested_on, new, "new_compliance_date")
        ext.new_compliance_date = new
        notice = service.draft_from_record(
            session,
            user,
            case,
            {
                "type": "notice_of_extension",
                "recipient_party_id": doc.recipient_party_id,
                "violation_ids": list(doc.violation_ids),
            },
        )
        ext.notice_document_id = notice.id
        fields += ["new_compliance_date", "notice_document_id"]
    elif data.get("new_compliance_date") is not None:
        raise Invalid("a refused request sets no new date.", {"field": "new_compliance_date"})
    session.flush()
    append(
        session,
        actor_of(user),
        f"extension.{ext.decision}",
        "extension",
        ext.id,
        case_id=case.id,
        fields=fields,
    )
    return ext


def case_extensions(session: Session, case: Case) -> list[Extension]:
    return list(
        session.scalars(
            select(Extension).where(Extension.case_id == case.id).order_by(Extension.id)
        )
    )


def extension_view(session: Session, ext: Extension, case: Case) -> dict[str, Any]:
    """A request for more time as the API shows it and the page lists it; its free text (the
    reason, who decided, the note) through the case's masker (a violator's letter or a note may
    quote the complainant)."""
    masked = masker(session, case)
    return {
        "id": ext.id,
        "case_number": case.case_number,
        "document_id": ext.document_id,
        "requested_on": ext.requested_on,
        "letter_attachment_id": ext.letter_attachment_id,
        "reason": masked(ext.reason),
        "requested_until": ext.requested_until,
        "decision": ext.decision,
        "decision_label": label(ext.decision),
        "decided_by": masked(ext.decided_by),
        "decided_on": ext.decided_on,
        "decision_note": masked(ext.decision_note) if ext.decision_note else None,
        "new_compliance_date": ext.new_compliance_date,
        "notice_document_id": ext.notice_document_id,
    }
